"""DescribeInstances filters: request parameters turned into a predicate over instance records."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from alibaba_jupiterone.sandbox.alibaba.errors import GatewayError

Predicate = Callable[[Mapping[str, Any]], bool]

INSTANCE_STATUSES = frozenset({"Pending", "Running", "Starting", "Stopping", "Stopped"})
MAX_INSTANCE_IDS = 100
MAX_TAGS = 20
_EXACT_FIELDS: dict[str, tuple[str, ...]] = {
    "Status": ("Status",),
    "ZoneId": ("ZoneId",),
    "InstanceType": ("InstanceType",),
    "ResourceGroupId": ("ResourceGroupId",),
    "VpcId": ("VpcAttributes", "VpcId"),
    "VSwitchId": ("VpcAttributes", "VSwitchId"),
}
_TAG_PARAM = re.compile(r"Tag\.(\d+)\.(Key|Value)")


def instance_filter(params: Mapping[str, str]) -> Predicate | None:
    """The predicate every listed instance must satisfy, or ``None`` when nothing is filtered.

    Raises ``GatewayError`` (``InvalidParameter``) for a malformed filter.
    """
    checks: list[Predicate] = []
    if params.get("InstanceIds"):
        instance_ids = _instance_ids(params["InstanceIds"])
        if instance_ids:
            checks.append(lambda record: record.get("InstanceId") in instance_ids)
    if params.get("Status") and params["Status"] not in INSTANCE_STATUSES:
        raise GatewayError.invalid_parameter("Status")
    checks.extend(_equals(path, params[name]) for name, path in _EXACT_FIELDS.items() if params.get(name))
    if params.get("SecurityGroupId"):
        checks.append(_contains(("SecurityGroupIds", "SecurityGroupId"), params["SecurityGroupId"]))
    if params.get("InstanceName"):
        checks.append(_name_like(params["InstanceName"]))
    checks.extend(_has_tag(key, value) for key, value in _tags(params))
    if not checks:
        return None
    return lambda record: all(check(record) for check in checks)


def _dig(record: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = record
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _equals(path: Sequence[str], wanted: str) -> Predicate:
    return lambda record: _dig(record, path) == wanted


def _contains(path: Sequence[str], wanted: str) -> Predicate:
    return lambda record: wanted in (_dig(record, path) or ())


def _name_like(pattern: str) -> Predicate:
    regex = re.compile(".*".join(map(re.escape, pattern.split("*"))))
    return lambda record: regex.fullmatch(record.get("InstanceName") or "") is not None


def _has_tag(key: str, value: str | None) -> Predicate:
    def check(record: Mapping[str, Any]) -> bool:
        tags = {tag.get("TagKey"): tag.get("TagValue") for tag in _dig(record, ("Tags", "Tag")) or ()}
        return key in tags and value in (None, tags[key])

    return check


def _instance_ids(raw: str) -> set[str]:
    try:
        instance_ids = json.loads(raw)
    except ValueError:
        raise GatewayError.invalid_parameter("InstanceIds") from None
    if (
        not isinstance(instance_ids, list)
        or len(instance_ids) > MAX_INSTANCE_IDS
        or not all(isinstance(i, str) for i in instance_ids)
    ):
        raise GatewayError.invalid_parameter("InstanceIds")
    return set(instance_ids)


def _tags(params: Mapping[str, str]) -> list[tuple[str, str | None]]:
    """``Tag.N.Key``/``Tag.N.Value`` pairs, N from 1 to 20; a value needs its key."""
    keys: dict[int, str] = {}
    values: dict[int, str] = {}
    for name, value in params.items():
        match = _TAG_PARAM.fullmatch(name)
        if not match:
            continue
        n = int(match[1])
        if not 1 <= n <= MAX_TAGS:
            raise GatewayError.invalid_parameter(name)
        (keys if match[2] == "Key" else values)[n] = value
    for n in sorted(keys.keys() | values.keys()):
        if not keys.get(n):
            raise GatewayError.invalid_parameter(f"Tag.{n}.Key")
    return [(key, values.get(n)) for n, key in keys.items()]
