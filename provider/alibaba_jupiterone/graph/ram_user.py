"""RAM user -> the properties of an ``alibaba_cloud_ram_user`` entity (a ``User``).

The record is a ListUsers ``Users.User[]`` item; ``VirtualMFADevice`` holds the user's virtual MFA
device, when it has one, and ``Policies`` the policies attached to it. ``_key``, ``_type``,
``_class``, ``tag.AccountName`` and ``_rawData`` are added by the registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from alibaba_jupiterone.graph import ram_policy
from alibaba_jupiterone.graph.keys import KeyRule
from alibaba_jupiterone.graph.options import ConversionOptions
from alibaba_jupiterone.graph.properties import items, present, timestamps
from alibaba_jupiterone.graph.relationships import RAM_POLICY_ASSIGNED_USER, Link

KEY = KeyRule("UserName", prefix="alibaba_cloud_ram_user:")

ENRICHMENTS = ("VirtualMFADevice", "Policies")
"""The record's keys that other calls filled (ListVirtualMFADevices, ListPoliciesForUser)."""

KEPT = {"userId": "UserId", "comments": "Comments"}
TIMES = {"createdOn": "CreateDate", "updatedOn": "UpdateDate"}


def convert(record: dict[str, Any], options: ConversionOptions) -> dict[str, Any]:
    """The properties of the entity for one RAM user record (which has a string ``UserName``)."""
    user_name = record["UserName"]
    email = record.get("Email")
    return {
        "name": user_name,
        "displayName": record.get("DisplayName") or user_name,
        "active": True,
        **present(record, KEPT),
        **timestamps(record, TIMES),
        # the data model's User requires these, each an array or null
        "username": [user_name],
        "shortLoginId": [user_name],
        "firstName": None,
        "lastName": None,
        "email": [email] if isinstance(email, str) and "@" in email else None,  # "@": the email format's test
        "mfaEnabled": record.get("VirtualMFADevice") is not None,
    }


def links(record: dict[str, Any], key: str) -> Iterator[Link]:
    """Each policy attached to the user is ASSIGNED to it."""
    for policy in items(record, "Policies", "Policy") or ():
        yield Link(RAM_POLICY_ASSIGNED_USER, ram_policy.KEY.key_of(policy), key)
