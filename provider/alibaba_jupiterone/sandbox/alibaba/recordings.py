"""Load what the sandbox serves from recorded traffic (HAR) and JSON files.

Accepted files (JSON, told apart by their shape):

- a HAR recording: each successful call of a served product (by ``x-acs-version``/``Version``)
  gives records: ECS DescribeRegions / DescribeInstances; VPC DescribeRegions / DescribeVpcs /
  DescribeVpcAttribute; RAM ListUsers / ListGroups / ListRoles / ListUsersForGroup /
  ListPoliciesFor{User,Group,Role} / ListPolicies / GetPolicyVersion / ListVirtualMFADevices /
  GetAccountAlias; STS GetCallerIdentity. Other calls, other products and non-200 answers are skipped;
- a DescribeInstances body ``{"Instances": {"Instance": [...]}}`` or a plain list of instance records,
  each filed under its own ``RegionId``;
- an ECS DescribeRegions body ``{"Regions": {"Region": [...]}}``.

Records are kept exactly as recorded, so that a replay answers the recorded items.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, NamedTuple

from alibaba_jupiterone.sandbox.alibaba.ecs.actions import API_VERSION as ECS_VERSION
from alibaba_jupiterone.sandbox.alibaba.ram.actions import API_VERSION as RAM_VERSION
from alibaba_jupiterone.sandbox.alibaba.ram.directory import (
    GroupMembership,
    PolicyAttachment,
    PrincipalType,
    RamDirectory,
)
from alibaba_jupiterone.sandbox.alibaba.sts.actions import API_VERSION as STS_VERSION
from alibaba_jupiterone.sandbox.alibaba.vpc.actions import API_VERSION as VPC_VERSION

_PRINCIPAL_PARAMS = {"User": "UserName", "Group": "GroupName", "Role": "RoleName"}


class _Call(NamedTuple):
    """One successful recorded call: API version, action, request parameters and the answer's body."""

    version: str
    action: str
    params: dict[str, str]
    body: dict


def load_fleet(*paths: str | PathLike) -> tuple[list[dict] | None, dict[str, list[dict]]]:
    """Return ECS ``(regions or None, instances_by_region)`` read from HAR recordings or JSON files.

    Several files merge: instances are appended per region and region lists are joined (the first
    occurrence of a ``RegionId`` wins). ``regions`` is ``None`` when no file holds a region list. A file
    of an unknown shape, or an ``InstanceId`` met twice, raises ``ValueError`` naming the file.
    """
    recorded = _read_all(paths)
    return recorded.regions, recorded.instances


def load_world(*paths: str | PathLike) -> dict[str, Any]:
    """The sandbox constructor's world arguments for what HAR recordings or JSON files hold.

    Only the parts some file holds are returned (``regions``, ``instances``, ``vpc_regions``,
    ``vpcs``, ``vpc_attributes``, ``ram``, ``account``). ECS merges as :func:`load_fleet` says; a
    VPC, RAM record or region met again is skipped (the first wins). RAM attachments and
    memberships come from the ListPoliciesFor* and ListUsersForGroup calls (``ListEntitiesForPolicy``
    is not read); a policy known only from those gets its default version made up. The account id
    is GetCallerIdentity's, else the one in role ARNs, else the VPCs' ``OwnerId``, else an all-digit
    alias (what GetAccountAlias answers for an account without one); the alias is GetAccountAlias'.
    """
    recorded = _read_all(paths)
    world: dict[str, Any] = {"instances": recorded.instances}
    if recorded.regions is not None:
        world["regions"] = recorded.regions
    if recorded.vpc_regions is not None:
        world["vpc_regions"] = recorded.vpc_regions
    if recorded.vpcs:
        world["vpcs"] = {region_id: list(items.values()) for region_id, items in recorded.vpcs.items()}
        world["vpc_attributes"] = recorded.vpc_attributes
    if recorded.has_ram:
        world["ram"] = recorded.directory()
    account = recorded.account()
    if account:
        world["account"] = account
    return world


@dataclass
class _Recorded:
    """Everything read so far, keyed so that a record met again is recognised."""

    regions: list[dict] | None = None
    instances: dict[str, list[dict]] = field(default_factory=dict)
    instance_files: dict[str, Path] = field(default_factory=dict)
    vpc_regions: list[dict] | None = None
    vpcs: dict[str, dict[str, dict]] = field(default_factory=dict)
    vpc_attributes: dict[str, dict] = field(default_factory=dict)
    principals: dict[str, dict[str, dict]] = field(default_factory=lambda: {kind: {} for kind in _PRINCIPAL_PARAMS})
    listed_policies: dict[tuple[str, str], dict] = field(default_factory=dict)
    attached_policies: dict[tuple[str, str], dict] = field(default_factory=dict)
    versions: dict[tuple[str, str], dict[str, dict]] = field(default_factory=dict)
    attachments: dict[tuple[str, str, str, str], PolicyAttachment] = field(default_factory=dict)
    memberships: dict[tuple[str, str], GroupMembership] = field(default_factory=dict)
    mfa_devices: dict[str, dict] = field(default_factory=dict)
    account_id: str | None = None
    alias: str | None = None
    has_ram: bool = False

    def add_instances(self, region_id: str, records: list, path: Path) -> None:
        for record in records:
            if not isinstance(record, dict) or "InstanceId" not in record:
                raise ValueError(f"{path}: an instance record without InstanceId: {record!r:.200}")
            instance_id = record["InstanceId"]
            if instance_id in self.instance_files:
                raise ValueError(
                    f"{path}: instance {instance_id} was already loaded from {self.instance_files[instance_id]}"
                )
            self.instance_files[instance_id] = path
        self.instances.setdefault(region_id, []).extend(records)

    def directory(self) -> RamDirectory:
        policies = {**self.attached_policies, **self.listed_policies}
        return RamDirectory(
            users=list(self.principals["User"].values()),
            groups=list(self.principals["Group"].values()),
            roles=list(self.principals["Role"].values()),
            policies=list(policies.values()),
            policy_versions={key: list(versions.values()) for key, versions in self.versions.items()},
            attachments=list(self.attachments.values()),
            memberships=list(self.memberships.values()),
            mfa_devices=list(self.mfa_devices.values()),
        )

    def account(self) -> dict[str, str]:
        account_id = self.account_id or self._account_id_from_records()
        account = {"AccountId": account_id} if account_id else {}
        if self.alias:
            account["AccountAlias"] = self.alias
        return account

    def _account_id_from_records(self) -> str | None:
        for role in self.principals["Role"].values():
            arn = str(role.get("Arn", ""))
            if arn.startswith("acs:ram::"):
                return arn.split(":")[3]
        for items in self.vpcs.values():
            for item in items.values():
                if item.get("OwnerId"):
                    return str(item["OwnerId"])
        # GetAccountAlias answers the account id when no alias is set
        if self.alias and self.alias.isdigit():
            return self.alias
        return None


def _read_all(paths: tuple[str | PathLike, ...]) -> _Recorded:
    recorded = _Recorded()
    for path in map(Path, paths):
        _read(path, recorded)
    return recorded


def _read(path: Path, recorded: _Recorded) -> None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not JSON ({error})") from error
    if isinstance(document, list):
        _file_by_region(document, path, recorded)
        return
    if isinstance(document, dict):
        if isinstance(document.get("log"), dict) and "entries" in document["log"]:
            for call in _har_calls(document["log"]["entries"]):
                _take(call, path, recorded)
            return
        if isinstance(document.get("Instances"), dict):
            _file_by_region(document["Instances"].get("Instance", []), path, recorded)
            return
        if isinstance(document.get("Regions"), dict):
            recorded.regions = _join_regions(recorded.regions, document["Regions"].get("Region", []))
            return
    raise ValueError(
        f"{path}: neither a HAR recording, a DescribeInstances or DescribeRegions body, nor a list of instances"
    )


def _har_calls(entries: list[dict]) -> Iterator[_Call]:
    """Every successful call that names its API."""
    for entry in entries:
        request, response = entry["request"], entry["response"]
        params = {pair["name"]: pair["value"] for pair in request.get("queryString", [])}
        headers = {header["name"].lower(): header["value"] for header in request.get("headers", [])}
        action = params.get("Action") or headers.get("x-acs-action")
        version = params.get("Version") or headers.get("x-acs-version")
        if response["status"] == 200 and action and version:
            yield _Call(version, action, params, json.loads(response["content"]["text"]))


def _take(call: _Call, path: Path, recorded: _Recorded) -> None:
    """File one recorded answer; other products (ALB, ESS, OSS, NAT...) share action names, hence the version."""
    if call.version == ECS_VERSION and call.action == "DescribeRegions":
        recorded.regions = _join_regions(recorded.regions, call.body["Regions"]["Region"])
    elif call.version == ECS_VERSION and call.action == "DescribeInstances":
        recorded.add_instances(call.params["RegionId"], call.body["Instances"]["Instance"], path)
    elif call.version == STS_VERSION and call.action == "GetCallerIdentity":
        recorded.account_id = recorded.account_id or str(call.body["AccountId"])
    elif call.version == RAM_VERSION and call.action == "GetAccountAlias":
        recorded.alias = recorded.alias or call.body["AccountAlias"]
    elif call.version == VPC_VERSION and call.action in _VPC_TAKERS:
        _VPC_TAKERS[call.action](call, recorded)
    elif call.version == RAM_VERSION and call.action in _RAM_TAKERS:
        _RAM_TAKERS[call.action](call, recorded)
        recorded.has_ram = True


def _vpc_regions(call: _Call, recorded: _Recorded) -> None:
    recorded.vpc_regions = _join_regions(recorded.vpc_regions, call.body["Regions"]["Region"])


def _vpcs(call: _Call, recorded: _Recorded) -> None:
    items = recorded.vpcs.setdefault(call.params["RegionId"], {})
    for item in call.body["Vpcs"]["Vpc"]:
        items.setdefault(item["VpcId"], item)


def _vpc_attribute(call: _Call, recorded: _Recorded) -> None:
    attribute = {key: value for key, value in call.body.items() if key != "RequestId"}
    recorded.vpc_attributes.setdefault(call.params["VpcId"], attribute)


def _principals(kind: str, container: str) -> Callable[[_Call, _Recorded], None]:
    def take(call: _Call, recorded: _Recorded) -> None:
        named = recorded.principals[kind]
        for item in call.body[container][kind]:
            named.setdefault(item[_PRINCIPAL_PARAMS[kind]], item)

    return take


def _attached(kind: PrincipalType) -> Callable[[_Call, _Recorded], None]:
    def take(call: _Call, recorded: _Recorded) -> None:
        principal_name = call.params[_PRINCIPAL_PARAMS[kind]]
        for item in call.body["Policies"]["Policy"]:
            key = (item["PolicyType"], item["PolicyName"])
            recorded.attached_policies.setdefault(key, {k: v for k, v in item.items() if k != "AttachDate"})
            attachment = PolicyAttachment(kind, principal_name, *key, item["AttachDate"])
            recorded.attachments.setdefault((kind, principal_name, *key), attachment)

    return take


def _members(call: _Call, recorded: _Recorded) -> None:
    for item in call.body["Users"]["User"]:
        membership = GroupMembership(call.params["GroupName"], item["UserName"], item["JoinDate"])
        recorded.memberships.setdefault((membership.group_name, membership.user_name), membership)


def _listed_policies(call: _Call, recorded: _Recorded) -> None:
    for item in call.body["Policies"]["Policy"]:
        recorded.listed_policies.setdefault((item["PolicyType"], item["PolicyName"]), item)


def _policy_version(call: _Call, recorded: _Recorded) -> None:
    version = call.body["PolicyVersion"]
    versions = recorded.versions.setdefault((call.params["PolicyType"], call.params["PolicyName"]), {})
    versions.setdefault(version["VersionId"], version)


def _mfa_devices(call: _Call, recorded: _Recorded) -> None:
    for item in call.body["VirtualMFADevices"]["VirtualMFADevice"]:
        recorded.mfa_devices.setdefault(item["SerialNumber"], item)


_VPC_TAKERS: dict[str, Callable[[_Call, _Recorded], None]] = {
    "DescribeRegions": _vpc_regions,
    "DescribeVpcs": _vpcs,
    "DescribeVpcAttribute": _vpc_attribute,
}
_RAM_TAKERS: dict[str, Callable[[_Call, _Recorded], None]] = {
    "ListUsers": _principals("User", "Users"),
    "ListGroups": _principals("Group", "Groups"),
    "ListRoles": _principals("Role", "Roles"),
    "ListPoliciesForUser": _attached("User"),
    "ListPoliciesForGroup": _attached("Group"),
    "ListPoliciesForRole": _attached("Role"),
    "ListUsersForGroup": _members,
    "ListPolicies": _listed_policies,
    "GetPolicyVersion": _policy_version,
    "ListVirtualMFADevices": _mfa_devices,
}


def _file_by_region(records: list, path: Path, recorded: _Recorded) -> None:
    by_region: dict[str, list[dict]] = {}
    for record in records:
        if not isinstance(record, dict) or "InstanceId" not in record:
            raise ValueError(f"{path}: an instance record without InstanceId: {record!r:.200}")
        if "RegionId" not in record:
            raise ValueError(f"{path}: instance {record['InstanceId']} has no RegionId")
        by_region.setdefault(record["RegionId"], []).append(record)
    for region_id, region_records in by_region.items():
        recorded.add_instances(region_id, region_records, path)


def _join_regions(regions: list[dict] | None, more: list[dict]) -> list[dict]:
    regions = regions or []
    known = {region["RegionId"] for region in regions}
    return regions + [region for region in more if region["RegionId"] not in known]
