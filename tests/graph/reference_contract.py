"""What the contract changes in JupiterOne's own integration's output, for the parity tests of the identity types.

The account, VPC and RAM entities keep every property the reference gave, but for the contract's
corrections, and add only the contract's additions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from alibaba_jupiterone.graph import ACCOUNT, RAM_GROUP, RAM_POLICY, RAM_ROLE, RAM_USER, VPC

IN_SCOPE = {resource.type for resource in (ACCOUNT, VPC, RAM_USER, RAM_GROUP, RAM_ROLE, RAM_POLICY)}

# The contract's corrections of the reference, each checked on its own by the parity tests (``_rawData`` too:
# only its ``default`` entry is the reference's, and the reference's JSON parser made big numbers strings).
CORRECTED = {
    ACCOUNT.type: {"_key", "displayName", "_rawData"},
    VPC.type: {"name", "displayName", "_rawData"},
    RAM_USER.type: {"username", "_rawData"},
    RAM_GROUP.type: {"_rawData"},
    RAM_ROLE.type: {"_rawData"},
    RAM_POLICY.type: {"content", "_rawData"},
}
# The contract's additions (``tag.*`` of the record's own tags aside).
ADDED = {
    ACCOUNT.type: {"accountId", "accountAlias", "vendor", "webLink"},
    VPC.type: {"active", "webLink"},
    RAM_USER.type: {"shortLoginId", "firstName", "lastName", "email", "mfaEnabled"},
    RAM_GROUP.type: set(),
    RAM_ROLE.type: set(),
    RAM_POLICY.type: {"createdOn", "updatedOn", "attachmentCount"},
}

ENDS = ("_key", "_type", "_class", "_fromEntityKey", "_toEntityKey", "displayName")
"""The properties of a relationship the reference's and ours must share."""


def reference_key(entity: dict[str, Any]) -> str:
    """The ``_key`` the reference gave the entity ours keyed ``entity['_key']`` (it keyed the account by alias)."""
    if entity["_type"] == ACCOUNT.type:
        return f"alibaba_cloud_ram_account:{entity['name']}"
    return entity["_key"]


def ends(relationships: Iterable[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The :data:`ENDS` of each relationship, sorted: two lists of the same relationships compare equal."""
    return sorted(tuple(relationship[name] for name in ENDS) for relationship in relationships)
