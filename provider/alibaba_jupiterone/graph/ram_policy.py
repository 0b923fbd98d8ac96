"""RAM policy -> the properties of an ``alibaba_cloud_ram_policy`` entity (a ``Policy``).

The record is the ListPoliciesFor{User,Group,Role} item of one of the policy's attachments (only
attached policies are known); ``PolicyVersion`` holds its default version (GetPolicyVersion) and, for
a custom policy, ``Policy`` its ListPolicies item. ``_key``, ``_type``, ``_class``,
``tag.AccountName`` and ``_rawData`` are added by the registry.
"""

from __future__ import annotations

from typing import Any

from alibaba_jupiterone.graph.keys import KeyRule
from alibaba_jupiterone.graph.options import ConversionOptions
from alibaba_jupiterone.graph.properties import dig, present, timestamps

KEY = KeyRule("PolicyName", prefix="alibaba_cloud_ram_policy:")

ENRICHMENTS = ("Policy", "PolicyVersion")
"""The record's keys that other calls filled (ListPolicies, GetPolicyVersion)."""

KEPT = {
    "policyType": "PolicyType",
    "policyName": "PolicyName",
    "description": "Description",
    "defaultVersion": "DefaultVersion",
}
# Corrected: from ListPolicies, which has them (the reference read them from an item that has not).
CUSTOM = {"attachmentCount": "AttachmentCount"}
CUSTOM_TIMES = {"createdOn": "CreateDate", "updatedOn": "UpdateDate"}


def convert(record: dict[str, Any], options: ConversionOptions) -> dict[str, Any]:
    """The properties of the entity for one RAM policy record (which has a string ``PolicyName``)."""
    name = record["PolicyName"]
    description = record.get("Description")
    document = dig(record, "PolicyVersion", "PolicyDocument")
    listed = record.get("Policy")
    listed = listed if isinstance(listed, dict) else {}
    return {
        "name": name,
        "displayName": name,
        "title": name,
        # the data model's Policy requires summary and content as strings
        "summary": description if isinstance(description, str) else "",
        # corrected: the policy document itself (the reference repeated the description)
        "content": document if isinstance(document, str) else "",
        **present(record, KEPT),
        **present(listed, CUSTOM),
        **timestamps(listed, CUSTOM_TIMES),
    }
