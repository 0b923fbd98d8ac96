"""RAM's users, groups, roles and policies, and how they are tied together: thread-safe state."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from alibaba_jupiterone.sandbox.alibaba.snapshots import json_copy

PrincipalType = Literal["User", "Group", "Role"]
PolicyType = Literal["System", "Custom"]
PolicyKey = tuple[str, str]
"""``(PolicyType, PolicyName)``: a policy's identity (a custom policy may share a system policy's name)."""

PLACEHOLDER_DOCUMENT = '{"Version": "1", "Statement": []}'
"""The document of a default version the directory had to make up (no version was given)."""

_NAME_KEYS: dict[str, str] = {"User": "UserName", "Group": "GroupName", "Role": "RoleName"}


@dataclass(frozen=True)
class PolicyAttachment:
    """A policy attached to a user, group or role (by name), and when."""

    principal_type: PrincipalType
    principal_name: str
    policy_type: PolicyType
    policy_name: str
    attach_date: str


@dataclass(frozen=True)
class GroupMembership:
    """A user in a group (both by name), since ``join_date``."""

    group_name: str
    user_name: str
    join_date: str


@dataclass
class RamDirectory:
    """What RAM serves, in its own answer shapes.

    - ``users``, ``groups``, ``roles``: ListUsers / ListGroups / ListRoles items, served as given;
    - ``policies``: ListPolicies items (``PolicyName``, ``PolicyType`` System or Custom,
      ``DefaultVersion``, ...); their ``AttachmentCount`` is always counted from ``attachments``;
    - ``policy_versions``: ``(PolicyType, PolicyName)`` -> GetPolicyVersion ``PolicyVersion`` items.
      A policy without any gets its default version, with :data:`PLACEHOLDER_DOCUMENT`;
    - ``attachments``, ``memberships``: what ListPoliciesFor* and ListUsersForGroup derive their
      items from (the policy's or user's fields, plus ``AttachDate``/``JoinDate``);
    - ``mfa_devices``: ListVirtualMFADevices items, each naming its user under ``User``.

    Every name an attachment, membership or device gives must be in the directory.
    """

    users: list[dict] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)
    roles: list[dict] = field(default_factory=list)
    policies: list[dict] = field(default_factory=list)
    policy_versions: dict[PolicyKey, list[dict]] = field(default_factory=dict)
    attachments: list[PolicyAttachment] = field(default_factory=list)
    memberships: list[GroupMembership] = field(default_factory=list)
    mfa_devices: list[dict] = field(default_factory=list)


class Directory:
    """A checked, thread-safe copy of a :class:`RamDirectory` that the RAM actions read.

    Records are replaced, never changed in place, so what a reader got stays valid.
    """

    def __init__(self, ram: RamDirectory) -> None:
        self._lock = threading.Lock()
        self._principals: dict[str, dict[str, dict]] = {
            "User": _by_name(ram.users, "UserName"),
            "Group": _by_name(ram.groups, "GroupName"),
            "Role": _by_name(ram.roles, "RoleName"),
        }
        self._policies = _policies_by_key(ram.policies)
        self._versions = _versions(ram.policy_versions, self._policies)
        self._attachments = list(ram.attachments)
        for attachment in self._attachments:
            self._check_attachment(attachment)
        if len(set(map(_attachment_key, self._attachments))) < len(self._attachments):
            raise ValueError("a policy is attached to the same principal twice")
        self._memberships = list(ram.memberships)
        for membership in self._memberships:
            try:
                self._check_membership(membership)
            except KeyError as error:
                raise ValueError(f"a group membership names an {error.args[0]}") from None
        if len({(m.group_name, m.user_name) for m in self._memberships}) < len(self._memberships):
            raise ValueError("a user is in the same group twice")
        self._mfa_devices: list[dict] = json_copy(list(ram.mfa_devices))
        for device in self._mfa_devices:
            user_name = (device.get("User") or {}).get("UserName")
            if user_name not in self._principals["User"]:
                raise ValueError(f"MFA device {device.get('SerialNumber')!r} names an unknown user {user_name!r}")

    def principals(self, principal_type: PrincipalType) -> list[dict]:
        """The ListUsers / ListGroups / ListRoles items, in order (not to be modified)."""
        with self._lock:
            return list(self._principals[principal_type].values())

    def get(self, principal_type: PrincipalType, name: str) -> dict | None:
        """The list item of the user, group or role ``name`` (not to be modified), if it exists."""
        with self._lock:
            return self._principals[principal_type].get(name)

    def policies(self, policy_type: str | None = None) -> list[dict]:
        """ListPolicies items (of ``policy_type`` only, if given) with their current ``AttachmentCount``."""
        with self._lock:
            counts: dict[PolicyKey, int] = {}
            for attachment in self._attachments:
                key = (attachment.policy_type, attachment.policy_name)
                counts[key] = counts.get(key, 0) + 1
            return [
                {**item, "AttachmentCount": counts.get(key, 0)}
                for key, item in self._policies.items()
                if policy_type in (None, key[0])
            ]

    def policies_for(self, principal_type: PrincipalType, name: str) -> list[dict] | None:
        """The ListPoliciesFor<principal_type> items of ``name``; ``None`` if there is no such principal."""
        with self._lock:
            if name not in self._principals[principal_type]:
                return None
            return [
                _attached_item(self._policies[(attachment.policy_type, attachment.policy_name)], attachment)
                for attachment in self._attachments
                if (attachment.principal_type, attachment.principal_name) == (principal_type, name)
            ]

    def users_for_group(self, group_name: str) -> list[dict] | None:
        """The ListUsersForGroup items of ``group_name``; ``None`` if there is no such group."""
        with self._lock:
            if group_name not in self._principals["Group"]:
                return None
            users = self._principals["User"]
            return [
                {
                    "UserName": membership.user_name,
                    "DisplayName": users[membership.user_name].get("DisplayName", ""),
                    "JoinDate": membership.join_date,
                }
                for membership in self._memberships
                if membership.group_name == group_name
            ]

    def policy_versions(self, policy_type: str, policy_name: str) -> list[dict] | None:
        """The versions of a policy (not to be modified); ``None`` if there is no such policy."""
        with self._lock:
            return self._versions.get((policy_type, policy_name))

    def mfa_devices(self) -> list[dict]:
        """The ListVirtualMFADevices items (not to be modified)."""
        with self._lock:
            return list(self._mfa_devices)

    def snapshot(self) -> RamDirectory:
        """A deep copy of the directory as it is now."""
        with self._lock:
            return RamDirectory(
                users=json_copy(list(self._principals["User"].values())),
                groups=json_copy(list(self._principals["Group"].values())),
                roles=json_copy(list(self._principals["Role"].values())),
                policies=json_copy(list(self._policies.values())),
                policy_versions={key: json_copy(versions) for key, versions in self._versions.items()},
                attachments=list(self._attachments),
                memberships=list(self._memberships),
                mfa_devices=json_copy(self._mfa_devices),
            )

    def add_membership(self, membership: GroupMembership) -> None:
        """Put a user in a group; ``KeyError`` for an unknown user or group, ``ValueError`` if already in."""
        with self._lock:
            self._check_membership(membership)
            pair = (membership.group_name, membership.user_name)
            if any((m.group_name, m.user_name) == pair for m in self._memberships):
                raise ValueError(f"user {membership.user_name!r} is already in group {membership.group_name!r}")
            self._memberships = [*self._memberships, membership]

    def remove_membership(self, group_name: str, user_name: str) -> None:
        """Take a user out of a group; ``KeyError`` if the user is not in it."""
        with self._lock:
            kept = [m for m in self._memberships if (m.group_name, m.user_name) != (group_name, user_name)]
            if len(kept) == len(self._memberships):
                raise KeyError(f"user {user_name!r} is not in group {group_name!r}")
            self._memberships = kept

    def remove_users(self, user_names: Iterable[str]) -> None:
        """Delete users with their memberships, attachments and MFA devices; ``KeyError`` if one is unknown."""
        doomed = set(user_names)
        with self._lock:
            users = self._principals["User"]
            unknown = doomed - set(users)
            if unknown:
                raise KeyError(f"unknown users: {sorted(unknown)}")
            self._principals["User"] = {name: item for name, item in users.items() if name not in doomed}
            self._memberships = [m for m in self._memberships if m.user_name not in doomed]
            self._attachments = [
                a for a in self._attachments if a.principal_type != "User" or a.principal_name not in doomed
            ]
            self._mfa_devices = [d for d in self._mfa_devices if d["User"]["UserName"] not in doomed]

    def _check_attachment(self, attachment: PolicyAttachment) -> None:
        if attachment.principal_type not in _NAME_KEYS:
            raise ValueError(f"unknown principal type {attachment.principal_type!r}; expected one of User, Group, Role")
        kind = attachment.principal_type.lower()
        policy = f"{attachment.policy_type}:{attachment.policy_name}"
        if attachment.principal_name not in self._principals[attachment.principal_type]:
            raise ValueError(f"policy {policy} is attached to an unknown {kind} {attachment.principal_name!r}")
        if (attachment.policy_type, attachment.policy_name) not in self._policies:
            raise ValueError(f"{kind} {attachment.principal_name!r} is attached an unknown policy {policy}")

    def _check_membership(self, membership: GroupMembership) -> None:
        if membership.group_name not in self._principals["Group"]:
            raise KeyError(f"unknown group {membership.group_name!r}")
        if membership.user_name not in self._principals["User"]:
            raise KeyError(f"unknown user {membership.user_name!r}")


def _by_name(items: Iterable[Mapping[str, Any]], key: str) -> dict[str, dict]:
    named: dict[str, dict] = {}
    for item in json_copy(list(items)):
        name = item.get(key) if isinstance(item, dict) else None
        if not name:
            raise ValueError(f"a RAM record without {key}: {item!r:.200}")
        if name in named:
            raise ValueError(f"{key} {name!r} is given twice")
        named[name] = item
    return named


def _policies_by_key(items: Iterable[Mapping[str, Any]]) -> dict[PolicyKey, dict]:
    policies: dict[PolicyKey, dict] = {}
    for item in json_copy(list(items)):
        missing = [key for key in ("PolicyName", "PolicyType", "DefaultVersion") if not item.get(key)]
        if missing:
            raise ValueError(f"a policy without {', '.join(missing)}: {item!r:.200}")
        if item["PolicyType"] not in get_args(PolicyType):
            name, kind = item["PolicyName"], item["PolicyType"]
            raise ValueError(f"policy {name!r} has PolicyType {kind!r}, not System or Custom")
        key = (item["PolicyType"], item["PolicyName"])
        if key in policies:
            raise ValueError(f"policy {key[0]}:{key[1]} is given twice")
        policies[key] = item
    return policies


def _versions(given: Mapping[PolicyKey, Iterable[Mapping[str, Any]]], policies: Mapping[PolicyKey, dict]) -> dict:
    unknown = set(given) - set(policies)
    if unknown:
        raise ValueError(f"versions of unknown policies: {sorted(f'{t}:{n}' for t, n in unknown)}")
    versions: dict[PolicyKey, list[dict]] = {}
    for key, policy in policies.items():
        listed = json_copy(list(given.get(key, ())))
        default = policy["DefaultVersion"]
        if not listed:
            listed = [_made_up_default_version(policy)]
        if default not in {version.get("VersionId") for version in listed}:
            raise ValueError(f"policy {key[0]}:{key[1]} has no version {default}, its DefaultVersion")
        versions[key] = listed
    return versions


def _made_up_default_version(policy: Mapping[str, Any]) -> dict:
    return {
        "VersionId": policy["DefaultVersion"],
        "IsDefaultVersion": True,
        "CreateDate": policy.get("CreateDate", ""),
        "PolicyDocument": PLACEHOLDER_DOCUMENT,
    }


def _attached_item(policy: Mapping[str, Any], attachment: PolicyAttachment) -> dict:
    """A ListPoliciesFor* item, field order as RAM answers."""
    return {
        "PolicyType": policy["PolicyType"],
        "Description": policy.get("Description", ""),
        "AttachDate": attachment.attach_date,
        "DefaultVersion": policy["DefaultVersion"],
        "PolicyName": policy["PolicyName"],
    }


def _attachment_key(attachment: PolicyAttachment) -> tuple[str, str, str, str]:
    return (attachment.principal_type, attachment.principal_name, attachment.policy_type, attachment.policy_name)
