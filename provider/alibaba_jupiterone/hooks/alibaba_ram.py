"""``AlibabaRamHook``: read the account and its RAM users, groups, roles and policies through the official SDKs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from operator import call
from typing import Any

from alibabacloud_ram20150501.client import Client as RamClient
from alibabacloud_ram20150501.models import (
    GetPolicyVersionRequest,
    ListGroupsRequest,
    ListPoliciesForGroupRequest,
    ListPoliciesForRoleRequest,
    ListPoliciesForUserRequest,
    ListPoliciesRequest,
    ListRolesRequest,
    ListUsersForGroupRequest,
    ListUsersRequest,
)
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi.utils_models import OpenApiRequest

from alibaba_jupiterone.errors import AlibabaApiError, ProviderError
from alibaba_jupiterone.hooks.alibaba_base import (
    AlibabaCloudBaseHook,
    AlibabaProduct,
    SdkRequest,
    generated_request,
    listed_items,
)

RAM = AlibabaProduct("RAM", RamClient, endpoint="ram.aliyuncs.com", read_policy="AliyunRAMReadOnlyAccess")
STS = AlibabaProduct("STS", StsClient, endpoint="sts.aliyuncs.com")

MAX_ITEMS = 1000
"""Items asked for per page of a RAM listing (the API's maximum)."""

CUSTOM = "Custom"
"""The ``PolicyType`` of the account's own policies (the others are ``System``)."""

Record = dict[str, Any]


@dataclass(frozen=True)
class RamDirectory:
    """The RAM entities of an account, as the raw records the graph converters take.

    Each record is the listing's own item, enriched by :meth:`AlibabaRamHook.read_directory`. Each
    list is empty when its kind was not asked for.
    """

    users: list[Record] = field(default_factory=list)
    groups: list[Record] = field(default_factory=list)
    roles: list[Record] = field(default_factory=list)
    policies: list[Record] = field(default_factory=list)


class AlibabaRamHook(AlibabaCloudBaseHook):
    """Read-only access to the account (STS) and to RAM, through ``alibabacloud-sts20150401`` and
    ``alibabacloud-ram20150501``.

    Both products are global: RAM is called at ``ram.aliyuncs.com`` and STS at ``sts.aliyuncs.com``,
    unless the connection's ``endpoint`` extra sends every call elsewhere. The connection, retries
    and errors are those of :class:`~alibaba_jupiterone.hooks.alibaba_base.AlibabaCloudBaseHook`.
    Every method returns plain JSON dicts in the API's own PascalCase shape, read from the raw answers.

    :param alibabacloud_conn_id: the Airflow connection to use.
    :param retry: how transient failures are retried.
    :param max_concurrent_calls: the most per-item calls (``ListUsersForGroup``,
        ``ListPoliciesFor*``, ``GetPolicyVersion``) in flight at once.
    """

    hook_name = "Alibaba Cloud RAM"

    def get_conn(self) -> RamClient:
        """The RAM SDK client."""
        return self.get_client(RAM, None)

    def get_account(self) -> Record:
        """``{"AccountId": ..., "AccountAlias": ...}``: one STS GetCallerIdentity and one RAM GetAccountAlias call."""
        identity = self.call_json(STS, None, generated_request(StsClient.get_caller_identity_with_options))
        alias = self.call_json(RAM, None, generated_request(RamClient.get_account_alias_with_options))
        return {"AccountId": identity.get("AccountId"), "AccountAlias": alias.get("AccountAlias")}

    def iter_users(self) -> Iterator[Record]:
        """Yield every RAM user: the ListUsers ``Users.User[]`` items."""
        return self._iter_listing(
            lambda marker: generated_request(
                RamClient.list_users_with_options, ListUsersRequest(marker=marker, max_items=MAX_ITEMS)
            ),
            "Users.User",
        )

    def iter_groups(self) -> Iterator[Record]:
        """Yield every RAM group: the ListGroups ``Groups.Group[]`` items."""
        return self._iter_listing(
            lambda marker: generated_request(
                RamClient.list_groups_with_options, ListGroupsRequest(marker=marker, max_items=MAX_ITEMS)
            ),
            "Groups.Group",
        )

    def iter_roles(self) -> Iterator[Record]:
        """Yield every RAM role: the ListRoles ``Roles.Role[]`` items."""
        return self._iter_listing(
            lambda marker: generated_request(
                RamClient.list_roles_with_options, ListRolesRequest(marker=marker, max_items=MAX_ITEMS)
            ),
            "Roles.Role",
        )

    def iter_users_for_group(self, group_name: str) -> Iterator[Record]:
        """Yield the members of the group ``group_name``: the ListUsersForGroup ``Users.User[]`` items."""
        return self._iter_listing(
            lambda marker: generated_request(
                RamClient.list_users_for_group_with_options,
                ListUsersForGroupRequest(group_name=group_name, marker=marker, max_items=MAX_ITEMS),
            ),
            "Users.User",
        )

    def iter_policies(self, policy_type: str) -> Iterator[Record]:
        """Yield the policies of ``policy_type`` (``Custom`` or ``System``).

        The ListPolicies ``Policies.Policy[]`` items.
        """
        return self._iter_listing(
            lambda marker: generated_request(
                RamClient.list_policies_with_options,
                ListPoliciesRequest(policy_type=policy_type, marker=marker, max_items=MAX_ITEMS),
            ),
            "Policies.Policy",
        )

    def iter_virtual_mfa_devices(self) -> Iterator[Record]:
        """Yield every virtual MFA device: the ListVirtualMFADevices ``VirtualMFADevices.VirtualMFADevice[]`` items.

        Each device names its user under ``User``. RAM answers them all at once (the SDK's request
        has no paging fields); should an answer say ``IsTruncated``, its ``Marker`` is sent on.
        """

        def build(marker: str | None) -> SdkRequest:
            built = generated_request(RamClient.list_virtual_mfadevices_with_options)
            if marker is None:
                return built
            return SdkRequest(built.params, OpenApiRequest(query={**(built.request.query or {}), "Marker": marker}))

        return self._iter_listing(build, "VirtualMFADevices.VirtualMFADevice")

    def list_policies_for_user(self, user_name: str) -> list[Record]:
        """The policies attached to the user ``user_name``: the ListPoliciesForUser ``Policies.Policy[]`` items."""
        request = ListPoliciesForUserRequest(user_name=user_name)
        return self._items(RamClient.list_policies_for_user_with_options, request)

    def list_policies_for_group(self, group_name: str) -> list[Record]:
        """The policies attached to the group ``group_name``: the ListPoliciesForGroup ``Policies.Policy[]`` items."""
        request = ListPoliciesForGroupRequest(group_name=group_name)
        return self._items(RamClient.list_policies_for_group_with_options, request)

    def list_policies_for_role(self, role_name: str) -> list[Record]:
        """The policies attached to the role ``role_name``: the ListPoliciesForRole ``Policies.Policy[]`` items."""
        request = ListPoliciesForRoleRequest(role_name=role_name)
        return self._items(RamClient.list_policies_for_role_with_options, request)

    def get_policy_version(self, policy_name: str, policy_type: str, version_id: str) -> Record:
        """The ``PolicyVersion`` of GetPolicyVersion: ``VersionId``, ``IsDefaultVersion``, ``CreateDate``,
        ``PolicyDocument`` (JSON text)."""
        request = GetPolicyVersionRequest(policy_name=policy_name, policy_type=policy_type, version_id=version_id)
        body = self.call_json(RAM, None, generated_request(RamClient.get_policy_version_with_options, request))
        version = body.get("PolicyVersion")
        if not isinstance(version, dict):
            raise AlibabaApiError(
                f"RAM GetPolicyVersion (global) answered no PolicyVersion for {policy_type} policy "
                f"{policy_name!r} version {version_id!r}",
                request_id=body.get("RequestId"),
                product=RAM.name,
                action="GetPolicyVersion",
            )
        return version

    def read_directory(
        self, *, users: bool = True, groups: bool = True, roles: bool = True, policies: bool = True
    ) -> RamDirectory:
        """Read the account's RAM users, groups, roles and attached policies as raw records.

        A user is its ListUsers item, with ``VirtualMFADevice`` (its ListVirtualMFADevices item) and
        ``Policies`` (``{"Policy": [ListPoliciesForUser items]}``); a group, its ListGroups item with
        ``Users`` (``{"User": [ListUsersForGroup items]}``) and ``Policies``; a role, its ListRoles
        item with ``Policies``; a policy, the ListPoliciesFor* item of its first attachment, with
        ``Policy`` (its ListPolicies item, custom policies only) and ``PolicyVersion`` (the
        GetPolicyVersion ``PolicyVersion`` of its ``DefaultVersion``).

        Listings, all paged and run side by side: ListUsers, ListGroups, ListRoles (each when its
        kind, or ``policies``, is wanted) and ListVirtualMFADevices (when ``users``). Then per item,
        at most ``max_concurrent_calls`` at once: ListUsersForGroup per group (when ``groups``) and
        ListPoliciesForUser / ForGroup / ForRole per principal (when ``policies``, for every
        principal kind, wanted or not); then GetPolicyVersion once per distinct attached policy and,
        when one of them is custom, one ListPolicies(PolicyType=Custom) listing. Only policies
        attached to some principal are read; ListEntitiesForPolicy is never called.

        Records keep the listings' order; a policy's record is the item of its first attachment
        (users, then groups, then roles). Enrichment keys are absent when they would be empty.
        """
        user_items, group_items, role_items, devices = self.map_concurrently(
            call,
            [
                self._listing(self.iter_users, wanted=users or policies),
                self._listing(self.iter_groups, wanted=groups or policies),
                self._listing(self.iter_roles, wanted=roles or policies),
                self._listing(self.iter_virtual_mfa_devices, wanted=users),
            ],
        )
        user_names = [_text(user, "UserName", "ListUsers") for user in user_items]
        group_names = [_text(group, "GroupName", "ListGroups") for group in group_items]
        role_names = [_text(role, "RoleName", "ListRoles") for role in role_items]

        per_item: list[Callable[[], list[Record]]] = []
        if groups:
            per_item += [partial(self._members, name) for name in group_names]
        if policies:
            per_item += [partial(self.list_policies_for_user, name) for name in user_names]
            per_item += [partial(self.list_policies_for_group, name) for name in group_names]
            per_item += [partial(self.list_policies_for_role, name) for name in role_names]
        answers = iter(self.map_concurrently(call, per_item))

        def next_answers(asked: bool, count: int) -> list[list[Record]]:
            return [next(answers) if asked else [] for _ in range(count)]

        members = next_answers(groups, len(group_items))
        user_policies = next_answers(policies, len(user_items))
        group_policies = next_answers(policies, len(group_items))
        role_policies = next_answers(policies, len(role_items))
        device_of = _devices_by_user(devices)
        return RamDirectory(
            users=[
                _enriched(user, VirtualMFADevice=device_of.get(name), Policies=_wrapped("Policy", attached))
                for user, name, attached in zip(user_items, user_names, user_policies, strict=True)
            ]
            if users
            else [],
            groups=[
                _enriched(group, Users=_wrapped("User", in_group), Policies=_wrapped("Policy", attached))
                for group, in_group, attached in zip(group_items, members, group_policies, strict=True)
            ]
            if groups
            else [],
            roles=[
                _enriched(role, Policies=_wrapped("Policy", attached))
                for role, attached in zip(role_items, role_policies, strict=True)
            ]
            if roles
            else [],
            policies=self._policy_records([*user_policies, *group_policies, *role_policies]) if policies else [],
        )

    def test_connection(self) -> tuple[bool, str]:
        """Airflow's Test button: read the account (STS and RAM) and list one RAM user."""
        try:
            account = self.get_account()
            first_user = ListUsersRequest(max_items=1)
            self.call_json(RAM, None, generated_request(RamClient.list_users_with_options, first_user))
        except ProviderError as exc:
            return False, str(exc)
        return True, f"Connected to account {account['AccountId']} ({account['AccountAlias']}): may read RAM."

    def _members(self, group_name: str) -> list[Record]:
        return list(self.iter_users_for_group(group_name))

    @staticmethod
    def _listing(listing: Callable[[], Iterator[Record]], *, wanted: bool) -> Callable[[], list[Record]]:
        return (lambda: list(listing())) if wanted else list

    def _policy_records(self, attachments: list[list[Record]]) -> list[Record]:
        """One record per distinct attached policy, with its custom listing item and its default version."""
        first: dict[tuple[str, str], Record] = {}
        for policy in chain.from_iterable(attachments):
            key = (_text(policy, "PolicyType", "ListPoliciesFor*"), _text(policy, "PolicyName", "ListPoliciesFor*"))
            first.setdefault(key, policy)
        versioned = [key for key, policy in first.items() if policy.get("DefaultVersion")]
        calls: list[Callable[[], Any]] = [
            partial(self.get_policy_version, name, policy_type, first[(policy_type, name)]["DefaultVersion"])
            for policy_type, name in versioned
        ]
        has_custom = any(policy_type == CUSTOM for policy_type, _ in first)
        if has_custom:
            calls.append(lambda: list(self.iter_policies(CUSTOM)))
        answers = self.map_concurrently(call, calls)
        versions = dict(zip(versioned, answers[: len(versioned)], strict=True))
        custom = {policy.get("PolicyName"): policy for policy in answers[-1]} if has_custom else {}
        return [
            _enriched(
                policy,
                Policy=custom.get(name) if policy_type == CUSTOM else None,
                PolicyVersion=versions.get((policy_type, name)),
            )
            for (policy_type, name), policy in first.items()
        ]

    def _items(self, operation: Callable[..., Any], request: Any) -> list[Record]:
        sdk_request = generated_request(operation, request)
        body = self.call_json(RAM, None, sdk_request)
        return listed_items(body, "Policies.Policy", product=RAM, action=sdk_request.action, region_id=None)

    def _iter_listing(self, build: Callable[[str | None], SdkRequest], path: str) -> Iterator[Record]:
        """Yield the items of a ``Marker``/``IsTruncated`` listing under ``path``, page after page."""
        marker: str | None = None
        while True:
            sdk_request = build(marker)
            body = self.call_json(RAM, None, sdk_request)
            yield from listed_items(body, path, product=RAM, action=sdk_request.action, region_id=None)
            if not body.get("IsTruncated"):
                return
            next_marker = body.get("Marker")
            if not next_marker or next_marker == marker:
                raise AlibabaApiError(
                    f"RAM {sdk_request.action} (global) answered IsTruncated without a new Marker "
                    f"(after marker {marker!r}): the listing cannot go on",
                    request_id=body.get("RequestId"),
                    product=RAM.name,
                    action=sdk_request.action,
                )
            marker = next_marker


def _text(item: Record, key: str, action: str) -> str:
    """``item[key]``, which must be a non-empty string (a name that later calls are made with)."""
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise AlibabaApiError(
            f"RAM {action} (global) listed an item without a {key}: {item!r}", product=RAM.name, action=action
        )
    return value


def _wrapped(key: str, items: list[Record]) -> dict[str, list[Record]] | None:
    return {key: items} if items else None


def _enriched(item: Record, **enrichment: Any) -> Record:
    """``item`` with the enrichment keys that have something."""
    return {**item, **{key: value for key, value in enrichment.items() if value}}


def _devices_by_user(devices: list[Record]) -> dict[str, Record]:
    """Each user's virtual MFA device, by user name (a device not bound to a user is left out)."""
    by_user: dict[str, Record] = {}
    for device in devices:
        user = device.get("User")
        if isinstance(user, dict) and isinstance(user.get("UserName"), str):
            by_user.setdefault(user["UserName"], device)
    return by_user
