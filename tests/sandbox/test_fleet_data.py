"""The ECS sandbox's data: the region list, the synthetic fleet and fleets loaded from recordings."""

from __future__ import annotations

import functools
import json
import random
import re
import time
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from alibabacloud_ecs20140526.models import DescribeInstancesResponseBodyInstancesInstance as SdkInstance
from darabonba.model import DaraModel

from alibaba_jupiterone.sandbox.alibaba.ecs.regions import default_regions
from alibaba_jupiterone.sandbox.alibaba.ecs.synthetic import synthetic_fleet
from alibaba_jupiterone.sandbox.alibaba.recordings import load_fleet

REGION_KEYS = {"RegionId", "LocalName", "RegionEndpoint"}
INSTANCE_ID = re.compile(r"i-[0-9a-z]{20}")
MINUTE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\dZ")
FQDN = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+){2,}")
STATUSES = {"Pending", "Running", "Starting", "Stopping", "Stopped"}
NO_EIP = {"AllocationId": "", "IpAddress": "", "InternetChargeType": ""}
RECORDINGS = Path("graph-alibaba-cloud", "recordings")
ECS_RECORDING = RECORDINGS / "fetch-ecs-instances_256277370.har"
RECORDED_INSTANCES = {
    "us-east-1": ["i-0xi13jzw8m86pluluain", "i-0xi2s0tw2foepzjji7nd"],
    "eu-central-1": ["i-gw826bpzmzhcdchb6kx6", "i-gw8glsylvyll6yrzdyqd"],
}


@functools.cache
def _hints(model_class: type) -> dict[str, object]:
    return {name: _without_none(hint) for name, hint in typing.get_type_hints(model_class.__init__).items()}


def _without_none(hint: object) -> object:
    """``X`` for ``Optional[X]``, which Python 3.10 makes of an argument defaulting to ``None``."""
    args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    return args[0] if typing.get_origin(hint) is typing.Union and len(args) == 1 else hint


def _nested_model(hint: object) -> type | None:
    """The SDK model class a field holds (alone or in a list), or None for a plain value."""
    inner = next(iter(typing.get_args(hint)), hint)
    return inner if isinstance(inner, type) and issubclass(inner, DaraModel) else None


def _fields(model_class: type, prefix: str = "") -> dict[str, object]:
    """Every plain field of an SDK model class, nested models walked: ``{path: declared type}``."""
    fields = {}
    for name, hint in _hints(model_class).items():
        nested = _nested_model(hint)
        fields |= _fields(nested, f"{prefix}{name}.") if nested else {prefix + name: hint}
    return fields


def _values(model: DaraModel, prefix: str = "") -> Iterator[tuple[str, object]]:
    """``(path, value)`` of every plain field that is set in a parsed SDK model."""
    for name, hint in _hints(type(model)).items():
        value = getattr(model, name)
        if value is None:
            continue
        if _nested_model(hint):
            for item in value if isinstance(value, list) else [value]:
                yield from _values(item, f"{prefix}{name}.")
        else:
            yield prefix + name, value


def _has_type(value: object, hint: object) -> bool:
    if typing.get_origin(hint) is list:
        (item_type,) = typing.get_args(hint)
        return isinstance(value, list) and all(type(item) is item_type for item in value)
    return type(value) is hint


def _records(instances_by_region: dict[str, list[dict]]) -> list[dict]:
    return [record for records in instances_by_region.values() for record in records]


def _ids(instances_by_region: dict[str, list[dict]]) -> dict[str, list[str]]:
    return {region: [record["InstanceId"] for record in records] for region, records in instances_by_region.items()}


@pytest.fixture(scope="module")
def fleet() -> list[dict]:
    """A few hundred synthetic instances, flattened."""
    return _records(synthetic_fleet(300)[1])


# --- default_regions -------------------------------------------------------------------------------


def test_default_regions_are_the_real_ones(shared_fixtures: Path) -> None:
    body = json.loads((shared_fixtures / "alibaba-ecs" / "regions_real.json").read_text(encoding="utf-8"))
    recorded = [{key: region[key] for key in REGION_KEYS} for region in body["Regions"]["Region"]]
    assert default_regions() == recorded
    assert len(recorded) == 29


@pytest.mark.parametrize("count", [1, 29, 40])
def test_default_regions_has_the_size_asked_for(count: int) -> None:
    regions = default_regions(count)
    assert len(regions) == count
    assert regions[:29] == default_regions()[:count]
    assert len({region["RegionId"] for region in regions}) == count
    for region in regions[29:]:
        assert set(region) == REGION_KEYS
        assert region["RegionId"].startswith("sandbox-extra-")
        assert region["RegionEndpoint"] == f"ecs.{region['RegionId']}.aliyuncs.com"


@pytest.mark.parametrize("count", [0, -1])
def test_default_regions_rejects_counts_below_one(count: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        default_regions(count)


def test_default_regions_hands_out_copies() -> None:
    default_regions()[0]["RegionId"] = "changed"
    assert default_regions()[0]["RegionId"] == "cn-qingdao"


# --- synthetic_fleet: size, reproducibility, speed ------------------------------------------------


def test_same_seed_gives_the_same_fleet_whatever_the_global_random_state() -> None:
    random.seed(1)
    first = synthetic_fleet(200, seed=7)
    random.seed(2)
    assert synthetic_fleet(200, seed=7) == first
    assert synthetic_fleet(200, seed=8) != first


@pytest.mark.parametrize(("instance_count", "region_count"), [(0, 3), (1, 1), (37, 29), (500, 40)])
def test_fleet_has_the_exact_total_and_every_region(instance_count: int, region_count: int) -> None:
    regions, instances = synthetic_fleet(instance_count, region_count)
    assert regions == default_regions(region_count)
    assert list(instances) == [region["RegionId"] for region in regions]
    assert sum(map(len, instances.values())) == instance_count


def test_fleet_rejects_a_negative_count() -> None:
    with pytest.raises(ValueError, match="negative"):
        synthetic_fleet(-1)


def test_five_thousand_instances_over_twenty_regions_in_well_under_a_second() -> None:
    started = time.perf_counter()
    regions, instances = synthetic_fleet(5000)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0
    assert len(regions) == len(instances) == 20
    sizes = sorted(map(len, instances.values()))
    assert sum(sizes) == 5000
    assert sizes[0] == 0
    assert sizes[-1] > 2 * 5000 / 20
    ids = [record["InstanceId"] for record in _records(instances)]
    assert len(set(ids)) == 5000


def test_ids_zones_and_regions_agree() -> None:
    _, instances = synthetic_fleet(2000, region_count=40)
    ids = [record["InstanceId"] for record in _records(instances)]
    assert len(set(ids)) == len(ids)
    for region_id, records in instances.items():
        zone = re.compile(re.escape(region_id) + r"-?[a-z]")
        for record in records:
            assert record["RegionId"] == region_id
            assert zone.fullmatch(record["ZoneId"]), record["ZoneId"]
            assert INSTANCE_ID.fullmatch(record["InstanceId"]), record["InstanceId"]
        assert len({record["InstanceId"][:5] for record in records}) <= 1  # one id prefix per region


# --- synthetic_fleet: the SDK model -----------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_few_hundred_records_fill_every_field_of_the_sdk_model(seed: int) -> None:
    filled = {
        path
        for record in _records(synthetic_fleet(300, seed=seed)[1])
        for path, _ in _values(SdkInstance().from_map(record))
    }
    assert filled == set(_fields(SdkInstance))


def test_records_round_trip_through_the_sdk_model_with_the_declared_types(fleet: list[dict]) -> None:
    declared = _fields(SdkInstance)
    for record in fleet:
        model = SdkInstance().from_map(record)
        assert model.to_map() == record
        assert json.loads(json.dumps(record)) == record
        for path, value in _values(model):
            assert _has_type(value, declared[path]), (record["InstanceId"], path, value)


# --- synthetic_fleet: variety as real fleets have it ------------------------------------------------


def test_network_variety(fleet: list[dict]) -> None:
    interface_lists = [record["NetworkInterfaces"]["NetworkInterface"] for record in fleet]
    interfaces = [interface for interface_list in interface_lists for interface in interface_list]
    assert any({interface["Type"] for interface in found} == {"Primary", "Secondary"} for found in interface_lists)
    assert any(len(interface["PrivateIpSets"]["PrivateIpSet"]) >= 2 for interface in interfaces)
    assert any(interface.get("Ipv6Sets", {}).get("Ipv6Set") for interface in interfaces)
    assert any(record["EipAddress"]["IpAddress"] for record in fleet)
    assert NO_EIP in [record["EipAddress"] for record in fleet]
    classic = [record for record in fleet if record["InstanceNetworkType"] == "classic"]
    assert classic
    assert all(record["InnerIpAddress"]["IpAddress"] and record["PublicIpAddress"]["IpAddress"] for record in classic)
    assert any(record.get("RdmaIpAddress", {}).get("IpAddress") for record in fleet)
    assert -1 in {record["InternetMaxBandwidthIn"] for record in fleet}


def test_private_addresses_agree_between_vpc_attributes_and_primary_interface(fleet: list[dict]) -> None:
    for record in fleet:
        interfaces = record["NetworkInterfaces"]["NetworkInterface"]
        vpc_addresses = record["VpcAttributes"]["PrivateIpAddress"]["IpAddress"]
        if record["InstanceNetworkType"] == "classic":
            assert interfaces == []
            assert vpc_addresses == []
            continue
        (primary,) = [interface for interface in interfaces if interface["Type"] == "Primary"]
        ip_sets = primary["PrivateIpSets"]["PrivateIpSet"]
        assert vpc_addresses == [primary["PrimaryIpAddress"]]
        assert [ip_set["PrivateIpAddress"] for ip_set in ip_sets if ip_set["Primary"]] == vpc_addresses


def test_tag_variety(fleet: list[dict]) -> None:
    keys = {tag["TagKey"] for record in fleet for tag in record.get("Tags", {}).get("Tag", [])}
    assert "acs:autoscaling:scalingGroupId" in keys
    assert any(not key.startswith("acs:") and not re.fullmatch(r"[A-Za-z0-9. -]+", key) for key in keys)
    assert any(not key.isascii() for key in keys)
    assert any("Tags" not in record for record in fleet)


def test_status_and_lock_variety(fleet: list[dict]) -> None:
    assert {record["Status"] for record in fleet} == STATUSES
    reasons = {lock["LockReason"] for record in fleet for lock in record["OperationLocks"]["LockReason"]}
    assert {"financial", "security", "Recycling"} <= reasons


def test_operating_system_variety(fleet: list[dict]) -> None:
    assert {record["OSType"] for record in fleet} == {"linux", "windows"}
    assert any("位" in record["OSName"] for record in fleet if record["OSType"] == "windows")
    assert any("位" in record["OSName"] for record in fleet if record["OSType"] == "linux")
    assert all(record["OSNameEn"].isascii() for record in fleet)


def test_name_and_host_name_variety(fleet: list[dict]) -> None:
    names = [record["InstanceName"] for record in fleet]
    assert "" in names
    assert any(re.search(r"[\u4e00-\u9fff]", name) for name in names)
    assert all(ord(character) < 0x1F000 for name in names for character in name)  # no emoji
    assert any(FQDN.fullmatch(record["HostName"]) for record in fleet)
    windows_hosts = [record["HostName"] for record in fleet if record["OSType"] == "windows"]
    assert all(2 <= len(host) <= 15 for host in windows_hosts)
    assert any(host.startswith("WIN-") for host in windows_hosts)


def test_billing_and_placement_variety(fleet: list[dict]) -> None:
    prepaid = [record for record in fleet if record["InstanceChargeType"] == "PrePaid"]
    postpaid = [record for record in fleet if record["InstanceChargeType"] == "PostPaid"]
    assert prepaid
    assert postpaid
    assert all(record["ExpiredTime"] == "2099-12-31T15:59Z" for record in postpaid)
    assert all(record["CreationTime"] < record["ExpiredTime"] < "2099" for record in prepaid)
    assert any(record["SpotStrategy"] != "NoSpot" for record in fleet)
    assert any(record["DedicatedHostAttribute"]["DedicatedHostId"] for record in fleet)
    assert any(record["AutoReleaseTime"] for record in fleet)


def test_times_are_utc_minutes(fleet: list[dict]) -> None:
    for record in fleet:
        for field in ("CreationTime", "StartTime", "ExpiredTime"):
            assert MINUTE.fullmatch(record[field]), (field, record[field])
        assert record["AutoReleaseTime"] == "" or MINUTE.fullmatch(record["AutoReleaseTime"])
        assert record["CreationTime"] <= record["StartTime"]


# --- load_fleet -----------------------------------------------------------------------------------


def test_load_fleet_reads_the_recorded_ecs_traffic_as_it_is(shared_fixtures: Path) -> None:
    regions, instances = load_fleet(shared_fixtures / ECS_RECORDING)
    assert len(regions) == 29
    assert {"me-central-1", "cn-qingdao"} <= {region["RegionId"] for region in regions}
    assert len(instances) == 29  # one DescribeInstances call per region, most of them empty
    assert {region: ids for region, ids in _ids(instances).items() if ids} == RECORDED_INSTANCES
    # the JupiterOne integration kept the raw records it converted: they must be these, untouched
    reference = json.loads(
        (shared_fixtures / "graph-alibaba-cloud" / "reference-converter-output.json").read_text(encoding="utf-8")
    )
    raw = {entity["_key"]: entity["_rawData"][0]["rawData"] for entity in reference["entities"]}
    assert {record["InstanceId"]: record for record in _records(instances)} == raw


def test_load_fleet_skips_other_products_and_failed_calls(shared_fixtures: Path) -> None:
    regions, instances = load_fleet(
        shared_fixtures / RECORDINGS / "build-vpc-has-ecs-instance-relationship_260151437.har"
    )
    assert len(regions) == 29  # the VPC product's own DescribeRegions (28 regions) is not ECS's
    assert all(region["RegionEndpoint"].startswith("ecs") for region in regions)
    assert {region: ids for region, ids in _ids(instances).items() if ids} == RECORDED_INSTANCES
    assert load_fleet(shared_fixtures / RECORDINGS / "access-key-id-auth-error_3205495417.har") == (None, {})


def test_load_fleet_reads_a_describe_instances_body(shared_fixtures: Path) -> None:
    path = shared_fixtures / "alibaba-ecs" / "describe_instances_real.json"
    records = json.loads(path.read_text(encoding="utf-8"))["Instances"]["Instance"]
    assert load_fleet(path) == (None, {"cn-hangzhou": [records[0]], "cn-shanghai": [records[1]]})


def test_load_fleet_reads_the_full_synthetic_body(shared_fixtures: Path) -> None:
    path = shared_fixtures / "alibaba-ecs" / "describe_instances_full_synthetic.json"
    records = json.loads(path.read_text(encoding="utf-8"))["Instances"]["Instance"]
    assert load_fleet(path) == (None, {"cn-hangzhou": records})


def test_load_fleet_reads_a_region_list(shared_fixtures: Path) -> None:
    assert load_fleet(shared_fixtures / "alibaba-ecs" / "regions_real.json") == (default_regions(), {})


def test_load_fleet_reads_a_plain_list_of_instances(shared_fixtures: Path, tmp_path: Path) -> None:
    body = json.loads((shared_fixtures / "alibaba-ecs" / "describe_instances_real.json").read_text(encoding="utf-8"))
    first, second = body["Instances"]["Instance"]
    path = tmp_path / "instances.json"
    path.write_text(json.dumps([second, first], ensure_ascii=False), encoding="utf-8")
    assert load_fleet(path) == (None, {"cn-shanghai": [second], "cn-hangzhou": [first]})


def test_load_fleet_merges_several_files(shared_fixtures: Path) -> None:
    regions, instances = load_fleet(
        shared_fixtures / ECS_RECORDING,
        shared_fixtures / "alibaba-ecs" / "regions_real.json",
        shared_fixtures / "alibaba-ecs" / "describe_instances_real.json",
    )
    region_ids = [region["RegionId"] for region in regions]
    assert len(region_ids) == len(set(region_ids)) == 30  # the recording's 29 and cn-wuhan-lr
    assert region_ids[-1] == "cn-wuhan-lr"
    assert len(_ids(instances)["cn-hangzhou"]) == len(_ids(instances)["cn-shanghai"]) == 1
    assert _ids(instances)["us-east-1"] == RECORDED_INSTANCES["us-east-1"]


def test_load_fleet_rejects_an_instance_met_twice(shared_fixtures: Path) -> None:
    again = shared_fixtures / RECORDINGS / "validate-invocation_3585932400.har"
    with pytest.raises(ValueError, match=r"i-0xi13jzw8m86pluluain.*fetch-ecs-instances") as raised:
        load_fleet(shared_fixtures / ECS_RECORDING, again)
    assert str(again) in str(raised.value)


@pytest.mark.parametrize(
    "content",
    [
        '{"RequestId": "x", "Code": "Throttling"}',
        '{"Regions": [{"RegionId": "cn-hangzhou"}]}',
        '[{"RegionId": "cn-hangzhou"}]',
        "not json",
    ],
)
def test_load_fleet_rejects_a_file_of_another_shape(tmp_path: Path, content: str) -> None:
    path = tmp_path / "odd.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(str(path))):
        load_fleet(path)
