"""ECS instance records for the graph tests: read from recordings, or generated as the API could return them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from alibaba_jupiterone.errors import GraphObjectError
from alibaba_jupiterone.graph import ConversionOptions, DataModel
from alibaba_jupiterone.hooks.jupiterone_payload import prepare

OPTIONS = ConversionOptions(observed_on=1_714_000_000_000, account_name="Production", tag_with_account_name=True)


def recorded_listings(har: Path) -> Iterator[tuple[str, list[Any]]]:
    """``(region, instances)`` of each successful ECS DescribeInstances answer in a HAR recording."""
    for entry in json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]:
        query = {item["name"]: item["value"] for item in entry["request"].get("queryString", [])}
        if query.get("Action") == "DescribeInstances" and entry["response"]["status"] == 200:
            body = json.loads(entry["response"]["content"]["text"])
            yield query["RegionId"], body["Instances"]["Instance"]


def schema_errors(data_model: DataModel, entity: dict[str, Any]) -> list[str]:
    """The data model's complaints about ``entity``, one short line each.

    Also checks that the compiled check agrees: valid exactly when ``jsonschema`` finds nothing.
    """
    errors = [f"{entity.get('_key')} {error.json_path}: {error.message[:300]}" for error in data_model.errors(entity)]
    assert data_model.is_valid(entity) == (not errors), f"the compiled check disagrees with jsonschema: {errors}"
    return errors


def publishing_errors(entity: dict[str, Any]) -> list[str]:
    """How ``entity`` breaks the rules ``JupiterOneHook`` checks before an upload, or a value it must cut."""
    try:
        (prepared,) = prepare([entity], "entities", set())
    except GraphObjectError as error:
        return [str(error)]
    return [] if json.loads(prepared.body) == entity else [f"{entity['_key']}: a value longer than JupiterOne keeps"]


# What the API could return. Any field may be missing or null, any wrapper empty.
def _nullable(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


def _object(**fields: st.SearchStrategy) -> st.SearchStrategy:
    return st.fixed_dictionaries({}, optional={name: _nullable(value) for name, value in fields.items()})


def _wrapped(inner: str, items: st.SearchStrategy) -> st.SearchStrategy:
    """An API list wrapper such as ``{"IpAddress": [...]}``, or ``{}``, or ``{inner: null}``."""
    return st.lists(items, max_size=4).map(lambda found: {inner: found}) | st.sampled_from([{}, {inner: None}])


_short_text = st.text(max_size=12)
_long_text = st.builds(lambda part, count: part * count, st.text(min_size=1, max_size=3), st.integers(1400, 3000))
_text = _short_text | _long_text | st.sampled_from(["订单服务-生产", "数据库主库", "Ünïcödé host", ""])
_ipv4 = st.ip_addresses(v=4).map(str)
_ipv6 = st.ip_addresses(v=6).map(str)
_not_an_address = st.sampled_from(["", "172.17.**.**", "2408:4321:180:1701:94c7:bc38:3bfa:****", "fe80::1%eth0"])
_address = _ipv4 | _ipv6 | _not_an_address
_mac = st.binary(min_size=6, max_size=6).map(lambda octets: ":".join(f"{octet:02x}" for octet in octets))
_mac_address = _mac | _mac.map(str.upper) | st.just("00:16:3e:32:b4:**")
_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,12}[a-z0-9])?", fullmatch=True)
_fqdn = st.builds(
    lambda labels, tld: ".".join([*labels, tld]),
    st.lists(_label, min_size=1, max_size=4),
    st.from_regex(r"[a-z]{2,6}", fullmatch=True),
)
_host_name = st.one_of(
    st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9]", fullmatch=True),
    _fqdn,
    _text,
    st.sampled_from(["iZbp1h4adlltjc1d48goaqZ", "WIN-3J5LQ0KJ7VA", "web_1", "a", "-web-", "x.y", "a" * 64]),
)
_time = st.one_of(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)).map(
        lambda moment: moment.strftime("%Y-%m-%dT%H:%MZ")
    ),
    st.sampled_from(["", "2024-13-01T00:00Z", "2024-04-14T22:32:05Z", "yesterday"]),
)
_count = st.integers(min_value=-1, max_value=2**31)
_price = st.floats(min_value=0, max_value=100, allow_nan=False)
_tag_key = _short_text | st.sampled_from(
    ["acs:autoscaling:scalingGroupId", "kubernetes.io/cluster/prod", "项目", "Cost Center", "AccountName", "a\nb"]
)

_interface = st.fixed_dictionaries(
    {},
    optional={
        "NetworkInterfaceId": _nullable(st.from_regex(r"eni-[a-z0-9]{17}", fullmatch=True) | st.just("")),
        "Type": _nullable(st.sampled_from(["Primary", "Secondary"]) | _short_text),
        "MacAddress": _nullable(_mac_address),
        "PrimaryIpAddress": _nullable(_address),
        "PrivateIpSets": _wrapped(
            "PrivateIpSet", _object(PrivateIpAddress=_address, Primary=st.booleans(), PrivateDnsName=_host_name)
        ),
        "Ipv6Sets": _wrapped("Ipv6Set", _object(Ipv6Address=_ipv6 | _not_an_address)),
    },
)

_FIELDS = {
    "InstanceName": _text,
    "HostName": _host_name,
    "Description": _text,
    "RegionId": st.sampled_from(["cn-hangzhou", "us-east-1", "eu-central-1"]) | _short_text,
    "ZoneId": _short_text,
    "Status": st.sampled_from(["Pending", "Running", "Starting", "Stopping", "Stopped"]) | _short_text,
    "StoppedMode": st.sampled_from(["KeepCharging", "StopCharging", "Not-applicable"]),
    "InstanceType": st.sampled_from(["ecs.g7.large", "ecs.n1.tiny"]) | _short_text,
    "InstanceTypeFamily": _short_text,
    "Cpu": _count,
    "Memory": _count,
    "GPUAmount": _count,
    "GPUSpec": _short_text,
    "LocalStorageAmount": _count,
    "LocalStorageCapacity": _count,
    "ImageId": _text,
    "OSType": st.sampled_from(["linux", "windows", "Windows", "LINUX", "freebsd", ""]) | _short_text,
    "OSName": _text,
    "OSNameEn": _text,
    "SerialNumber": _text,
    "CreationTime": _time,
    "StartTime": _time,
    "ExpiredTime": _time,
    "AutoReleaseTime": _time,
    "InstanceChargeType": st.sampled_from(["PrePaid", "PostPaid"]) | _short_text,
    "SaleCycle": _short_text,
    "SpotStrategy": _short_text,
    "SpotPriceLimit": _price,
    "SpotDuration": _count,
    "InternetChargeType": _short_text,
    "InternetMaxBandwidthIn": _count,
    "InternetMaxBandwidthOut": _count,
    "InstanceNetworkType": st.sampled_from(["vpc", "classic"]),
    "IoOptimized": st.booleans(),
    "DeviceAvailable": st.booleans(),
    "DeletionProtection": st.booleans(),
    "Recyclable": st.booleans(),
    "KeyPairName": _text,
    "ResourceGroupId": _short_text,
    "CreditSpecification": _short_text,
    "DeploymentSetId": _short_text,
    "DeploymentSetGroupNo": _count,
    "HpcClusterId": _short_text,
    "ClusterId": _short_text,
    "VlanId": _short_text,
    "ISP": _short_text,
    "VpcAttributes": _object(
        VpcId=_short_text,
        VSwitchId=_short_text,
        NatIpAddress=_address,
        PrivateIpAddress=_wrapped("IpAddress", _address),
    ),
    "InnerIpAddress": _wrapped("IpAddress", _address),
    "PublicIpAddress": _wrapped("IpAddress", _address),
    "RdmaIpAddress": _wrapped("IpAddress", _address),
    "EipAddress": _object(AllocationId=_short_text, IpAddress=_address, Bandwidth=_count),
    "SecurityGroupIds": _wrapped("SecurityGroupId", _short_text),
    "Tags": _wrapped("Tag", _object(TagKey=_tag_key, TagValue=_text)),
    "OperationLocks": _wrapped(
        "LockReason",
        _object(LockReason=st.sampled_from(["financial", "security", "Recycling", ""]), LockMsg=_short_text),
    ),
    "NetworkInterfaces": _wrapped("NetworkInterface", _interface),
    "MetadataOptions": _object(HttpEndpoint=_short_text, HttpTokens=_short_text, HttpPutResponseHopLimit=_count),
    "CpuOptions": _object(CoreCount=_count, ThreadsPerCore=_count, Numa=_short_text),
    "HibernationOptions": _object(Configured=st.booleans()),
    "ImageOptions": _object(LoginAsNonRoot=st.booleans()),
    "DedicatedHostAttribute": _object(
        DedicatedHostId=_short_text, DedicatedHostName=_text, DedicatedHostClusterId=_short_text
    ),
    "DedicatedInstanceAttribute": _object(Affinity=_short_text, Tenancy=_short_text),
    "EcsCapacityReservationAttr": _object(CapacityReservationId=_short_text, CapacityReservationPreference=_short_text),
}

instance_records = st.fixed_dictionaries(
    {"InstanceId": st.from_regex(r"i-[a-z0-9]{10,20}(\*{4})?", fullmatch=True)},
    optional={name: _nullable(value) for name, value in _FIELDS.items()},
)
"""Instance records as DescribeInstances could return them: any field missing or null, any wrapper empty."""
