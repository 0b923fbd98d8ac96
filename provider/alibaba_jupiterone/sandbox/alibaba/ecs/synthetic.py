"""A seeded, reproducible synthetic ECS fleet, and the VPCs and vSwitches it is placed in.

Each record is one item of DescribeInstances ``Instances.Instance[]`` in the API's own PascalCase shape.
About half the records have the older, shorter shape seen in real recordings (no option blocks added
to the API since, ``ImageOptions`` empty); the rest carry every field of the SDK's instance model.
"""

from __future__ import annotations

import random
import uuid
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from typing import NamedTuple

from alibaba_jupiterone.sandbox.alibaba.ecs.regions import default_regions

_ALNUM = "0123456789abcdefghijklmnopqrstuvwxyz"
# maps each random byte to a character; the slight unevenness does not matter for made-up ids
_ID_CHARACTERS = bytes(ord(_ALNUM[byte % len(_ALNUM)]) for byte in range(256))
_FIRST_CREATION = datetime(2019, 1, 1)
_CREATION_SPAN_MINUTES = 6 * 365 * 24 * 60
_POSTPAID_EXPIRY = "2099-12-31T15:59Z"
_NO_EIP = {"AllocationId": "", "IpAddress": "", "InternetChargeType": ""}


class _Type(NamedTuple):
    name: str
    weight: int
    cpu: int
    memory: int
    gpus: int = 0
    gpu_spec: str = ""
    local_disks: int = 0
    local_capacity: int = 0
    rdma: bool = False

    @property
    def family(self) -> str:
        # "ecs.gn7i-c8g1.2xlarge" belongs to the family "ecs.gn7i"
        return "ecs." + self.name.split(".")[1].split("-")[0]


_TYPES = (
    _Type("ecs.g7.large", 30, 2, 8192),
    _Type("ecs.g7.xlarge", 15, 4, 16384),
    _Type("ecs.c7.2xlarge", 10, 8, 16384),
    _Type("ecs.r7.large", 8, 2, 16384),
    _Type("ecs.e-c1m2.large", 8, 2, 4096),
    _Type("ecs.t6-c1m1.large", 6, 2, 2048),
    _Type("ecs.n1.tiny", 4, 1, 1024),
    _Type("ecs.xn4.small", 4, 1, 1024),
    _Type("ecs.i3.xlarge", 3, 4, 32768, local_disks=1, local_capacity=894),
    _Type("ecs.d1ne.2xlarge", 2, 8, 32768, local_disks=4, local_capacity=22240),
    _Type("ecs.gn6i-c4g1.xlarge", 3, 4, 15360, gpus=1, gpu_spec="NVIDIA T4"),
    _Type("ecs.gn7i-c8g1.2xlarge", 3, 8, 30720, gpus=1, gpu_spec="NVIDIA A10"),
    _Type("ecs.scch5.16xlarge", 4, 64, 196608, rdma=True),
)
_TYPE_CUM_WEIGHTS = tuple(accumulate(kind.weight for kind in _TYPES))


class _Image(NamedTuple):
    image_id: str
    os_name: str
    os_name_en: str

    @property
    def windows(self) -> bool:
        return self.image_id.startswith("win")


_LINUX_IMAGES = (
    _Image(
        "aliyun_3_x64_20G_alibase_20240528.vhd",
        "Alibaba Cloud Linux  3.2104 LTS 64位",
        "Alibaba Cloud Linux  3.2104 LTS 64 bit",
    ),
    _Image(
        "aliyun_2_1903_x64_20G_alibase_20230704.vhd",
        "Alibaba Cloud Linux  2.1903 LTS 64位",
        "Alibaba Cloud Linux  2.1903 LTS 64 bit",
    ),
    _Image("centos_7_9_x64_20G_alibase_20240628.vhd", "CentOS  7.9 64位", "CentOS  7.9 64 bit"),
    _Image("ubuntu_22_04_x64_20G_alibase_20240710.vhd", "Ubuntu  22.04 64位", "Ubuntu  22.04 64 bit"),
    _Image("debian_12_6_x64_20G_alibase_20240715.vhd", "Debian  12.6 64位", "Debian  12.6 64 bit"),
)
_WINDOWS_IMAGES = (
    _Image(
        "win2022_21H2_x64_dtc_zh-cn_40G_alibase_20240617.vhd",
        "Windows Server  2022 数据中心版 64位中文版",
        "Windows Server  2022 Data Center Edition 64bit Chinese Edition",
    ),
    _Image(
        "win2019_1809_x64_dtc_en-us_40G_alibase_20240617.vhd",
        "Windows Server  2019 数据中心版 64位英文版",
        "Windows Server  2019 Data Center Edition 64bit English Edition",
    ),
)

_STATUSES = ("Running", "Stopped", "Pending", "Starting", "Stopping")
_STATUS_CUM_WEIGHTS = tuple(accumulate((70, 15, 5, 5, 5)))
_LOCK_MESSAGES = {
    "financial": "The instance is locked because the account has an overdue payment.",
    "security": "The instance is locked for security reasons.",
    "Recycling": "The instance is in the recycle bin.",
    "dedicatedhostfinancial": "The dedicated host of the instance is locked for an overdue payment.",
    "refunded": "The instance has been refunded.",
}
_LOCK_REASONS = tuple(_LOCK_MESSAGES)
_SERVICES = ("web", "api", "db", "cache", "worker", "bastion", "etl", "search")
_ENVIRONMENTS = ("prod", "staging", "dev", "test")
# weights of the name styles _names offers: default, launch advisor, Chinese, empty, by service
_NAME_CUM_WEIGHTS = tuple(accumulate((30, 10, 15, 5, 40)))
_CHINESE_NAMES = ("订单服务-生产", "数据库主库", "测试服务器", "日志采集节点", "跳板机", "大数据计算节点")
_DESCRIPTIONS = ("frontend node", "由运维平台创建", "nightly batch jobs", "Managed by Terraform")
_TAG_VALUES = {
    "team": ("payments", "search", "infra", "数据平台"),
    "owner": ("alice@example.com", "ops", "张伟"),
    "cost-center": ("cc-1024", "cc-2048"),
    "app:tier": ("frontend", "backend"),
    "kubernetes.io/cluster/prod-ack": ("owned", "shared"),
    "项目": ("双十一大促", "内部工具"),
    "Cost Center": ("R&D", "Sales & Marketing"),
    "backup": ("", "daily"),
}
_TAG_KEYS = tuple(_TAG_VALUES)
_PUBLIC_FIRST_OCTETS = (8, 39, 47, 101, 120, 139)


@dataclass(frozen=True)
class VSwitch:
    """A vSwitch of a synthetic VPC: the VPC, its id and zone, and the security groups of the VPC."""

    vpc_id: str
    vswitch_id: str
    zone_id: str
    subnet: str  # the first three octets of its /24, e.g. "172.16.5"
    security_group_ids: tuple[str, ...]


@dataclass(frozen=True)
class _Site:
    """One region's network and groups, shared by the instances placed in it."""

    region_id: str
    prefix: str  # the region's three-character start of resource ids, as "bp1" is cn-hangzhou's
    zones: tuple[str, ...]
    vswitches: tuple[VSwitch, ...]
    scaling_groups: tuple[tuple[str, str], ...]  # (id, name)
    resource_group_ids: tuple[str, ...]


def synthetic_fleet(
    instance_count: int, region_count: int = 20, seed: int = 0
) -> tuple[list[dict], dict[str, list[dict]]]:
    """Return ``(regions, instances_by_region)`` for a fleet of ``instance_count`` instances.

    The same arguments always give the same fleet. Every region of ``default_regions(region_count)``
    is a key; instances are spread unevenly (some regions stay empty) and their ids are unique.
    """
    regions, instances, _ = synthetic_fleet_and_vswitches(instance_count, region_count, seed)
    return regions, instances


def synthetic_fleet_and_vswitches(
    instance_count: int, region_count: int = 20, seed: int = 0, vpcs_per_region: int | None = None
) -> tuple[list[dict], dict[str, list[dict]], dict[str, tuple[VSwitch, ...]]]:
    """Like :func:`synthetic_fleet`, plus each region's vSwitches (of one to three VPCs, or ``vpcs_per_region``).

    Every instance not on the classic network is in one of its region's vSwitches. Without
    ``vpcs_per_region`` the fleet is the one :func:`synthetic_fleet` gives for the same arguments.
    """
    if instance_count < 0:
        raise ValueError(f"instance_count must not be negative, got {instance_count}")
    if vpcs_per_region is not None and vpcs_per_region < 1:
        raise ValueError(f"vpcs_per_region must be at least 1, got {vpcs_per_region}")
    rng = random.Random(seed)
    regions = default_regions(region_count)
    region_ids = [region["RegionId"] for region in regions]
    counts = Counter(rng.choices(region_ids, weights=_region_weights(rng, len(region_ids)), k=instance_count))
    resource_group_ids = ("", *(_random_id(rng, "rg-acfm", 11) for _ in range(3)))
    taken: set[str] = set()
    instances: dict[str, list[dict]] = {}
    vswitches: dict[str, tuple[VSwitch, ...]] = {}
    for region_id in region_ids:
        site = _site(rng, region_id, resource_group_ids, vpcs_per_region)
        instances[region_id] = [_instance(rng, site, taken) for _ in range(counts[region_id])]
        vswitches[region_id] = site.vswitches
    return regions, instances, vswitches


def _region_weights(rng: random.Random, count: int) -> list[float]:
    """A few busy regions, many quiet ones and some empty; the first region is never empty."""
    return [0.0 if index > 0 and rng.random() < 0.3 else rng.paretovariate(1.2) for index in range(count)]


def _site(rng: random.Random, region_id: str, resource_group_ids: tuple[str, ...], vpc_count: int | None) -> _Site:
    prefix = _region_prefix(region_id)
    letters = sorted(rng.sample("abcdefghijk", rng.randint(2, 4)))
    separator = "" if region_id[-1].isdigit() else "-"  # us-east-1a but cn-hangzhou-k
    zones = tuple(f"{region_id}{separator}{letter}" for letter in letters)
    vpc_count = rng.randint(1, 3) if vpc_count is None else vpc_count
    vswitches = tuple(vswitch for _ in range(vpc_count) for vswitch in _vpc(rng, prefix, zones))
    scaling_groups = tuple(
        (_random_id(rng, f"asg-{prefix}", 17), f"asg-{rng.choice(_SERVICES)}-scaling-group") for _ in range(2)
    )
    return _Site(region_id, prefix, zones, vswitches, scaling_groups, resource_group_ids)


def _region_prefix(region_id: str) -> str:
    number = zlib.crc32(region_id.encode())  # stable across runs, unlike hash()
    return "".join(_ALNUM[(number >> shift) % len(_ALNUM)] for shift in (0, 8, 16))


def _vpc(rng: random.Random, prefix: str, zones: tuple[str, ...]) -> list[VSwitch]:
    """One VPC with a vSwitch in each zone, all sharing the VPC's security groups."""
    vpc_id = _random_id(rng, f"vpc-{prefix}", 18)
    network = rng.choice(("172.16", "172.28", "192.168", "10.0"))
    groups = tuple(_random_id(rng, f"sg-{prefix}", 17) for _ in range(rng.randint(1, 3)))
    octets = rng.sample(range(256), len(zones))
    return [
        VSwitch(vpc_id, _random_id(rng, f"vsw-{prefix}", 18), zone, f"{network}.{octet}", groups)
        for zone, octet in zip(zones, octets, strict=True)
    ]


def _instance(rng: random.Random, site: _Site, taken: set[str]) -> dict:
    instance_id = _unique_instance_id(rng, site, taken)
    recent = rng.random() < 0.5  # the newer, fuller shape of an answer (see the module docstring)
    kind = rng.choices(_TYPES, cum_weights=_TYPE_CUM_WEIGHTS)[0]
    image = rng.choice(_WINDOWS_IMAGES if rng.random() < 0.2 else _LINUX_IMAGES)
    created = _FIRST_CREATION + timedelta(minutes=rng.randrange(_CREATION_SPAN_MINUTES))
    # most instances start a minute or two after their creation; some were restarted long after
    start_delay = rng.choice((1, 1, 2)) if rng.random() < 0.7 else rng.randrange(60, 500_000)
    classic = rng.random() < 0.04
    network = _classic_network(rng, site) if classic else _vpc_network(rng, site, recent)
    billing = _billing(rng, created, recent)
    record = {
        "InstanceId": instance_id,
        "RegionId": site.region_id,
        "SerialNumber": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "CreationTime": _minute(created),
        "StartTime": _minute(created + timedelta(minutes=start_delay)),
        "ResourceGroupId": rng.choice(site.resource_group_ids),
        "VlanId": "",
        "ClusterId": "",
        "IoOptimized": True,
        "DeviceAvailable": True,
        "Recyclable": rng.random() < 0.03,
        "DeletionProtection": rng.random() < 0.2,
        "HibernationOptions": {"Configured": rng.random() < 0.03},
        **network,
        **_internet(rng, site, classic),
        **_hardware(rng, kind, recent),
        **_operating_system(rng, site, image, recent),
        **billing,
        **_state(rng),
        **_placement(rng, site, dedicated_allowed=billing["SpotStrategy"] == "NoSpot"),
        **_identity(rng, site, instance_id, image.windows, created),
    }
    if recent:
        record |= _recent_options(rng, site, kind)
    return record


def _unique_instance_id(rng: random.Random, site: _Site, taken: set[str]) -> str:
    instance_id = _random_id(rng, f"i-{site.prefix}", 17)
    while instance_id in taken:
        instance_id = _random_id(rng, f"i-{site.prefix}", 17)
    taken.add(instance_id)
    return instance_id


def _vpc_network(rng: random.Random, site: _Site, recent: bool) -> dict:
    vswitch = rng.choice(site.vswitches)
    groups = vswitch.security_group_ids
    interfaces = _interfaces(rng, site, vswitch.subnet, recent)
    return {
        "InstanceNetworkType": "vpc",
        "ZoneId": vswitch.zone_id,
        "VpcAttributes": {
            "VpcId": vswitch.vpc_id,
            "VSwitchId": vswitch.vswitch_id,
            "NatIpAddress": "",
            "PrivateIpAddress": {"IpAddress": [interfaces[0]["PrimaryIpAddress"]]},
        },
        "InnerIpAddress": {"IpAddress": []},
        "NetworkInterfaces": {"NetworkInterface": interfaces},
        "SecurityGroupIds": {"SecurityGroupId": rng.sample(groups, rng.randint(1, len(groups)))},
    }


def _classic_network(rng: random.Random, site: _Site) -> dict:
    """The retired classic network: no VPC and no interfaces, an inner address on Alibaba's 10/8."""
    return {
        "InstanceNetworkType": "classic",
        "ZoneId": rng.choice(site.zones),
        "VpcAttributes": {"VpcId": "", "VSwitchId": "", "NatIpAddress": "", "PrivateIpAddress": {"IpAddress": []}},
        "InnerIpAddress": {"IpAddress": [f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"]},
        "NetworkInterfaces": {"NetworkInterface": []},
        "SecurityGroupIds": {"SecurityGroupId": [_random_id(rng, f"sg-{site.prefix}", 17)]},
    }


def _interfaces(rng: random.Random, site: _Site, subnet: str, recent: bool) -> list[dict]:
    """The primary interface, sometimes secondary ones, each with one or more private addresses."""
    interface_count = rng.choices((1, 2, 3), cum_weights=(22, 24, 25))[0]
    sizes = [rng.choices((1, 2, 3), cum_weights=(8, 9, 10))[0] for _ in range(interface_count)]
    hosts = iter(rng.sample(range(1, 254), sum(sizes)))  # no address twice on one instance
    return [
        _interface(rng, site, subnet, [f"{subnet}.{next(hosts)}" for _ in range(size)], recent, primary=index == 0)
        for index, size in enumerate(sizes)
    ]


def _interface(
    rng: random.Random, site: _Site, subnet: str, addresses: list[str], recent: bool, *, primary: bool
) -> dict:
    ip_sets = [_private_ip_set(address, index == 0, site.region_id, recent) for index, address in enumerate(addresses)]
    interface = {
        "Type": "Primary" if primary else "Secondary",
        "PrimaryIpAddress": addresses[0],
        "MacAddress": "00:16:3e:" + ":".join(f"{byte:02x}" for byte in rng.randbytes(3)),
        "NetworkInterfaceId": _random_id(rng, f"eni-{site.prefix}", 17),
        "PrivateIpSets": {"PrivateIpSet": ip_sets},
    }
    if rng.random() < 0.15:
        ipv6 = [{"Ipv6Address": _ipv6(rng), "Primary": index == 0} for index in range(rng.randint(1, 2))]
        interface["Ipv6Sets"] = {"Ipv6Set": ipv6}
    if rng.random() < 0.05:
        prefix = f"{subnet}.{16 * rng.randrange(1, 15)}/28"
        interface["Ipv4PrefixSets"] = {"Ipv4PrefixSet": [{"Ipv4Prefix": prefix}]}
    if rng.random() < 0.05:
        network = _ipv6(rng).rsplit(":", 3)[0]  # the first five groups: 80 bits
        interface["Ipv6PrefixSets"] = {"Ipv6PrefixSet": [{"Ipv6Prefix": f"{network}::/80"}]}
    return interface


def _private_ip_set(address: str, primary: bool, region_id: str, recent: bool) -> dict:
    ip_set = {"PrivateIpAddress": address, "Primary": primary}
    if recent:
        # the IP-based private domain name that ECS gives each private address
        ip_set["PrivateDnsName"] = f"ip-{address.replace('.', '-')}.{region_id}.ecs.internal"
    return ip_set


def _internet(rng: random.Random, site: _Site, classic: bool) -> dict:
    """Public reach: an elastic IP, a fixed public address (always, on classic) or none."""
    eip = not classic and rng.random() < 0.15
    public = classic or (not eip and rng.random() < 0.2)
    return {
        "InternetChargeType": rng.choice(("PayByTraffic", "PayByBandwidth")) if public else "PayByTraffic",
        "InternetMaxBandwidthOut": rng.choice((1, 5, 10, 100)) if public else 0,
        "InternetMaxBandwidthIn": rng.choice((10, 100, 200, 2000)) if public else -1,
        "PublicIpAddress": {"IpAddress": [_public_ip(rng)] if public else []},
        "EipAddress": _eip(rng, site) if eip else dict(_NO_EIP),
    }


def _eip(rng: random.Random, site: _Site) -> dict:
    return {
        "AllocationId": _random_id(rng, f"eip-{site.prefix}", 17),
        "IpAddress": _public_ip(rng),
        "Bandwidth": rng.choice((1, 5, 10, 50, 200)),
        "InternetChargeType": rng.choice(("PayByTraffic", "PayByBandwidth")),
        "IsSupportUnassociate": True,
    }


def _hardware(rng: random.Random, kind: _Type, recent: bool) -> dict:
    threads = 1 if kind.cpu == 1 else 2
    cpu_options = {"CoreCount": kind.cpu // threads, "ThreadsPerCore": threads, "Numa": rng.choice(("ON", "N/A", ""))}
    if recent:
        cpu_options |= {
            "TopologyType": rng.choice(("ContinuousCoreToHTMapping", "DiscreteCoreToHTMapping")),
            "TurboMode": "",
            "EnableVISST": False,
            "EnableVRDT": False,
            "NestedVirtualization": rng.choice(("disabled", "disabled", "enabled")),
        }
    fields = {
        "InstanceType": kind.name,
        "InstanceTypeFamily": kind.family,
        "Cpu": kind.cpu,
        "Memory": kind.memory,
        "GPUAmount": kind.gpus,
        "GPUSpec": kind.gpu_spec,
        "CreditSpecification": rng.choice(("Standard", "Unlimited")) if kind.family == "ecs.t6" else "",
        "CpuOptions": cpu_options,
    }
    if kind.local_disks:
        fields |= {"LocalStorageAmount": kind.local_disks, "LocalStorageCapacity": kind.local_capacity}
    if kind.rdma:
        fields["RdmaIpAddress"] = {"IpAddress": [f"10.{rng.randrange(200, 256)}.0.{host}" for host in (11, 12)]}
    return fields


def _operating_system(rng: random.Random, site: _Site, image: _Image, recent: bool) -> dict:
    custom_image = rng.random() < 0.2
    fields = {
        "OSType": "windows" if image.windows else "linux",
        "OSName": image.os_name,
        "OSNameEn": image.os_name_en,
        "ImageId": _random_id(rng, f"m-{site.prefix}", 17) if custom_image else image.image_id,
        "ImageOptions": {},
        "MetadataOptions": {"HttpTokens": "", "HttpEndpoint": ""},
    }
    if not image.windows and rng.random() < 0.4:
        fields["KeyPairName"] = rng.choice(("ops-key", "deploy-2024", "bastion"))
    if recent:
        fields["ImageOptions"] = {
            "LoginAsNonRoot": not image.windows and rng.random() < 0.1,
            "CurrentOSNVMeSupported": rng.random() < 0.7,
        }
        fields["MetadataOptions"] = {
            "HttpEndpoint": rng.choice(("enabled", "enabled", "disabled")),
            "HttpTokens": rng.choice(("optional", "required")),
            "HttpPutResponseHopLimit": rng.choice((1, 1, 2, 64)),
            "InstanceMetadataTags": rng.choice(("disabled", "enabled")),
        }
    return fields


def _billing(rng: random.Random, created: datetime, recent: bool) -> dict:
    """Subscription (expiring at midnight Beijing time), pay-as-you-go or spot."""
    fields = {
        "InstanceChargeType": "PostPaid",
        "ExpiredTime": _POSTPAID_EXPIRY,
        "AutoReleaseTime": "",
        "SaleCycle": "",
        "SpotStrategy": "NoSpot",
        "SpotPriceLimit": 0.0,
    }
    if recent:
        fields |= {"SpotDuration": 0, "SpotInterruptionBehavior": "Terminate"}
    plan = rng.random()
    if plan < 0.25:
        months = rng.choice((1, 3, 6, 12, 12, 36))
        expiry = created + timedelta(days=30 * months)
        fields |= {
            "InstanceChargeType": "PrePaid",
            "ExpiredTime": expiry.strftime("%Y-%m-%dT16:00Z"),
            "SaleCycle": "Year" if months >= 12 else "Month",
        }
    elif plan < 0.33:
        strategy = rng.choice(("SpotAsPriceGo", "SpotWithPriceLimit"))
        fields |= {
            "SpotStrategy": strategy,
            "SpotPriceLimit": round(rng.uniform(0.05, 2.0), 3) if strategy == "SpotWithPriceLimit" else 0.0,
            "SpotDuration": rng.choice((0, 1)),
            "SpotInterruptionBehavior": rng.choice(("Terminate", "Stop")),
        }
    elif plan < 0.38:
        fields["AutoReleaseTime"] = _minute(created + timedelta(days=rng.randint(1, 90)))
    return fields


def _state(rng: random.Random) -> dict:
    """Status and operation locks; any lock but a security one stops the instance."""
    reason = rng.choice(_LOCK_REASONS) if rng.random() < 0.06 else None
    locks = [{"LockReason": reason, "LockMsg": _LOCK_MESSAGES[reason]}] if reason else []
    if reason and reason != "security":
        status = "Stopped"
    else:
        status = rng.choices(_STATUSES, cum_weights=_STATUS_CUM_WEIGHTS)[0]
    stopped_mode = rng.choice(("KeepCharging", "StopCharging")) if status == "Stopped" else "Not-applicable"
    return {"Status": status, "StoppedMode": stopped_mode, "OperationLocks": {"LockReason": locks}}


def _placement(rng: random.Random, site: _Site, dedicated_allowed: bool) -> dict:
    """Dedicated host, capacity reservation and deployment set, each usually unset (``""``)."""
    dedicated = dedicated_allowed and rng.random() < 0.05
    reserved = rng.random() < 0.04
    deployment_set = rng.random() < 0.06
    return {
        "DedicatedHostAttribute": {
            "DedicatedHostId": _random_id(rng, f"dh-{site.prefix}", 17) if dedicated else "",
            "DedicatedHostName": f"dh-pool-{rng.randint(1, 9):02d}" if dedicated else "",
            "DedicatedHostClusterId": _random_id(rng, f"dc-{site.prefix}", 17) if dedicated else "",
        },
        "DedicatedInstanceAttribute": {
            "Tenancy": "host" if dedicated else "",
            "Affinity": rng.choice(("default", "host")) if dedicated else "",
        },
        "EcsCapacityReservationAttr": {
            "CapacityReservationId": _random_id(rng, f"crp-{site.prefix}", 17) if reserved else "",
            "CapacityReservationPreference": rng.choice(("open", "target")) if reserved else "",
        },
        "DeploymentSetId": _random_id(rng, f"ds-{site.prefix}", 17) if deployment_set else "",
    }


def _identity(rng: random.Random, site: _Site, instance_id: str, windows: bool, created: datetime) -> dict:
    """Name, host name, description and tags; auto scaling members are named and tagged as ESS does."""
    if rng.random() < 0.08:
        group_id, group_name = rng.choice(site.scaling_groups)
        tags = [
            {"TagKey": "ESS", "TagValue": "ESS"},
            {"TagKey": "acs:autoscaling:scalingGroupId", "TagValue": group_id},
        ]
        return {
            "InstanceName": f"ESS-{group_name}",
            "HostName": _default_host_name(instance_id, windows),
            "Description": "ESS",
            "Tags": {"Tag": tags},
        }
    environment = rng.choice(_ENVIRONMENTS)
    fields = {
        **_names(rng, instance_id, windows, environment, created),
        "Description": rng.choice(_DESCRIPTIONS) if rng.random() < 0.3 else "",
    }
    if rng.random() < 0.8:
        keys = rng.sample(_TAG_KEYS, rng.randint(0, 3))
        tags = [{"TagKey": "env", "TagValue": environment}]
        tags += [{"TagKey": key, "TagValue": rng.choice(_TAG_VALUES[key])} for key in keys]
        fields["Tags"] = {"Tag": tags}
    return fields


def _names(rng: random.Random, instance_id: str, windows: bool, environment: str, created: datetime) -> dict:
    """InstanceName and HostName; Windows host names keep within NetBIOS' 15 characters."""
    default_host = _default_host_name(instance_id, windows)
    service, number = rng.choice(_SERVICES), rng.randint(1, 40)
    names = (
        default_host,
        f"launch-advisor-{created:%Y%m%d}",
        f"{rng.choice(_CHINESE_NAMES)}-{number:02d}",
        "",
        f"{service}-{environment}-{number:02d}",
    )
    if windows:
        hosts = (default_host, "WIN-" + _random_id(rng, "", 11).upper(), f"{service.upper()}-{number:02d}")
    else:
        hosts = (default_host, f"{service}-{number}", f"{service}-{number}.{environment}.example.com")
    return {"InstanceName": rng.choices(names, cum_weights=_NAME_CUM_WEIGHTS)[0], "HostName": rng.choice(hosts)}


def _default_host_name(instance_id: str, windows: bool) -> str:
    """What ECS names a host by default: ``iZ<id>Z``, cut to 15 characters on Windows."""
    return f"iZ{instance_id[2:14] if windows else instance_id[2:]}Z"


def _recent_options(rng: random.Random, site: _Site, kind: _Type) -> dict:
    """The fields and option blocks that newer API answers add to every instance."""
    return {
        "DeploymentSetGroupNo": 0,
        "EnableNVS": False,
        "ISP": "",
        "HpcClusterId": _random_id(rng, f"hpc-{site.prefix}", 17) if kind.rdma else "",
        "ClockOptions": {"PtpStatus": rng.choice(("disabled", "disabled", "enabled"))},
        "SecurityOptions": {"EnableSecureBoot": rng.random() < 0.2},
        "AdditionalInfo": {"EnableHighDensityMode": False, "ManagedHostId": "", "NodeSerialNumber": ""},
        "PrivateDnsNameOptions": {
            "HostnameType": "Custom",
            "EnableInstanceIdDnsARecord": rng.random() < 0.3,
            "EnableInstanceIdDnsAAAARecord": False,
            "EnableIpDnsARecord": rng.random() < 0.3,
            "EnableIpDnsPtrRecord": False,
        },
    }


def _random_id(rng: random.Random, prefix: str, length: int) -> str:
    return prefix + rng.randbytes(length).translate(_ID_CHARACTERS).decode()


def _public_ip(rng: random.Random) -> str:
    first = rng.choice(_PUBLIC_FIRST_OCTETS)
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _ipv6(rng: random.Random) -> str:
    return "2408:4005:" + ":".join(f"{rng.getrandbits(16):x}" for _ in range(6))


def _minute(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%MZ")
