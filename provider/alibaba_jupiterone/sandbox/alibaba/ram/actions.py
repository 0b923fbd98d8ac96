"""The RAM actions the sandbox serves: users, groups, roles, policies and their ties, MFA devices, the alias."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from alibaba_jupiterone.sandbox.alibaba.calls import Call, Handler
from alibaba_jupiterone.sandbox.alibaba.errors import GatewayError
from alibaba_jupiterone.sandbox.alibaba.params import marker_page, required
from alibaba_jupiterone.sandbox.alibaba.ram.directory import PolicyType, PrincipalType

if TYPE_CHECKING:
    from alibaba_jupiterone.sandbox.alibaba.world import World

API_VERSION = "2015-05-01"
_POLICY_TYPES: tuple[PolicyType, ...] = ("System", "Custom")


def _principal_listing(principal_type: PrincipalType, container: str) -> Handler:
    """ListUsers, ListGroups or ListRoles: the items one ``Marker``/``MaxItems`` page at a time."""

    def handler(world: World, call: Call) -> dict:
        items = world.directory.principals(principal_type)
        page, paging = marker_page(items, call.params, f"List{container}")
        return {**paging, container: {principal_type: page}}

    handler.__doc__ = f"List{container}: one page of the {container.lower()}."
    return handler


def list_users_for_group(world: World, call: Call) -> dict:
    """The members of ``GroupName``, one ``Marker``/``MaxItems`` page at a time."""
    group_name = required(call.params, "GroupName")
    items = world.directory.users_for_group(group_name)
    if items is None:
        raise GatewayError.not_found("EntityNotExist.Group", group_name)
    page, paging = marker_page(items, call.params, f"ListUsersForGroup:{group_name}")
    return {**paging, "Users": {"User": page}}


def _policies_for(principal_type: PrincipalType, name_param: str) -> Handler:
    """ListPoliciesForUser / ForGroup / ForRole: every policy attached to the principal (no paging)."""

    def handler(world: World, call: Call) -> dict:
        name = required(call.params, name_param)
        items = world.directory.policies_for(principal_type, name)
        if items is None:
            raise GatewayError.not_found(f"EntityNotExist.{principal_type}", name)
        return {"Policies": {"Policy": items}}

    handler.__doc__ = f"ListPoliciesFor{principal_type}: the policies attached to ``{name_param}``."
    return handler


def list_policies(world: World, call: Call) -> dict:
    """System and custom policies (or ``PolicyType``'s only), one ``Marker``/``MaxItems`` page at a time."""
    policy_type = _policy_type(call.params) if call.params.get("PolicyType") else None
    items = world.directory.policies(policy_type)
    page, paging = marker_page(items, call.params, f"ListPolicies:{policy_type or ''}")
    return {**paging, "Policies": {"Policy": page}}


def get_policy_version(world: World, call: Call) -> dict:
    """Version ``VersionId`` of the policy ``PolicyType``/``PolicyName``, with its document."""
    policy_type = _policy_type(call.params)
    policy_name = required(call.params, "PolicyName")
    version_id = required(call.params, "VersionId")
    versions = world.directory.policy_versions(policy_type, policy_name)
    if versions is None:
        raise GatewayError.not_found("EntityNotExist.Policy", f"{policy_type} policy {policy_name}")
    version = next((version for version in versions if version.get("VersionId") == version_id), None)
    if version is None:
        raise GatewayError.not_found("EntityNotExist.PolicyVersion", f"{policy_name} {version_id}")
    return {"PolicyVersion": version}


def list_virtual_mfa_devices(world: World, call: Call) -> dict:
    """Every virtual MFA device, each naming its user (the API does not page this list)."""
    return {"VirtualMFADevices": {"VirtualMFADevice": world.directory.mfa_devices()}}


def get_account_alias(world: World, call: Call) -> dict:
    """The account's alias (its id when no alias is set, as the API answers)."""
    return {"AccountAlias": world.account.alias}


def _policy_type(params: Mapping[str, str]) -> PolicyType:
    value = required(params, "PolicyType")
    if value not in _POLICY_TYPES:
        raise GatewayError("InvalidParameter.PolicyType.InvalidValue")
    return value  # type: ignore[return-value]


ACTIONS: dict[str, Handler] = {
    "ListUsers": _principal_listing("User", "Users"),
    "ListGroups": _principal_listing("Group", "Groups"),
    "ListRoles": _principal_listing("Role", "Roles"),
    "ListUsersForGroup": list_users_for_group,
    "ListPoliciesForUser": _policies_for("User", "UserName"),
    "ListPoliciesForGroup": _policies_for("Group", "GroupName"),
    "ListPoliciesForRole": _policies_for("Role", "RoleName"),
    "ListPolicies": list_policies,
    "GetPolicyVersion": get_policy_version,
    "ListVirtualMFADevices": list_virtual_mfa_devices,
    "GetAccountAlias": get_account_alias,
}
