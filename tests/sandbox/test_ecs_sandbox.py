"""The ECS sandbox's API through the official SDK, over real HTTP."""

from __future__ import annotations

import json
import threading
from collections import Counter

import pytest
import requests
from alibabacloud_ecs20140526.models import (
    DescribeInstancesRequest,
    DescribeInstancesRequestTag,
    DescribeRegionsRequest,
)
from alibabacloud_tea_openapi.exceptions import ClientException
from ecs_wire import REGIONS, acs3_call, make_instance, sdk_client, v2_call

from alibaba_jupiterone.sandbox import DEFAULT_CREDENTIAL, Credential, EcsSandbox
from alibaba_jupiterone.sandbox.alibaba.ecs.regions import default_regions


def list_pages(client, region_id: str = "cn-hangzhou", token: str | None = None, **paging) -> list[list[str]]:
    """Instance ids page by page, following NextToken from ``token``."""
    pages = []
    while True:
        request = DescribeInstancesRequest(region_id=region_id, next_token=token, **paging)
        body = client.describe_instances(request).body
        pages.append([instance.instance_id for instance in body.instances.instance])
        token = body.next_token
        if not token:
            return pages


def tags(**pairs: str) -> dict:
    return {"Tag": [{"TagKey": key, "TagValue": value} for key, value in pairs.items()]}


def ids(client, **filters) -> list[str]:
    body = client.describe_instances(DescribeInstancesRequest(region_id="cn-hangzhou", **filters)).body
    return [instance.instance_id for instance in body.instances.instance]


@pytest.fixture
def fleet_of_237(sandbox: EcsSandbox) -> EcsSandbox:
    sandbox.add_instances("cn-hangzhou", [make_instance(n) for n in range(237)])
    return sandbox


def test_describe_regions_answers_the_real_region_list(ecs_sandbox_factory):
    sandbox = ecs_sandbox_factory()

    body = sdk_client(sandbox).describe_regions(DescribeRegionsRequest(accept_language="en-US")).body

    assert body.to_map()["Regions"]["Region"] == default_regions()
    assert sandbox.region_ids == [region["RegionId"] for region in default_regions()]
    assert body.request_id == sandbox.requests[-1].request_id


@pytest.mark.parametrize(
    ("max_results", "sizes"),
    [(None, [10] * 23 + [7]), (5, [10] * 23 + [7]), (100, [100, 100, 37]), (500, [100, 100, 37])],
)
def test_max_results_is_clamped_between_10_and_100(fleet_of_237, max_results, sizes):
    pages = list_pages(sdk_client(fleet_of_237), token="", max_results=max_results)

    assert [len(page) for page in pages] == sizes
    assert [i for page in pages for i in page] == [f"i-{n:05d}" for n in range(237)]


def test_page_fields_are_ignored_once_max_results_is_sent(fleet_of_237):
    pages = list_pages(sdk_client(fleet_of_237), max_results=100, page_number=3, page_size=5)

    assert [len(page) for page in pages] == [100, 100, 37]


def test_page_number_paging_reports_total_count(fleet_of_237):
    client = sdk_client(fleet_of_237)

    def page(**paging):
        return client.describe_instances(DescribeInstancesRequest(region_id="cn-hangzhou", **paging)).body

    bodies = [page(page_number=n, page_size=50) for n in range(1, 7)]
    assert [len(b.instances.instance) for b in bodies] == [50, 50, 50, 50, 37, 0]
    assert {(b.total_count, b.page_size) for b in bodies} == {(237, 50)}
    assert [b.page_number for b in bodies] == [1, 2, 3, 4, 5, 6]
    assert bodies[4].instances.instance[-1].instance_id == "i-00236"
    default = page()
    assert (len(default.instances.instance), default.page_size, default.page_number) == (10, 10, 1)
    assert len(page(page_size=500).instances.instance) == 100


def test_an_empty_region_answers_an_empty_page(sandbox):
    body = sdk_client(sandbox).describe_instances(DescribeInstancesRequest(region_id="cn-beijing")).body

    assert body.to_map() | {"RequestId": None} == {
        "RequestId": None,
        "TotalCount": 0,
        "PageNumber": 1,
        "PageSize": 10,
        "NextToken": "",
        "Instances": {"Instance": []},
    }


def test_filters(sandbox):
    vpc = {"VpcId": "vpc-a", "VSwitchId": "vsw-a"}
    sandbox.add_instances(
        "cn-hangzhou",
        [
            make_instance(
                1,
                Status="Running",
                ZoneId="cn-hangzhou-h",
                InstanceType="ecs.g7.large",
                ResourceGroupId="rg-1",
                VpcAttributes=vpc,
                SecurityGroupIds={"SecurityGroupId": ["sg-1", "sg-2"]},
                Tags=tags(env="prod", team="red"),
            ),
            make_instance(
                2,
                InstanceName="db-2",
                Status="Stopped",
                ZoneId="cn-hangzhou-i",
                VpcAttributes={"VpcId": "vpc-b", "VSwitchId": "vsw-b"},
                SecurityGroupIds={"SecurityGroupId": ["sg-2"]},
                Tags=tags(env="dev"),
            ),
            make_instance(3, VpcAttributes="", SecurityGroupIds={"SecurityGroupId": []}),
        ],
    )
    client = sdk_client(sandbox)

    assert ids(client) == ["i-00001", "i-00002", "i-00003"]
    assert ids(client, instance_ids=json.dumps(["i-00003", "i-00001", "i-nope"])) == ["i-00001", "i-00003"]
    assert ids(client, status="Stopped") == ["i-00002"]
    assert ids(client, vpc_id="vpc-a") == ["i-00001"]
    assert ids(client, v_switch_id="vsw-b") == ["i-00002"]
    assert ids(client, zone_id="cn-hangzhou-i") == ["i-00002"]
    assert ids(client, instance_type="ecs.g7.large") == ["i-00001"]
    assert ids(client, security_group_id="sg-2") == ["i-00001", "i-00002"]
    assert ids(client, resource_group_id="rg-1") == ["i-00001"]
    assert ids(client, instance_name="web-*") == ["i-00001", "i-00003"]
    assert ids(client, instance_name="*-2") == ["i-00002"]
    assert ids(client, instance_name="web-1") == ["i-00001"]
    assert ids(client, status="Running", vpc_id="vpc-b") == []


def test_every_given_tag_must_match(sandbox):
    sandbox.add_instances(
        "cn-hangzhou",
        [
            make_instance(1, Tags=tags(env="prod", team="a")),
            make_instance(2, Tags=tags(env="dev")),
            make_instance(3),
        ],
    )
    client = sdk_client(sandbox)

    def tagged(*tags):
        return ids(client, tag=[DescribeInstancesRequestTag(key=key, value=value) for key, value in tags])

    assert tagged(("env", None)) == ["i-00001", "i-00002"]
    assert tagged(("env", "dev")) == ["i-00002"]
    assert tagged(("env", "prod"), ("team", "a")) == ["i-00001"]
    assert tagged(("env", "dev"), ("team", "a")) == []


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"NextToken": "not-a-token"}, "NextToken"),
        ({"NextToken": "Y24tYmVpamluZzoxMA=="}, "NextToken"),  # a token of another region
        ({"InstanceIds": "i-00001"}, "InstanceIds"),
        ({"InstanceIds": json.dumps([f"i-{n}" for n in range(101)])}, "InstanceIds"),
        ({"MaxResults": "many"}, "MaxResults"),
        ({"PageNumber": "0"}, "PageNumber"),
        ({"PageSize": "-1"}, "PageSize"),
        ({"Status": "running"}, "Status"),
        ({"Tag.21.Key": "env"}, "Tag.21.Key"),
        ({"Tag.1.Value": "prod"}, "Tag.1.Key"),
        ({"DryRun": "maybe"}, "DryRun"),
    ],
)
def test_bad_parameters_are_named(sandbox, params, named):
    response = acs3_call(sandbox, "DescribeInstances", {"RegionId": "cn-hangzhou", **params})

    assert response.status_code == 400
    assert response.json()["Code"] == "InvalidParameter"
    assert f'"{named}"' in response.json()["Message"]


@pytest.mark.parametrize(
    ("region_id", "status", "code", "message"),
    [
        (None, 400, "MissingRegionId", "RegionId is mandatory for this action."),
        ("mars-north-1", 400, "InvalidRegionId.NotFound", "The specified region does not exist."),
    ],
)
def test_region_id_is_required_and_must_exist(sandbox, region_id, status, code, message):
    with pytest.raises(ClientException) as raised:
        sdk_client(sandbox).describe_instances(DescribeInstancesRequest(region_id=region_id))

    assert (raised.value.status_code, raised.value.code, raised.value.data["Message"]) == (status, code, message)


def test_dry_run_tells_allowed_from_forbidden_regions(sandbox):
    sandbox.add_instances("cn-beijing", [make_instance(1, "cn-beijing")])
    sandbox.forbid_region("cn-beijing")
    client = sdk_client(sandbox)

    def dry_run(region_id: str) -> ClientException:
        with pytest.raises(ClientException) as raised:
            client.describe_instances(DescribeInstancesRequest(region_id=region_id, dry_run=True))
        return raised.value

    allowed, forbidden = dry_run("cn-hangzhou"), dry_run("cn-beijing")
    assert (allowed.status_code, allowed.code) == (400, "DryRunOperation")
    assert allowed.data["Message"] == "Request validation has been passed with DryRun flag set."
    assert (forbidden.status_code, forbidden.code) == (403, "Forbidden.RAM")
    assert forbidden.data["Message"] == (
        "User not authorized to operate on the specified resource, or this API doesn't support RAM."
    )
    body = client.describe_instances(DescribeInstancesRequest(region_id="cn-beijing")).body
    assert (body.total_count, body.instances.instance) == (0, [])

    sandbox.allow_region("cn-beijing")
    assert dry_run("cn-beijing").code == "DryRunOperation"
    assert client.describe_instances(DescribeInstancesRequest(region_id="cn-beijing")).body.total_count == 1


def test_records_are_served_exactly_as_stored(ecs_sandbox_factory, shared_fixtures):
    full = json.loads((shared_fixtures / "alibaba-ecs" / "describe_instances_full_synthetic.json").read_text())
    record = full["Instances"]["Instance"][0]
    sandbox = ecs_sandbox_factory(regions=REGIONS, instances={"cn-hangzhou": [record]})

    response = acs3_call(sandbox, "DescribeInstances", {"RegionId": "cn-hangzhou"})
    sdk_body = sdk_client(sandbox).describe_instances(DescribeInstancesRequest(region_id="cn-hangzhou")).body

    assert response.json()["Instances"]["Instance"] == [record] == sandbox.instances("cn-hangzhou")
    assert sdk_body.to_map()["Instances"]["Instance"] == [record]
    assert response.headers["Content-Type"] == "application/json;charset=utf-8"
    assert response.headers["x-acs-request-id"] == response.json()["RequestId"]


def test_synthetic_fleet_lists_completely(ecs_sandbox_factory):
    sandbox = ecs_sandbox_factory("synthetic", 300, region_count=4, seed=3)
    client = sdk_client(sandbox)

    listed = {
        region_id: [i for page in list_pages(client, region_id, max_results=100) for i in page]
        for region_id in sandbox.region_ids
    }

    assert sum(map(len, listed.values())) == sandbox.instance_count() == 300
    assert listed == {r: [i["InstanceId"] for i in sandbox.instances(r)] for r in sandbox.region_ids}


def test_instances_can_be_added_and_removed_between_runs(sandbox):
    client = sdk_client(sandbox)
    sandbox.add_instances("cn-hangzhou", [make_instance(n) for n in range(3)])
    assert ids(client) == ["i-00000", "i-00001", "i-00002"]

    sandbox.remove_instances(["i-00001"])
    sandbox.add_instances("cn-hangzhou", [make_instance(7)])

    assert ids(client) == ["i-00000", "i-00002", "i-00007"]
    assert sandbox.instance_count() == 3
    with pytest.raises(KeyError, match="i-99999"):
        sandbox.remove_instances(["i-00000", "i-99999"])
    assert sandbox.instance_count() == 3


def test_state_is_copied_in_and_out(sandbox):
    record = make_instance(1)
    sandbox.add_instances("cn-hangzhou", [record])
    record["InstanceName"] = "changed by the caller"
    sandbox.instances("cn-hangzhou")[0]["InstanceName"] = "changed by the caller"

    assert sandbox.instances("cn-hangzhou") == [make_instance(1)]
    with pytest.raises(KeyError):
        sandbox.add_instances("mars-north-1", [record])


def test_concurrent_clients_each_get_their_own_pages(ecs_sandbox_factory):
    sandbox = ecs_sandbox_factory("synthetic", 400, region_count=4)
    expected = {r: [i["InstanceId"] for i in sandbox.instances(r)] for r in sandbox.region_ids}
    results, errors = [], []

    def crawl():
        try:
            client = sdk_client(sandbox)
            results.append({r: [i for p in list_pages(client, r, max_results=10) for i in p] for r in expected})
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=crawl) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert results == [expected] * 8


def test_requests_are_logged_without_secrets(ecs_sandbox_factory):
    sts = Credential("sts-key-id", "sts-secret", security_token="sts-token")
    sandbox = ecs_sandbox_factory(regions=REGIONS, credentials=[DEFAULT_CREDENTIAL, sts])
    sdk_client(sandbox).describe_regions(DescribeRegionsRequest())
    sdk_client(sandbox, sts, signature_algorithm="v2").describe_instances(
        DescribeInstancesRequest(region_id="cn-beijing", max_results=50)
    )
    with pytest.raises(ClientException):
        sdk_client(sandbox).describe_instances(DescribeInstancesRequest(region_id="nowhere"))

    log = sandbox.requests

    assert [(r.action, r.region_id, r.status, r.code, r.access_key_id) for r in log] == [
        ("DescribeRegions", None, 200, None, DEFAULT_CREDENTIAL.access_key_id),
        ("DescribeInstances", "cn-beijing", 200, None, "sts-key-id"),
        ("DescribeInstances", "nowhere", 400, "InvalidRegionId.NotFound", DEFAULT_CREDENTIAL.access_key_id),
    ]
    assert log[1].params["MaxResults"] == "50"
    for text in map(repr, log):
        assert "secret" not in text
        assert "sts-token" not in text
    assert not {"AccessKeyId", "Signature", "SecurityToken"} & {k for r in log for k in r.params}
    sandbox.clear_requests()
    assert sandbox.requests == []


def test_connection_extra_and_json(ecs_sandbox_factory):
    sts = Credential("sts-key-id", "sts-secret", security_token="sts-token")
    sandbox = ecs_sandbox_factory(regions=REGIONS, credentials=[DEFAULT_CREDENTIAL, sts])

    assert sandbox.connection_extra() == {
        "access_key_id": DEFAULT_CREDENTIAL.access_key_id,
        "access_key_secret": DEFAULT_CREDENTIAL.access_key_secret,
        "endpoint": sandbox.endpoint,
        "protocol": "http",
    }
    assert sandbox.connection_extra(sts, region="cn-beijing")["security_token"] == "sts-token"
    assert json.loads(sandbox.connection_json(region="cn-beijing")) == {
        "conn_type": "alibaba_cloud",
        "extra": sandbox.connection_extra(region="cn-beijing"),
    }


def test_lifecycle(sandbox):
    endpoint = sandbox.endpoint
    with pytest.raises(RuntimeError):
        sandbox.start()
    sdk_client(sandbox).describe_regions(DescribeRegionsRequest())

    sandbox.stop()
    sandbox.stop()

    with pytest.raises(RuntimeError):
        _ = sandbox.endpoint
    with pytest.raises(requests.ConnectionError):
        requests.post(f"http://{endpoint}/", timeout=2)
    with sandbox:
        assert Counter(r.status for r in sandbox.requests) == {200: 1}
        assert sdk_client(sandbox).describe_regions(DescribeRegionsRequest()).status_code == 200


def test_recorded_fleet_is_served_as_recorded(ecs_sandbox_factory, shared_fixtures):
    recording = shared_fixtures / "graph-alibaba-cloud" / "recordings" / "fetch-ecs-instances_256277370.har"
    recorded = {}
    for entry in json.loads(recording.read_text())["log"]["entries"]:
        query = {item["name"]: item["value"] for item in entry["request"]["queryString"]}
        if query["Action"] == "DescribeInstances":
            recorded[query["RegionId"]] = json.loads(entry["response"]["content"]["text"])["Instances"]["Instance"]
    sandbox = ecs_sandbox_factory("from_files", recording)

    served = {
        region_id: v2_call(sandbox, "DescribeInstances", {"RegionId": region_id, "PageSize": "50"}).json()
        for region_id in sandbox.region_ids
    }

    assert {region_id: body["Instances"]["Instance"] for region_id, body in served.items()} == recorded
    assert sandbox.instance_count() == 4
