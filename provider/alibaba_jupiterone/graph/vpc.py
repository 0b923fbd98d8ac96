"""VPC -> the properties of an ``alibaba_cloud_vpc`` entity (a ``Network``).

The record is a DescribeVpcs ``Vpcs.Vpc[]`` item merged with the VPC's DescribeVpcAttribute answer,
read from the raw JSON bodies. Kept from JupiterOne's own integration with the same names and values;
corrected where it used an empty name or crashed on a missing list; the additions below. ``_key``,
``_type``, ``_class``, ``tag.AccountName`` and ``_rawData`` are added by the registry.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import quote

from alibaba_jupiterone.graph.keys import KeyRule
from alibaba_jupiterone.graph.options import ConversionOptions
from alibaba_jupiterone.graph.properties import dig, items, present, tag_property, texts, timestamps

KEY = KeyRule("VpcId", prefix="alibaba_cloud_vpc:")

# Kept: property -> the record's field of the same value.
KEPT = {
    "status": "Status",
    "id": "VpcId",
    "isDefault": "IsDefault",
    "region": "RegionId",
    "vRouterId": "VRouterId",
    "description": "Description",
    "cenStatus": "CenStatus",
    "resourceGroupId": "ResourceGroupId",
    "networkAclNum": "NetworkAclNum",
    "isAdvancedResource": "AdvancedResource",
    "supportIpv4Gateway": "SupportIpv4Gateway",
    "ipv4GatewayId": "Ipv4GatewayId",
}

# Kept: property -> the API's list wrapper; a missing wrapper gives [] (the reference crashed).
LISTS = {
    "vSwitchIds": ("VSwitchIds", "VSwitchId"),
    "secondaryCidrBlocks": ("SecondaryCidrBlocks", "SecondaryCidrBlock"),
    "userCidrs": ("UserCidrs", "UserCidr"),
    "natGatewayIds": ("NatGatewayIds", "NatGatewayIds"),
    "routeTableIds": ("RouterTableIds", "RouterTableIds"),
}

# Kept: property -> the ``CloudResources`` resource type it counts (0 when not listed).
COUNTS = {"vSwitchCount": "VSwitch", "vRouterCount": "VRouter", "routeTableCount": "RouteTable"}

IPV4_CIDR = re.compile(r"^([0-9]{1,3}\.){3}[0-9]{1,3}(/([0-9]|[1-2][0-9]|3[0-2]))?$")
"""The data model's pattern for a Network's ``CIDR`` (use with ``fullmatch``)."""

_PREFIX_LENGTH = re.compile(r"[0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]")

CONSOLE_LINK = "https://vpc.console.aliyun.com/vpc/{region_id}/vpcs/{vpc_id}"


def convert(record: dict[str, Any], options: ConversionOptions) -> dict[str, Any]:
    """The properties of the entity for one VPC record (which has a string ``VpcId``)."""
    name = record.get("VpcName") or record["VpcId"]
    cidr = record.get("CidrBlock")
    properties: dict[str, Any] = {
        "CIDR": cidr if isinstance(cidr, str) and IPV4_CIDR.fullmatch(cidr) else None,
        **_ipv6(record.get("Ipv6CidrBlock")),
        "public": False,
        "internal": True,
        "name": name,
        "displayName": name,
        **present(record, KEPT),
        **timestamps(record, {"createdOn": "CreationTime"}),
    }
    owner_id = record.get("OwnerId")
    if owner_id is not None:  # a number in the API's answer, a string in the reference's entities
        properties["ownerId"] = str(owner_id)
    for property_name, path in LISTS.items():
        properties[property_name] = texts(dig(record, *path))
    counts = {
        resource.get("ResourceType"): resource.get("ResourceCount")
        for resource in items(record, "CloudResources", "CloudResourceSetType") or ()
    }
    for property_name, resource_type in COUNTS.items():
        count = counts.get(resource_type)
        properties[property_name] = count if isinstance(count, int) and not isinstance(count, bool) else 0
    blocks = items(record, "Ipv6CidrBlocks", "Ipv6CidrBlock")
    if blocks is not None:
        properties["ipv6CidrBlocks.ipv6Isp"] = [isp for block in blocks for isp in texts(block.get("Ipv6Isp"))]
        properties["ipv6CidrBlocks.ipv6CidrBlock"] = [
            cidr for block in blocks for cidr in texts(block.get("Ipv6CidrBlock"))
        ]
    properties["active"] = record.get("Status") == "Available"
    properties.update(_tags(record))
    region_id = record.get("RegionId")
    if isinstance(region_id, str) and region_id:
        properties["webLink"] = CONSOLE_LINK.format(
            region_id=quote(region_id, safe=""), vpc_id=quote(record["VpcId"], safe="")
        )
    return properties


def _ipv6(block: Any) -> dict[str, Any]:
    """``CIDRv6`` (the address, a valid IPv6 one) and ``CIDRv6.mask`` (its prefix length) of ``Ipv6CidrBlock``."""
    if not isinstance(block, str) or not block:
        return {}
    address, _, mask = block.partition("/")
    try:
        if ipaddress.IPv6Address(address).scope_id:
            return {}
    except ValueError:
        return {}
    found: dict[str, Any] = {"CIDRv6": address}
    if _PREFIX_LENGTH.fullmatch(mask):
        found["CIDRv6.mask"] = int(mask)
    return found


def _tags(record: dict[str, Any]) -> dict[str, str]:
    """``tag.<key>`` = value for each tag; when two keys give one name, the first tag keeps it."""
    tags: dict[str, str] = {}
    for tag in items(record, "Tags", "Tag") or ():
        key = tag.get("Key")
        if key and isinstance(key, str):
            value = tag.get("Value")
            tags.setdefault(tag_property(key), value if isinstance(value, str) else "")
    return tags
