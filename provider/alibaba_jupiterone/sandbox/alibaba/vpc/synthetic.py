"""Seeded synthetic VPCs: DescribeVpcs items for the VPCs a synthetic ECS fleet is placed in.

About half the items have the shape seen in real recordings (``AdvancedResource``, ``NetworkAclNum``,
the odd ``RouterTableIds.RouterTableIds`` wrapper); the rest add what newer answers and the SDK
model carry (DHCP options, DNS host names, IPv6 flag, tags).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, timedelta

from alibaba_jupiterone.sandbox.alibaba.ecs.synthetic import VSwitch
from alibaba_jupiterone.sandbox.alibaba.vpc.network import derive_attribute

_ALNUM = "0123456789abcdefghijklmnopqrstuvwxyz"
_CIDRS = {"172.16": "172.16.0.0/12", "172.28": "172.16.0.0/12", "192.168": "192.168.0.0/16", "10.0": "10.0.0.0/8"}
_FIRST_CREATION = datetime(2019, 1, 1)
_CREATION_SPAN_SECONDS = 6 * 365 * 24 * 3600
_NAMES = ("prod-vpc", "staging-vpc", "dev-vpc", "shared-services", "数据平台专有网络", "k8s-cluster-vpc", "")
_DESCRIPTIONS = ("", "", "Managed by Terraform", "生产环境网络", "peering with on-premises")
_TAGS = (("env", "prod"), ("env", "dev"), ("team", "infra"), ("owner", "网络组"), ("cost-center", "cc-1024"))


def synthetic_vpcs(
    rng: random.Random,
    region_id: str,
    vswitches: Iterable[VSwitch],
    owner_id: int,
    resource_group_ids: tuple[str, ...],
) -> tuple[list[dict], dict[str, dict]]:
    """DescribeVpcs items for the VPCs of ``vswitches`` (in order), and the attribute answers of some.

    The attribute answers given are those that differ from what the item derives (an IPv4
    gateway); the other VPCs' answers are derived.
    """
    by_vpc: dict[str, list[VSwitch]] = {}
    for vswitch in vswitches:
        by_vpc.setdefault(vswitch.vpc_id, []).append(vswitch)
    items: list[dict] = []
    attributes: dict[str, dict] = {}
    for index, (vpc_id, members) in enumerate(by_vpc.items()):
        item = _vpc(
            rng,
            region_id,
            vpc_id,
            members,
            owner_id=owner_id,
            resource_group_ids=resource_group_ids,
            default=index == 0,
        )
        items.append(item)
        if rng.random() < 0.15:
            gateway = f"ipv4gw-{vpc_id[4:7]}{_random_id(rng, 18)}"
            attributes[vpc_id] = derive_attribute(item) | {"SupportIpv4Gateway": True, "Ipv4GatewayId": gateway}
    return items, attributes


def _vpc(
    rng: random.Random,
    region_id: str,
    vpc_id: str,
    vswitches: list[VSwitch],
    *,
    owner_id: int,
    resource_group_ids: tuple[str, ...],
    default: bool,
) -> dict:
    prefix = vpc_id[4:7]  # the region's id prefix, as in "vpc-bp1..."
    network = vswitches[0].subnet.rsplit(".", 1)[0]
    is_default = default and rng.random() < 0.4
    created = _FIRST_CREATION + timedelta(seconds=rng.randrange(_CREATION_SPAN_SECONDS))
    tables = rng.choice((1, 1, 2))
    ipv6 = f"2408:4005:{rng.getrandbits(16):x}:{rng.getrandbits(8):x}00::/56" if rng.random() < 0.3 else ""
    item = {
        "Status": "Available" if rng.random() < 0.97 else "Pending",
        "IsDefault": is_default,
        "CenStatus": "Attached" if rng.random() < 0.2 else "Detached",
        "Description": "" if is_default else rng.choice(_DESCRIPTIONS),
        "ResourceGroupId": rng.choice(resource_group_ids),
        "VSwitchIds": {"VSwitchId": [vswitch.vswitch_id for vswitch in vswitches]},
        "SecondaryCidrBlocks": {"SecondaryCidrBlock": ["100.64.0.0/16"] if rng.random() < 0.1 else []},
        "CidrBlock": _CIDRS[network],
        "RouterTableIds": {"RouterTableIds": [f"vtb-{prefix}{_random_id(rng, 18)}" for _ in range(tables)]},
        "UserCidrs": {"UserCidr": []},
        "NetworkAclNum": rng.choice((0, 0, 1, 2)),
        "AdvancedResource": rng.random() < 0.7,
        "VRouterId": f"vrt-{prefix}{_random_id(rng, 18)}",
        "NatGatewayIds": {"NatGatewayIds": [f"ngw-{prefix}{_random_id(rng, 18)}"] if rng.random() < 0.25 else []},
        "VpcId": vpc_id,
        "OwnerId": owner_id,
        "CreationTime": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "VpcName": "" if is_default else rng.choice(_NAMES),
        "RegionId": region_id,
        "Ipv6CidrBlock": ipv6,
    }
    if ipv6:
        item["Ipv6CidrBlocks"] = {"Ipv6CidrBlock": [{"Ipv6Isp": "BGP", "Ipv6CidrBlock": ipv6}]}
    if rng.random() < 0.5:  # the newer, fuller shape
        tags = rng.sample(_TAGS, rng.randint(0, 2))
        item |= {
            "DhcpOptionsSetId": "",
            "DhcpOptionsSetStatus": "",
            "DnsHostnameStatus": rng.choice(("DISABLED", "ENABLED")),
            "EnabledIpv6": bool(ipv6),
            "Tags": {"Tag": [{"Key": key, "Value": value} for key, value in tags]},
        }
    return item


def _random_id(rng: random.Random, length: int) -> str:
    return "".join(rng.choices(_ALNUM, k=length))
