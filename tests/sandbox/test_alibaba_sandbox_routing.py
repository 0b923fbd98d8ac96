"""One port, four products: routing on (API version, action), through the official SDKs over real HTTP."""

from __future__ import annotations

import pytest
from alibaba_wire import ECS_VERSION, RAM_VERSION, STS_VERSION, VPC_VERSION, ram_client, sts_client, vpc_client
from alibabacloud_ecs20140526.models import DescribeRegionsRequest as EcsDescribeRegionsRequest
from alibabacloud_ram20150501.models import ListUsersRequest
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_vpc20160428.models import DescribeRegionsRequest as VpcDescribeRegionsRequest
from alibabacloud_vpc20160428.models import DescribeVpcsRequest
from ecs_wire import acs3_call, sdk_client, v2_call

from alibaba_jupiterone.sandbox import AlibabaCloudSandbox, Credential, EcsSandbox
from alibaba_jupiterone.sandbox.alibaba.ecs.regions import default_regions
from alibaba_jupiterone.sandbox.alibaba.vpc.regions import default_vpc_regions


def test_each_product_answers_its_own_describe_regions(alibaba_sandbox_factory):
    sandbox = alibaba_sandbox_factory()

    ecs = sdk_client(sandbox).describe_regions(EcsDescribeRegionsRequest()).body.to_map()["Regions"]["Region"]
    vpc = vpc_client(sandbox).describe_regions(VpcDescribeRegionsRequest()).body.to_map()["Regions"]["Region"]

    assert ecs == default_regions()
    assert vpc == default_vpc_regions()
    assert len(vpc) == 28
    assert {region["RegionEndpoint"] for region in ecs} & {region["RegionEndpoint"] for region in vpc} == set()
    assert sum(region["RegionEndpoint"] == "vpc.aliyuncs.com" for region in vpc) > 1
    assert "cn-wuhan-lr" in sandbox.region_ids
    assert "cn-wuhan-lr" not in sandbox.vpc_region_ids
    assert [(r.product, r.action) for r in sandbox.requests] == [("ecs", "DescribeRegions"), ("vpc", "DescribeRegions")]


def test_every_product_is_served_on_the_same_port(alibaba_sandbox):
    account = alibaba_sandbox.account

    identity = sts_client(alibaba_sandbox).get_caller_identity().body
    users = ram_client(alibaba_sandbox).list_users(ListUsersRequest()).body.users.user
    region_id = alibaba_sandbox.vpc_region_ids[0]
    vpcs = vpc_client(alibaba_sandbox).describe_vpcs(DescribeVpcsRequest(region_id=region_id)).body.vpcs.vpc
    regions = sdk_client(alibaba_sandbox).describe_regions(EcsDescribeRegionsRequest()).body.regions.region

    assert identity.account_id == account["AccountId"]
    assert [user.user_name for user in users] == [user["UserName"] for user in alibaba_sandbox.ram.users]
    assert [vpc.vpc_id for vpc in vpcs] == [item["VpcId"] for item in alibaba_sandbox.vpcs(region_id)]
    assert [region.region_id for region in regions] == alibaba_sandbox.region_ids
    assert {record.product for record in alibaba_sandbox.requests} == {"sts", "ram", "vpc", "ecs"}


@pytest.mark.parametrize(
    ("version", "action"),
    [
        (ECS_VERSION, "DescribeVpcs"),  # a VPC action asked of ECS
        (VPC_VERSION, "DescribeInstances"),
        (RAM_VERSION, "DescribeRegions"),  # RAM is global: no regions
        (STS_VERSION, "AssumeRole"),  # real, but not served
        ("2099-01-01", "DescribeRegions"),
        (None, "ListUsers"),
    ],
)
def test_unknown_version_and_action_pairs_answer_invalid_api(alibaba_sandbox_factory, version, action):
    sandbox = alibaba_sandbox_factory()

    response = acs3_call(sandbox, action, {"RegionId": "cn-hangzhou"}, version=version or "")

    assert response.status_code == 404
    assert response.json()["Code"] == "InvalidApi.NotFound"
    product = {ECS_VERSION: "ecs", VPC_VERSION: "vpc", RAM_VERSION: "ram", STS_VERSION: "sts"}.get(version or "")
    assert [(r.product, r.action, r.code) for r in sandbox.requests] == [(product, action, "InvalidApi.NotFound")]


def test_recorded_style_v2_get_requests_reach_every_product(alibaba_sandbox):
    for version, action, params in [
        (VPC_VERSION, "DescribeRegions", {}),
        (RAM_VERSION, "ListUsers", {"MaxItems": "100"}),
        (RAM_VERSION, "GetAccountAlias", {}),
        (STS_VERSION, "GetCallerIdentity", {}),
    ]:
        response = v2_call(alibaba_sandbox, action, params, version=version)
        assert response.status_code == 200, response.text

    assert [r.product for r in alibaba_sandbox.requests] == ["vpc", "ram", "ram", "sts"]
    assert alibaba_sandbox.requests[-1].params["Version"] == STS_VERSION


@pytest.mark.parametrize("algorithm", [None, "v2"])
def test_sts_credentials_sign_calls_of_every_product(alibaba_sandbox_factory, algorithm):
    sts = Credential("sts-key-id", "sts-key-secret", security_token="sts-token")
    sandbox = alibaba_sandbox_factory("synthetic", 3, region_count=2, credentials=[sts])

    identity = sts_client(sandbox, sts, signature_algorithm=algorithm).get_caller_identity().body
    users = ram_client(sandbox, sts, signature_algorithm=algorithm).list_users(ListUsersRequest()).body.users.user

    assert identity.identity_type == "AssumedRoleUser"
    assert len(users) == len(sandbox.ram.users)
    with pytest.raises(ClientException) as raised:
        ram_client(sandbox, Credential("sts-key-id", "sts-key-secret")).list_users(ListUsersRequest())
    assert raised.value.code == "InvalidSecurityToken.MismatchWithAccessKey"
    assert {r.access_key_id for r in sandbox.requests} == {"sts-key-id"}
    for record in sandbox.requests:
        assert "sts-token" not in repr(record)
        assert "sts-key-secret" not in repr(record)


def test_the_former_name_is_the_same_sandbox():
    assert EcsSandbox is AlibabaCloudSandbox
    sandbox = EcsSandbox.synthetic(5, region_count=2)
    assert isinstance(sandbox, AlibabaCloudSandbox)
    assert sandbox.instance_count() == 5
    assert sandbox.ram.users  # the whole world, not ECS alone
