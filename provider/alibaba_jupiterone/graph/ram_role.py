"""RAM role -> the properties of an ``alibaba_cloud_ram_role`` entity (an ``AccessRole``).

The record is a ListRoles ``Roles.Role[]`` item; ``Policies`` holds the policies attached to it.
Roles are keyed by ``RoleId``, as JupiterOne's own integration keys them. ``_key``, ``_type``,
``_class``, ``tag.AccountName`` and ``_rawData`` are added by the registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from alibaba_jupiterone.graph import ram_policy
from alibaba_jupiterone.graph.keys import KeyRule
from alibaba_jupiterone.graph.options import ConversionOptions
from alibaba_jupiterone.graph.properties import items, present, timestamps
from alibaba_jupiterone.graph.relationships import RAM_POLICY_ASSIGNED_ROLE, Link

KEY = KeyRule("RoleId", prefix="alibaba_cloud_ram_role:")

ENRICHMENTS = ("Policies",)
"""The record's keys that other calls filled (ListPoliciesForRole)."""

KEPT = {"maxSessionDuration": "MaxSessionDuration", "description": "Description", "arn": "Arn", "roleId": "RoleId"}
TIMES = {"createdOn": "CreateDate", "updatedOn": "UpdateDate"}


def convert(record: dict[str, Any], options: ConversionOptions) -> dict[str, Any]:
    """The properties of the entity for one RAM role record (which has a string ``RoleId``)."""
    name = record.get("RoleName") or record["RoleId"]
    return {"name": name, "displayName": name, **present(record, KEPT), **timestamps(record, TIMES)}


def links(record: dict[str, Any], key: str) -> Iterator[Link]:
    """Each policy attached to the role is ASSIGNED to it."""
    for policy in items(record, "Policies", "Policy") or ():
        yield Link(RAM_POLICY_ASSIGNED_ROLE, ram_policy.KEY.key_of(policy), key)
