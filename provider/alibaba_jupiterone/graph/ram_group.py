"""RAM group -> the properties of an ``alibaba_cloud_ram_group`` entity (a ``UserGroup``).

The record is a ListGroups ``Groups.Group[]`` item; ``Users`` holds its members (ListUsersForGroup)
and ``Policies`` the policies attached to it. ``_key``, ``_type``, ``_class``, ``tag.AccountName``
and ``_rawData`` are added by the registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from alibaba_jupiterone.graph import ram_policy, ram_user
from alibaba_jupiterone.graph.keys import KeyRule
from alibaba_jupiterone.graph.options import ConversionOptions
from alibaba_jupiterone.graph.properties import items, present, timestamps
from alibaba_jupiterone.graph.relationships import RAM_GROUP_HAS_USER, RAM_POLICY_ASSIGNED_GROUP, Link

KEY = KeyRule("GroupName", prefix="alibaba_cloud_ram_group:")

ENRICHMENTS = ("Users", "Policies")
"""The record's keys that other calls filled (ListUsersForGroup, ListPoliciesForGroup)."""

KEPT = {"groupId": "GroupId", "comments": "Comments", "groupName": "GroupName"}
TIMES = {"createdOn": "CreateDate", "updatedOn": "UpdateDate"}


def convert(record: dict[str, Any], options: ConversionOptions) -> dict[str, Any]:
    """The properties of the entity for one RAM group record (which has a string ``GroupName``)."""
    return {
        "name": record["GroupName"],
        "displayName": record["GroupName"],
        **present(record, KEPT),
        **timestamps(record, TIMES),
    }


def links(record: dict[str, Any], key: str) -> Iterator[Link]:
    """The group HAS each of its members; each policy attached to it is ASSIGNED to it."""
    for member in items(record, "Users", "User") or ():
        yield Link(RAM_GROUP_HAS_USER, key, ram_user.KEY.key_of(member))
    for policy in items(record, "Policies", "Policy") or ():
        yield Link(RAM_POLICY_ASSIGNED_GROUP, ram_policy.KEY.key_of(policy), key)
