"""The STS action the sandbox serves: GetCallerIdentity, which tells whose credential signed the call."""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from alibaba_jupiterone.sandbox.alibaba.auth import DEFAULT_ASSUMED_ROLE
from alibaba_jupiterone.sandbox.alibaba.calls import Call, Handler

if TYPE_CHECKING:
    from alibaba_jupiterone.sandbox.alibaba.world import World

API_VERSION = "2015-04-01"


def get_caller_identity(world: World, call: Call) -> dict:
    """The account, and the account itself, a RAM user or an assumed role, as the credential says."""
    account_id = world.account.account_id
    credential = call.credential
    if credential.security_token:
        role_name, _, session = (credential.principal or DEFAULT_ASSUMED_ROLE).partition("/")
        role = world.directory.get("Role", role_name) or {}
        role_id = str(role.get("RoleId") or _stable_id(role_name))
        principal_id = f"{role_id}:{session}"
        return {
            "IdentityType": "AssumedRoleUser",
            "AccountId": account_id,
            "PrincipalId": principal_id,
            "UserId": principal_id,
            "Arn": f"acs:ram::{account_id}:assumed-role/{role_name.lower()}/{session}",
            "RoleId": role_id,
        }
    if credential.principal:
        user = world.directory.get("User", credential.principal) or {}
        user_id = str(user.get("UserId") or _stable_id(credential.principal))
        return {
            "IdentityType": "RAMUser",
            "AccountId": account_id,
            "PrincipalId": user_id,
            "UserId": user_id,
            "Arn": f"acs:ram::{account_id}:user/{credential.principal}",
        }
    return {
        "IdentityType": "Account",
        "AccountId": account_id,
        "PrincipalId": account_id,
        "UserId": account_id,
        "Arn": f"acs:ram::{account_id}:root",
    }


def _stable_id(name: str) -> str:
    """An 18-digit id for a principal the directory does not hold, the same for the same name."""
    return f"2{zlib.crc32(name.encode()):017d}"


ACTIONS: dict[str, Handler] = {"GetCallerIdentity": get_caller_identity}
