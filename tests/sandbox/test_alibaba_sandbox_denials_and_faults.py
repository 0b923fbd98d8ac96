"""Permission denials and faults aimed at one product, as the official SDKs experience them."""

from __future__ import annotations

from collections import Counter

import pytest
from alibaba_wire import ram_client, sts_client, vpc_client
from alibabacloud_ecs20140526.models import DescribeInstancesRequest
from alibabacloud_ecs20140526.models import DescribeRegionsRequest as EcsDescribeRegionsRequest
from alibabacloud_ram20150501.models import ListGroupsRequest, ListUsersRequest
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
from alibabacloud_vpc20160428.models import DescribeRegionsRequest as VpcDescribeRegionsRequest
from alibabacloud_vpc20160428.models import DescribeVpcsRequest
from ecs_wire import sdk_client

from alibaba_jupiterone.sandbox import AlibabaCloudSandbox, Credential, Fault
from alibaba_jupiterone.sandbox.alibaba.faults import parse_fault


@pytest.fixture
def sandbox(alibaba_sandbox_factory) -> AlibabaCloudSandbox:
    return alibaba_sandbox_factory("synthetic", 30, region_count=3, users=5, groups=2, roles=2, policies=3)


def error_of(call) -> ClientException:
    with pytest.raises(ClientException) as raised:
        call()
    return raised.value


def test_each_product_answers_its_own_no_permission_error(sandbox):
    for spec in ("ecs:DescribeInstances", "vpc:DescribeVpcs", "ram:ListUsers", "sts:GetCallerIdentity"):
        sandbox.deny(spec)
    region_id = sandbox.region_ids[0]
    account_id = sandbox.account["AccountId"]

    ecs = error_of(lambda: sdk_client(sandbox).describe_instances(DescribeInstancesRequest(region_id=region_id)))
    vpc = error_of(lambda: vpc_client(sandbox).describe_vpcs(DescribeVpcsRequest(region_id=region_id)))
    ram = error_of(lambda: ram_client(sandbox).list_users(ListUsersRequest()))
    sts = error_of(lambda: sts_client(sandbox).get_caller_identity())

    assert [(e.status_code, e.code) for e in (ecs, vpc, ram, sts)] == [
        (403, "Forbidden.RAM"),
        (403, "Forbidden.RAM"),
        (403, "NoPermission"),
        (403, "NoPermission"),
    ]
    assert ram.data["Message"] == (
        f"You are not authorized to do this action. Resource: acs:ram:*:{account_id}:* Action: ram:ListUsers"
    )
    assert vpc.data["AccessDeniedDetail"]["AuthAction"] == "vpc:DescribeVpcs"
    assert ecs.data["AccessDeniedDetail"]["AuthPrincipalOwnerId"] == account_id
    assert "product=Vpc" in vpc.data["Recommend"]
    # only the denied actions: the rest of each product still answers
    assert ram_client(sandbox).list_groups(ListGroupsRequest()).body.groups.group
    assert vpc_client(sandbox).describe_regions(VpcDescribeRegionsRequest()).body.regions.region
    assert sorted(sandbox.denied) == sorted(
        ["ecs:DescribeInstances", "vpc:DescribeVpcs", "ram:ListUsers", "sts:GetCallerIdentity"]
    )


def test_a_region_qualified_denial_spares_the_other_regions(sandbox):
    denied, allowed = sandbox.vpc_region_ids[:2]
    sandbox.deny(f"vpc:DescribeVpcs@{denied}")
    client = vpc_client(sandbox)

    refused = error_of(lambda: client.describe_vpcs(DescribeVpcsRequest(region_id=denied)))

    assert refused.code == "Forbidden.RAM"
    assert client.describe_vpcs(DescribeVpcsRequest(region_id=allowed)).body.total_count == len(sandbox.vpcs(allowed))


def test_denials_can_be_given_at_start_and_lifted_between_runs(alibaba_sandbox_factory):
    sandbox = alibaba_sandbox_factory(denied=["ram:ListUsers"])
    client = ram_client(sandbox)
    assert error_of(lambda: client.list_users(ListUsersRequest())).code == "NoPermission"

    sandbox.allow("ram:ListUsers")
    sandbox.allow("ram:ListGroups")  # never denied: nothing happens

    assert client.list_users(ListUsersRequest()).body.is_truncated is False
    assert sandbox.denied == []


def test_a_denial_comes_after_the_signature_check(sandbox):
    sandbox.deny("ram:ListUsers")

    error = error_of(lambda: ram_client(sandbox, Credential("unknown", "secret")).list_users(ListUsersRequest()))

    assert (error.status_code, error.code) == (404, "InvalidAccessKeyId.NotFound")


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("s3:ListBuckets", "unknown product"),
        ("ram:DeleteUser", "serves no action 'DeleteUser'"),
        ("vpc:describeVpcs", "serves no action"),
        ("ram:ListUsers@cn-hangzhou", "ram is global"),
        ("DescribeVpcs", "unknown product"),
    ],
)
def test_meaningless_denials_are_refused(spec, match):
    with pytest.raises(ValueError, match=match):
        AlibabaCloudSandbox(denied=[spec])


def test_a_fault_aimed_at_vpcs_describe_regions_spares_ecs(sandbox):
    sandbox.inject(Fault("error", action="DescribeRegions", product="vpc"))

    ecs_regions = sdk_client(sandbox).describe_regions(EcsDescribeRegionsRequest()).body.regions.region
    with pytest.raises(ServerException) as raised:
        vpc_client(sandbox).describe_regions(VpcDescribeRegionsRequest())

    assert len(ecs_regions) == 3
    assert (raised.value.status_code, raised.value.code) == (503, "ServiceUnavailable")
    assert [(r.product, r.code) for r in sandbox.requests] == [("ecs", None), ("vpc", "ServiceUnavailable")]


def test_a_throttle_of_ram_only_leaves_vpc_alone(sandbox):
    sandbox.inject(Fault("throttle", product="RAM", retry_after_ms=300, times=2))
    region_id = sandbox.vpc_region_ids[0]

    for _ in range(2):
        with pytest.raises(ThrottlingException) as raised:
            ram_client(sandbox).list_users(ListUsersRequest())
        assert raised.value.retry_after == 300
    vpc_client(sandbox).describe_vpcs(DescribeVpcsRequest(region_id=region_id))
    users = ram_client(sandbox).list_users(ListUsersRequest()).body.users.user

    assert len(users) == 5
    assert Counter((r.product, r.code) for r in sandbox.requests) == {
        ("ram", "Throttling.User"): 2,
        ("vpc", None): 1,
        ("ram", None): 1,
    }


def test_requests_can_be_counted_per_product(sandbox):
    region_ids = sandbox.vpc_region_ids
    for region_id in region_ids:
        vpc_client(sandbox).describe_vpcs(DescribeVpcsRequest(region_id=region_id))
    ram_client(sandbox).list_users(ListUsersRequest())
    sts_client(sandbox).get_caller_identity()

    assert Counter(r.product for r in sandbox.requests) == {"vpc": len(region_ids), "ram": 1, "sts": 1}
    assert [r.region_id for r in sandbox.requests if r.product == "vpc"] == region_ids
    assert [r.region_id for r in sandbox.requests if r.product != "vpc"] == [None, None]


def test_fault_specs_name_a_product():
    assert parse_fault("error:*:DescribeRegions,product=vpc,times=2") == Fault(
        "error", action="DescribeRegions", times=2, product="vpc"
    )
    assert Fault("drop", product="Sts").product == "sts"
    assert Fault("drop", product="vpc").matches("DescribeRegions", None, "vpc")
    assert not Fault("drop", product="vpc").matches("DescribeRegions", None, "ecs")
    assert Fault("drop").matches("DescribeRegions", None, "ecs")
    with pytest.raises(ValueError, match="unknown product"):
        parse_fault("error:*,product=oss")
