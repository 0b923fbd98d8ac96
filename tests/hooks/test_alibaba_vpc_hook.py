"""AlibabaVpcHook through the real VPC SDK against the local Alibaba Cloud sandbox, over real HTTP."""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from pathlib import Path

import pytest
from alibabacloud_tea_openapi.models import Config
from alibabacloud_vpc20160428.client import Client as VpcClient

from alibaba_jupiterone.errors import AlibabaApiError, AlibabaAuthorizationError, ConfigurationError
from alibaba_jupiterone.hooks.alibaba_vpc import VPC, AlibabaVpcHook
from alibaba_jupiterone.hooks.retry import RetryPolicy
from alibaba_jupiterone.sandbox import AlibabaCloudSandbox, Fault

FAST_RETRY = RetryPolicy(max_attempts=5, max_elapsed=30, initial_delay=0.01, max_delay=0.05)
RECORDING = "fetch-vpcs_494783370.har"


@pytest.fixture
def connect(monkeypatch: pytest.MonkeyPatch):
    """Point the default ``alibaba_cloud`` connection (an env var) at a sandbox; make a VPC hook of it."""

    def connect(sandbox: AlibabaCloudSandbox, *, policy=FAST_RETRY, max_concurrent_calls=8, **extra):
        monkeypatch.setenv("AIRFLOW_CONN_ALIBABACLOUD_DEFAULT", sandbox.connection_json(**extra))
        return AlibabaVpcHook(retry=policy, max_concurrent_calls=max_concurrent_calls)

    return connect


def calls(sandbox: AlibabaCloudSandbox, action: str, region_id: str | None = None) -> list:
    return [
        r for r in sandbox.requests if r.product == "vpc" and r.action == action and region_id in (None, r.region_id)
    ]


def expected_vpcs(sandbox: AlibabaCloudSandbox, region_id: str) -> list[dict]:
    """What the sandbox serves for the region: each DescribeVpcs item, its attribute answer's fields winning."""
    return [{**item, **sandbox.vpc_attribute(item["VpcId"])} for item in sandbox.vpcs(region_id)]


def recorded(recording: Path, action: str) -> list[tuple[dict, dict]]:
    """``(query, response body)`` of each call of ``action`` in a HAR recording (legacy V2 requests)."""
    answers = []
    for entry in json.loads(recording.read_text())["log"]["entries"]:
        query = {item["name"]: item["value"] for item in entry["request"]["queryString"]}
        if query.get("Action") == action:
            answers.append((query, json.loads(entry["response"]["content"]["text"])))
    return answers


@pytest.mark.parametrize("count", [0, 1, 50, 51, 137])
def test_lists_every_page_of_a_region(alibaba_sandbox_factory, connect, count):
    sandbox = alibaba_sandbox_factory(vpcs={"cn-hangzhou": [], "cn-beijing": []})
    sandbox.add_vpcs("cn-hangzhou", [{"VpcId": f"vpc-{n:04}", "RegionId": "cn-hangzhou"} for n in range(count)])
    hook = connect(sandbox)

    listed = list(hook.iter_vpcs("cn-hangzhou"))

    assert listed == expected_vpcs(sandbox, "cn-hangzhou")
    assert len({vpc["VpcId"] for vpc in listed}) == count
    pages = calls(sandbox, "DescribeVpcs")
    assert len(pages) == max(1, math.ceil(count / 50))
    assert [(p.params["PageNumber"], p.params["PageSize"]) for p in pages] == [
        (str(n), "50") for n in range(1, len(pages) + 1)
    ]
    attributes = calls(sandbox, "DescribeVpcAttribute")
    assert sorted(a.params["VpcId"] for a in attributes) == sorted(vpc["VpcId"] for vpc in listed)
    assert {r.region_id for r in sandbox.requests if r.product == "vpc" and r.action != "DescribeRegions"} <= {
        "cn-hangzhou"
    }


def test_lists_a_synthetic_world_of_many_regions(alibaba_sandbox_factory, connect):
    sandbox = alibaba_sandbox_factory("synthetic", 60, region_count=4, vpcs_per_region=70)
    hook = connect(sandbox, max_concurrent_calls=4)

    listed = {region_id: list(hook.iter_vpcs(region_id)) for region_id in hook.list_regions()}

    assert listed == {region_id: expected_vpcs(sandbox, region_id) for region_id in sandbox.vpc_region_ids}
    assert sum(map(len, listed.values())) == 4 * 70
    assert Counter(r.action for r in sandbox.requests) == {
        "DescribeRegions": 1,
        "DescribeVpcs": 4 * 2,
        "DescribeVpcAttribute": 4 * 70,
    }


def test_the_attribute_answer_wins_over_the_listing_item(alibaba_sandbox_factory, connect):
    item = {"VpcId": "vpc-both", "RegionId": "cn-beijing", "Description": "listed", "CenStatus": "Detached"}
    attribute = {"VpcId": "vpc-both", "RegionId": "cn-beijing", "Description": "described", "NetworkAclNum": 2}
    sandbox = alibaba_sandbox_factory(vpcs={"cn-beijing": [item]}, vpc_attributes={"vpc-both": attribute})

    (vpc,) = connect(sandbox).iter_vpcs("cn-beijing")

    assert vpc == {**item, **attribute}
    assert vpc["Description"] == "described"
    assert vpc["CenStatus"] == "Detached", "a field only the listing gives is kept"


def test_records_keep_the_fields_the_typed_models_drop(alibaba_sandbox_factory, connect, shared_fixtures):
    recording = shared_fixtures / "graph-alibaba-cloud" / "recordings" / RECORDING
    listings = {query["RegionId"]: body for query, body in recorded(recording, "DescribeVpcs")}
    attributes = {query["VpcId"]: body for query, body in recorded(recording, "DescribeVpcAttribute")}
    sandbox = alibaba_sandbox_factory("from_files", recording)
    hook = connect(sandbox)

    listed = {region_id: list(hook.iter_vpcs(region_id)) for region_id in hook.list_regions()}

    merged = {
        region_id: [
            {**item, **{k: v for k, v in attributes[item["VpcId"]].items() if k != "RequestId"}}
            for item in body["Vpcs"]["Vpc"]
        ]
        for region_id, body in listings.items()
    }
    assert {region_id: vpcs for region_id, vpcs in listed.items() if vpcs} == {r: v for r, v in merged.items() if v}
    assert sum(map(len, listed.values())) == 7
    every_vpc = [vpc for vpcs in listed.values() for vpc in vpcs]
    assert all({"AdvancedResource", "NetworkAclNum", "CloudResources", "VpcId"} <= set(vpc) for vpc in every_vpc)
    assert not any("RequestId" in vpc for vpc in every_vpc)


def test_list_regions_is_vpcs_own_describe_regions(alibaba_sandbox_factory, connect):
    regions = [
        {"RegionId": "cn-qingdao", "RegionEndpoint": "vpc.aliyuncs.com", "LocalName": "华北 1"},
        {"RegionId": "xx-new-1", "RegionEndpoint": "vpc.xx-new-1.aliyuncs.com", "LocalName": "New"},
    ]
    sandbox = alibaba_sandbox_factory(vpc_regions=regions)
    hook = connect(sandbox)

    assert hook.list_regions() == ["cn-qingdao", "xx-new-1"]
    (call,) = sandbox.requests
    assert (call.product, call.action) == ("vpc", "DescribeRegions")
    assert sandbox.region_ids != ["cn-qingdao", "xx-new-1"], "ECS's regions are another list"


def test_each_region_is_called_at_the_endpoint_vpc_lists_for_it(monkeypatch, shared_fixtures):
    extra = {"access_key_id": "id-for-endpoint-test", "access_key_secret": "secret-for-endpoint-test"}
    monkeypatch.setenv("AIRFLOW_CONN_ALIBABACLOUD_DEFAULT", json.dumps({"conn_type": "alibaba_cloud", "extra": extra}))
    recording = shared_fixtures / "graph-alibaba-cloud" / "recordings" / RECORDING
    ((_, answer),) = recorded(recording, "DescribeRegions")
    regions = answer["Regions"]["Region"]
    hook = AlibabaVpcHook()

    # VPC's real DescribeRegions answer, as list_regions keeps it (no call: nothing is reachable here).
    hook.remember_region_endpoints(VPC, regions)

    for region in regions:
        assert hook.get_conn(region["RegionId"])._endpoint == region["RegionEndpoint"]
    guesses = {r["RegionId"]: VpcClient(Config(region_id=r["RegionId"], **extra))._endpoint for r in regions}
    disagreements = [r["RegionId"] for r in regions if guesses[r["RegionId"]] != r["RegionEndpoint"]]
    assert len(disagreements) >= 5, "the SDK's own guess is not what VPC says"
    with pytest.raises(ConfigurationError, match="mars-north-1"):
        list(hook.iter_vpcs("mars-north-1"))


@pytest.mark.parametrize("allow_list", [["cn-beijing", "cn-qingdao"], "cn-beijing, cn-qingdao"])
def test_allow_list_narrows_the_regions(alibaba_sandbox_factory, connect, allow_list):
    sandbox = alibaba_sandbox_factory("synthetic", 10, region_count=3)
    hook = connect(sandbox, regions=allow_list)

    assert hook.list_regions() == ["cn-beijing", "cn-qingdao"]
    with pytest.raises(ConfigurationError, match="cn-zhangjiakou"):
        next(hook.iter_vpcs("cn-zhangjiakou"))
    with pytest.raises(ConfigurationError, match="cn-zhangjiakou"):
        hook.check_permission("cn-zhangjiakou")
    assert not calls(sandbox, "DescribeVpcs")


def test_an_allow_listed_region_vpc_does_not_list_is_named(alibaba_sandbox, connect):
    hook = connect(alibaba_sandbox, regions=["cn-qingdao", "mars-north-1"])

    with pytest.raises(ConfigurationError, match="mars-north-1") as raised:
        hook.list_regions()
    assert "VPC" in str(raised.value)
    assert hook.list_regions(strict=False) == ["cn-qingdao"], "left out for a connection serving several products"


def test_a_total_that_changes_during_the_listing_is_an_error(alibaba_sandbox_factory, connect):
    sandbox = alibaba_sandbox_factory(vpcs={"cn-beijing": [{"VpcId": f"vpc-{n:03}"} for n in range(60)]})
    hook = connect(sandbox)
    vpcs = hook.iter_vpcs("cn-beijing")
    first_page = [next(vpcs) for _ in range(50)]

    sandbox.add_vpcs("cn-beijing", [{"VpcId": "vpc-created-meanwhile"}])
    with pytest.raises(AlibabaApiError, match="TotalCount from 60 to 61 on page 2") as raised:
        next(vpcs)

    assert [vpc["VpcId"] for vpc in first_page] == [f"vpc-{n:03}" for n in range(50)]
    assert (raised.value.product, raised.value.action, raised.value.region) == ("VPC", "DescribeVpcs", "cn-beijing")
    assert raised.value.request_id == calls(sandbox, "DescribeVpcs")[-1].request_id


def test_attribute_calls_overlap_within_the_bound_and_keep_the_order(alibaba_sandbox_factory, connect):
    vpc_ids = [f"vpc-{n:02}" for n in range(40)]
    sandbox = alibaba_sandbox_factory(vpcs={"cn-shanghai": [{"VpcId": vpc_id} for vpc_id in vpc_ids]})
    sandbox.inject(Fault("latency", product="vpc", action="DescribeVpcAttribute", delay=0.1))
    hook = connect(sandbox, max_concurrent_calls=4)

    started = time.monotonic()
    listed = list(hook.iter_vpcs("cn-shanghai"))
    elapsed = time.monotonic() - started

    assert [vpc["VpcId"] for vpc in listed] == vpc_ids
    assert elapsed >= math.ceil(40 / 4) * 0.1 * 0.95, "never more than 4 calls at once"
    assert elapsed < 40 * 0.1 / 2, "the calls do overlap"


def test_throttling_and_unavailability_are_retried(alibaba_sandbox_factory, connect):
    sandbox = alibaba_sandbox_factory("synthetic", 40, region_count=2, vpcs_per_region=60)
    sandbox.inject(Fault("throttle", product="vpc", action="DescribeRegions", times=1, code="Throttling"))
    sandbox.inject(Fault("throttle", product="vpc", action="DescribeVpcs", times=2))
    sandbox.inject(Fault("throttle", product="vpc", action="DescribeVpcAttribute", times=6, retry_after_ms=20))
    sandbox.inject(Fault("error", product="vpc", action="DescribeVpcAttribute", times=2, code="ServiceUnavailable"))
    hook = connect(sandbox)

    listed = {region_id: list(hook.iter_vpcs(region_id)) for region_id in hook.list_regions()}

    assert listed == {region_id: expected_vpcs(sandbox, region_id) for region_id in sandbox.vpc_region_ids}
    assert Counter(r.code for r in sandbox.requests if r.code) == {
        "Throttling": 1,
        "Throttling.User": 8,
        "ServiceUnavailable": 2,
    }


def test_check_permission_tells_a_denied_region(alibaba_sandbox_factory, connect):
    sandbox = alibaba_sandbox_factory("synthetic", 20, region_count=3, denied=["vpc:DescribeVpcs@cn-beijing"])
    hook = connect(sandbox)

    hook.check_permission("cn-qingdao")
    with pytest.raises(AlibabaAuthorizationError, match="cn-beijing") as raised:
        hook.check_permission("cn-beijing")
    # A denied listing raises too: an empty listing always means "no VPCs".
    with pytest.raises(AlibabaAuthorizationError, match="VPC DescribeVpcs in cn-beijing"):
        list(hook.iter_vpcs("cn-beijing"))

    assert (raised.value.code, raised.value.status, raised.value.product) == ("Forbidden.RAM", 403, "VPC")
    assert "AliyunVPCReadOnlyAccess" in str(raised.value)
    checks = [(r.region_id, r.params.get("DryRun"), r.code) for r in calls(sandbox, "DescribeVpcs")]
    assert checks == [
        ("cn-qingdao", "True", "DryRunOperation"),
        ("cn-beijing", "True", "Forbidden.RAM"),
        ("cn-beijing", None, "Forbidden.RAM"),
    ]


def test_test_connection_reports_success_and_each_denied_region(alibaba_sandbox_factory, connect):
    sandbox = alibaba_sandbox_factory("synthetic", 20, region_count=4)
    assert connect(sandbox).test_connection() == (True, "Connected: may list VPCs in 4 regions.")

    sandbox.deny("vpc:DescribeVpcs@cn-beijing")
    sandbox.deny("vpc:DescribeVpcs@cn-huhehaote")
    ok, message = connect(sandbox).test_connection()
    assert not ok
    assert "2 of 4 regions" in message
    assert "cn-beijing" in message
    assert "cn-huhehaote" in message

    ok, message = connect(sandbox, access_key_id="unknown-key-id").test_connection()
    assert not ok
    assert "InvalidAccessKeyId.NotFound" in message
    assert "VPC DescribeRegions" in message
