"""Raw records read from the HAR recordings of real Alibaba Cloud traffic, composed as the hooks compose them.

Each record type follows the records contract: the listed item at the top level, what other calls
added under its enrichment key (absent when they added nothing). Only the answers a recording holds
are used: a call it did not record (ListVirtualMFADevices, GetPolicyVersion, ...) adds nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alibaba_jupiterone.graph import (
    ACCOUNT,
    ECS_INSTANCE,
    RAM_GROUP,
    RAM_POLICY,
    RAM_ROLE,
    RAM_USER,
    RESOURCE_TYPES,
    VPC,
    ConversionOptions,
    Link,
)

RECORDING_ACCOUNT_ID = "5481250658564201"
"""The account the recordings were made in (GetCallerIdentity was not recorded; the test of this module
finds it in the VPCs' ``OwnerId`` and the roles' ARNs)."""


@dataclass(frozen=True)
class Answer:
    """One successful call of a recording: its action, its query parameters and the JSON body of its answer."""

    action: str
    query: dict[str, str]
    body: dict[str, Any]


@dataclass(frozen=True)
class Recording:
    """The successful answers of one HAR recording, in the order they were recorded."""

    name: str
    answers: tuple[Answer, ...]

    @classmethod
    def read(cls, har: Path, *, skip: Iterable[int] = ()) -> Recording:
        """The answers of ``har`` but for the entries numbered in ``skip``."""
        left_out = set(skip)
        answers = []
        for number, entry in enumerate(json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]):
            headers = {header["name"].lower(): header["value"] for header in entry["request"]["headers"]}
            if number in left_out or entry["response"]["status"] != 200 or "x-acs-action" not in headers:
                continue
            query = {item["name"]: item["value"] for item in entry["request"].get("queryString", [])}
            answers.append(Answer(headers["x-acs-action"], query, json.loads(entry["response"]["content"]["text"])))
        return cls(har.stem, tuple(answers))

    @classmethod
    def as_the_reference_read_it(cls, har: Path, reference: dict[str, Any]) -> Recording:
        """The answers of ``har`` that the reference integration used, per its ``unusedRecordedEntries``."""
        unused = (re.search(r"#(\d+) ", entry) for entry in reference["unusedRecordedEntries"])
        return cls.read(har, skip=(int(match.group(1)) for match in unused if match))

    def of(self, action: str) -> Iterator[Answer]:
        """The answers to ``action``."""
        return (answer for answer in self.answers if answer.action == action)

    def by_query(self, action: str, parameter: str) -> dict[str, dict[str, Any]]:
        """The bodies of the answers to ``action`` by the value of their query ``parameter``."""
        return {answer.query[parameter]: answer.body for answer in self.of(action)}

    def records(self, account_id: str = RECORDING_ACCOUNT_ID) -> dict[str, list[dict[str, Any]]]:
        """``_type`` -> the records this recording gives, for each type it holds the listing of."""
        users = self._listed("ListUsers", "Users", "User")
        groups = self._listed("ListGroups", "Groups", "Group")
        roles = self._listed("ListRoles", "Roles", "Role")
        found = {
            ACCOUNT.type: self._accounts(account_id),
            VPC.type: self._vpcs(),
            RAM_USER.type: [self._user(user) for user in users],
            RAM_GROUP.type: [self._group(group) for group in groups],
            RAM_ROLE.type: [self._role(role) for role in roles],
            RAM_POLICY.type: self._policies(users, groups, roles),
            ECS_INSTANCE.type: self._listed("DescribeInstances", "Instances", "Instance"),
        }
        return {type_name: records for type_name, records in found.items() if records}

    def _listed(self, action: str, wrapper: str, item: str) -> list[dict[str, Any]]:
        return [record for answer in self.of(action) for record in answer.body[wrapper][item]]

    def _accounts(self, account_id: str) -> list[dict[str, Any]]:
        caller = next(self.of("GetCallerIdentity"), None)
        return [
            {
                "AccountId": caller.body["AccountId"] if caller else account_id,
                "AccountAlias": alias.body["AccountAlias"],
            }
            for alias in self.of("GetAccountAlias")
        ]

    def _vpcs(self) -> list[dict[str, Any]]:
        attributes = self.by_query("DescribeVpcAttribute", "VpcId")
        vpcs = []
        for vpc in self._listed("DescribeVpcs", "Vpcs", "Vpc"):
            attribute = {name: value for name, value in attributes.get(vpc["VpcId"], {}).items() if name != "RequestId"}
            vpcs.append({**vpc, **attribute})
        return vpcs

    def _user(self, user: dict[str, Any]) -> dict[str, Any]:
        devices = [
            device
            for answer in self.of("ListVirtualMFADevices")
            for device in answer.body["VirtualMFADevices"]["VirtualMFADevice"]
            if device.get("User", {}).get("UserName") == user["UserName"]
        ]
        record = {**user, **({"VirtualMFADevice": devices[0]} if devices else {})}
        return record | self._enrichment("Policies", "Policy", "ListPoliciesForUser", "UserName", user["UserName"])

    def _group(self, group: dict[str, Any]) -> dict[str, Any]:
        name = group["GroupName"]
        return (
            group
            | self._enrichment("Users", "User", "ListUsersForGroup", "GroupName", name)
            | self._enrichment("Policies", "Policy", "ListPoliciesForGroup", "GroupName", name)
        )

    def _role(self, role: dict[str, Any]) -> dict[str, Any]:
        return role | self._enrichment("Policies", "Policy", "ListPoliciesForRole", "RoleName", role["RoleName"])

    def _enrichment(self, wrapper: str, item: str, action: str, parameter: str, value: str) -> dict[str, Any]:
        """``{wrapper: {item: [...]}}`` from the answer to ``action`` for ``parameter=value``, or ``{}``."""
        body = self.by_query(action, parameter).get(value)
        found = body[wrapper][item] if body else []
        return {wrapper: {item: found}} if found else {}

    def _policies(
        self, users: list[dict[str, Any]], groups: list[dict[str, Any]], roles: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """One record per attached policy: the item of its first attachment (users, groups, roles, each in order)."""
        attached = [
            policy
            for principals, action, parameter, name in (
                (users, "ListPoliciesForUser", "UserName", "UserName"),
                (groups, "ListPoliciesForGroup", "GroupName", "GroupName"),
                (roles, "ListPoliciesForRole", "RoleName", "RoleName"),
            )
            for principal in principals
            for policy in self._enrichment("Policies", "Policy", action, parameter, principal[name])
            .get("Policies", {})
            .get("Policy", [])
        ]
        custom = {
            policy["PolicyName"]: policy
            for answer in self.of("ListPolicies")
            for policy in answer.body["Policies"]["Policy"]
        }
        versions = {
            (answer.query["PolicyName"], answer.query["VersionId"]): answer.body["PolicyVersion"]
            for answer in self.of("GetPolicyVersion")
        }
        records: dict[str, dict[str, Any]] = {}
        for policy in attached:
            if policy["PolicyName"] in records:
                continue
            record = dict(policy)
            if policy["PolicyName"] in custom:
                record["Policy"] = custom[policy["PolicyName"]]
            version = versions.get((policy["PolicyName"], policy.get("DefaultVersion")))
            if version is not None:
                record["PolicyVersion"] = version
            records[policy["PolicyName"]] = record
        return list(records.values())


def synced(
    records: dict[str, list[dict[str, Any]]], options: ConversionOptions
) -> tuple[dict[str, dict[str, Any]], list[Link]]:
    """Every entity by ``_key``, and the links whose other end is one of them, as a sync makes them.

    The types go in the registry's order, so the other end of a link is known when the link comes;
    the account's own links to every other entity are not made here.
    """
    entities: dict[str, dict[str, Any]] = {}
    keys: dict[str, set[str]] = {}
    links: list[Link] = []
    for resource in RESOURCE_TYPES:
        for position, record in enumerate(records.get(resource.type, [])):
            entity = resource.to_entity(record, options, position=position)
            entities[entity["_key"]] = entity
            keys.setdefault(resource.type, set()).add(entity["_key"])
            for link in resource.links(record, entity["_key"], position=position):
                other_type, other_key = link.other_end(resource.type)
                if other_key in keys.get(other_type, ()):
                    links.append(link)
    return entities, links
