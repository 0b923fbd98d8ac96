"""ECS instance -> the properties of an ``alibaba_cloud_ecs_instance`` entity (a ``Host``).

The source is one item of DescribeInstances ``Instances.Instance[]``, as the API returns it. The
sections below follow the tables of the entity's contract: identity, kept from JupiterOne's own
integration (same name, same value; absent or null fields are left out, ``""``, ``0``, ``false``
and ``[]`` kept), corrections of that integration, and additions for the data model. ``_key``,
``_type``, ``_class``, ``tag.AccountName`` and ``_rawData`` are added by the registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from alibaba_jupiterone.graph import vpc
from alibaba_jupiterone.graph.keys import KeyRule
from alibaba_jupiterone.graph.options import ConversionOptions
from alibaba_jupiterone.graph.properties import (
    FQDN,
    HOSTNAME,
    MAC_ADDRESS,
    dig,
    epoch_ms,
    ip_addresses,
    items,
    tag_property,
    texts,
    unique_or_none,
)
from alibaba_jupiterone.graph.relationships import VPC_HAS_ECS_INSTANCE, Link

KEY = KeyRule("InstanceId")
"""The instance id, with no prefix, as JupiterOne's own integration keys instances."""

# Kept: the fields whose property is their own name in camelCase.
SAME_NAMED = (
    "SerialNumber",
    "DeploymentSetId",
    "KeyPairName",
    "SaleCycle",
    "SpotStrategy",
    "DeviceAvailable",
    "LocalStorageCapacity",
    "Description",
    "SpotDuration",
    "InstanceNetworkType",
    "HpcClusterId",
    "SpotPriceLimit",
    "Memory",
    "DeploymentSetGroupNo",
    "ImageId",
    "VlanId",
    "ClusterId",
    "DeletionProtection",
    "StoppedMode",
    "InternetMaxBandwidthOut",
    "InternetMaxBandwidthIn",
    "InstanceChargeType",
    "IoOptimized",
    "Cpu",
    "LocalStorageAmount",
    "ResourceGroupId",
    "InternetChargeType",
    "ZoneId",
    "Recyclable",
    "CreditSpecification",
    "InstanceTypeFamily",
)

# Kept: property -> its path in the record. ``hostname`` and ``osType`` are kept names too, with the
# values the data model requires (see the corrections and the additions).
KEPT: dict[str, tuple[str, ...]] = {
    "instanceId": ("InstanceId",),
    "instanceType": ("InstanceType",),
    "region": ("RegionId",),
    "publicIpAddress": ("PublicIpAddress", "IpAddress"),
    "state": ("Status",),
    "osDetails": ("OSNameEn",),
    "osNameEn": ("OSNameEn",),
    "creationTime": ("CreationTime",),
    "startTime": ("StartTime",),
    "expiredTime": ("ExpiredTime",),
    "autoReleaseTime": ("AutoReleaseTime",),
    **{field[0].lower() + field[1:]: (field,) for field in SAME_NAMED},
    "gpuSpec": ("GPUSpec",),
    "gpuAmount": ("GPUAmount",),
    "isp": ("ISP",),
    "rdmaIpAddress": ("RdmaIpAddress", "IpAddress"),
    "innerIpAddress": ("InnerIpAddress", "IpAddress"),
    "securityGroupIds": ("SecurityGroupIds", "SecurityGroupId"),
    "vpcId": ("VpcAttributes", "VpcId"),
    "vpcNatIpAddress": ("VpcAttributes", "NatIpAddress"),
    "vpcVSwitchId": ("VpcAttributes", "VSwitchId"),
    "vpcPrivateIpAddress": ("VpcAttributes", "PrivateIpAddress", "IpAddress"),
    "eipAddress": ("EipAddress", "IpAddress"),
    "hibernationOptionsConfigured": ("HibernationOptions", "Configured"),
    "dedicatedHostId": ("DedicatedHostAttribute", "DedicatedHostId"),
    "dedicatedHostName": ("DedicatedHostAttribute", "DedicatedHostName"),
    "dedicatedHostClusterId": ("DedicatedHostAttribute", "DedicatedHostClusterId"),
    "ecsCapacityReservationPreference": ("EcsCapacityReservationAttr", "CapacityReservationPreference"),
    "ecsCapacityReservationId": ("EcsCapacityReservationAttr", "CapacityReservationId"),
    "dedicatedInstanceAffinity": ("DedicatedInstanceAttribute", "Affinity"),
    "dedicatedInstanceTenancy": ("DedicatedInstanceAttribute", "Tenancy"),
    "cpuCoreCount": ("CpuOptions", "CoreCount"),
    "cpuThreadsPerCore": ("CpuOptions", "ThreadsPerCore"),
    "httpEndpoint": ("MetadataOptions", "HttpEndpoint"),
    "httpPutResponseHopLimit": ("MetadataOptions", "HttpPutResponseHopLimit"),
    "httpTokens": ("MetadataOptions", "HttpTokens"),
    # correction: the reference named this flag "loginAsRoot", the opposite of what it holds
    "loginAsNonRoot": ("ImageOptions", "LoginAsNonRoot"),
}

_KEPT_PATHS = tuple((name, first, tuple(rest)) for name, (first, *rest) in KEPT.items())
""":data:`KEPT` as ``(property, first field, the fields under it)``, read without :func:`dig` (it is hot)."""

# Correction: the data model's Host status for each ECS Status (any operation lock makes it "locked").
HOST_STATUS = {
    "Pending": "pending",
    "Running": "deployed",
    "Starting": "deployed",
    "Stopping": "deployed",
    "Stopped": "deployed",
}

HOST_OS_TYPES = frozenset(
    ("darwin", "linux", "unix", "windows", "android", "ios", "chromeos", "legacy", "embedded", "other")
)
"""The data model's ``osType`` values."""

CONSOLE_LINK = "https://ecs.console.aliyun.com/server/{instance_id}/detail?regionId={region_id}"


def convert(record: dict[str, Any], options: ConversionOptions) -> dict[str, Any]:
    """The properties of the entity for one ECS instance record (which has a string ``InstanceId``)."""
    interfaces = items(record, "NetworkInterfaces", "NetworkInterface")
    properties = {
        **_identity(record),
        **_kept(record, interfaces),
        **_corrections(record),
        **_additions(record, interfaces or [], options),
    }
    properties.setdefault("osDetails", None)  # kept, and required by the data model: null when absent
    return properties


def links(record: dict[str, Any], key: str) -> Iterator[Link]:
    """The instance's VPC, when it is in one, HAS it."""
    vpc_id = dig(record, "VpcAttributes", "VpcId")
    if vpc_id:  # "" for an instance of the classic network
        yield Link(VPC_HAS_ECS_INSTANCE, vpc.KEY.key_for(vpc_id), key)


def _identity(record: dict[str, Any]) -> dict[str, Any]:
    name = record.get("InstanceName") or record["InstanceId"]
    return {"name": name, "displayName": name, "instanceName": name}


def _kept(record: dict[str, Any], interfaces: list[dict[str, Any]] | None) -> dict[str, Any]:
    kept = {}
    get = record.get
    for name, first, rest in _KEPT_PATHS:
        value = get(first)
        if rest:
            for part in rest:
                value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            kept[name] = value
    if interfaces is not None:
        kept["networkInterfaceIds"] = [
            interface["NetworkInterfaceId"] for interface in interfaces if interface.get("NetworkInterfaceId")
        ]
        primary = next((interface for interface in interfaces if interface.get("Type") == "Primary"), {})
        primary_ip = next(
            (ip for ip in items(primary, "PrivateIpSets", "PrivateIpSet") or () if ip.get("Primary") is True), {}
        )
        for name, value in (
            ("privateIpAddress", primary_ip.get("PrivateIpAddress")),
            ("ipAddress", primary.get("PrimaryIpAddress")),
            ("macAddress", primary.get("MacAddress")),
        ):
            if value is not None:
                kept[name] = value
    locks = items(record, "OperationLocks", "LockReason")
    if locks is not None:
        kept["operationLocks"] = [lock["LockReason"] for lock in locks if lock.get("LockReason") is not None]
    tags = items(record, "Tags", "Tag")
    if tags is not None:
        kept["tagKeys"] = [_text(tag.get("TagKey")) for tag in tags]
        kept["tagValues"] = [_text(tag.get("TagValue")) for tag in tags]
    return kept


def _corrections(record: dict[str, Any]) -> dict[str, Any]:
    locked = any(lock.get("LockReason") for lock in items(record, "OperationLocks", "LockReason") or ())
    return {
        "status": "locked" if locked else HOST_STATUS.get(record.get("Status"), "unknown"),
        "osName": record.get("OSNameEn") or record.get("OSName") or None,
        "hostname": _hostname(record.get("HostName")),
    }


def _additions(record: dict[str, Any], interfaces: list[dict[str, Any]], options: ConversionOptions) -> dict[str, Any]:
    additions = {
        "active": record.get("Status") == "Running",
        "lastSeenOn": options.observed_on,
        **_tags(record),
        "category": "server",
        "make": "Alibaba Cloud",
        "model": record.get("InstanceType"),
        "serial": record.get("SerialNumber") or None,
        **_network(record, interfaces),
        "osType": _os_type(record.get("OSType")),
        "osVersion": None,
        "deviceId": None,
    }
    region_id = record.get("RegionId")
    if isinstance(region_id, str) and region_id:
        additions["webLink"] = CONSOLE_LINK.format(
            instance_id=quote(record["InstanceId"], safe=""), region_id=quote(region_id, safe="")
        )
    created_on = epoch_ms(record.get("CreationTime"))
    if created_on is not None:
        additions["createdOn"] = created_on
    expires_on = epoch_ms(record.get("ExpiredTime"))
    if expires_on is not None and record.get("InstanceChargeType") == "PrePaid":
        additions["expiresOn"] = expires_on
    return additions


def _network(record: dict[str, Any], interfaces: list[dict[str, Any]]) -> dict[str, Any]:
    """The data model's address lists, each of valid values only, and whether the instance is public."""
    ip_sets = [ip for interface in interfaces for ip in items(interface, "PrivateIpSets", "PrivateIpSet") or ()]
    # every address but the public one and the EIP is the instance's own, private, address
    private = ip_addresses(
        [
            *[address for interface in interfaces for address in texts(interface.get("PrimaryIpAddress"))],
            *[address for ip in ip_sets for address in texts(ip.get("PrivateIpAddress"))],
            *texts(dig(record, "VpcAttributes", "PrivateIpAddress", "IpAddress")),
            *texts(dig(record, "VpcAttributes", "NatIpAddress")),
            *texts(dig(record, "InnerIpAddress", "IpAddress")),
            *texts(dig(record, "RdmaIpAddress", "IpAddress")),
            *[
                address
                for interface in interfaces
                for ipv6 in items(interface, "Ipv6Sets", "Ipv6Set") or ()
                for address in texts(ipv6.get("Ipv6Address"))
            ],
        ]
    )
    public_texts = [*texts(dig(record, "PublicIpAddress", "IpAddress")), *texts(dig(record, "EipAddress", "IpAddress"))]
    public = ip_addresses(public_texts)
    every = private | public
    host_names = [*texts(record.get("HostName")), *[name for ip in ip_sets for name in texts(ip.get("PrivateDnsName"))]]
    mac_addresses = [address.lower() for interface in interfaces for address in texts(interface.get("MacAddress"))]
    return {
        "fqdn": unique_or_none([name for name in host_names if FQDN.fullmatch(name)]),
        "ipv4Addresses": [address for address, version in every.items() if version == 4] or None,
        "ipv6Addresses": [address for address, version in every.items() if version == 6] or None,
        "privateIpAddresses": list(private) or None,
        "publicIpAddresses": list(public) or None,
        "macAddresses": unique_or_none([address for address in mac_addresses if MAC_ADDRESS.fullmatch(address)]),
        "public": any(public_texts),
    }


def _tags(record: dict[str, Any]) -> dict[str, str]:
    """``tag.<key>`` = value for each tag; when two keys give one name, the first tag keeps it."""
    tags: dict[str, str] = {}
    for tag in items(record, "Tags", "Tag") or ():
        key = tag.get("TagKey")
        if key and isinstance(key, str):
            tags.setdefault(tag_property(key), _text(tag.get("TagValue")))
    return tags


def _hostname(host_name: Any) -> str | None:
    """``HostName`` when the data model's pattern takes it, the first label of an FQDN, else ``None``."""
    if not isinstance(host_name, str):
        return None
    if HOSTNAME.fullmatch(host_name):
        return host_name
    label = host_name.split(".", 1)[0]
    return label if FQDN.fullmatch(host_name) and HOSTNAME.fullmatch(label) else None


def _os_type(os_type: Any) -> str | None:
    if os_type is None:
        return None
    lowered = os_type.lower() if isinstance(os_type, str) else ""
    return lowered if lowered in HOST_OS_TYPES else "other"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
