"""The sandbox's VPC API through the official VPC SDK: regions, VPC pages, attributes, errors."""

from __future__ import annotations

import pytest
from alibaba_wire import VPC_VERSION, raw_body, vpc_client, without_request_id
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_vpc20160428.models import (
    DescribeRegionsRequest,
    DescribeVpcAttributeRequest,
    DescribeVpcAttributeResponseBody,
    DescribeVpcsRequest,
    DescribeVpcsResponseBodyVpcsVpc,
)
from ecs_wire import acs3_call

from alibaba_jupiterone.sandbox import AlibabaCloudSandbox
from alibaba_jupiterone.sandbox.alibaba.ecs.regions import default_regions
from alibaba_jupiterone.sandbox.alibaba.vpc.network import derive_attribute

REGIONS = [
    {"RegionId": "cn-hangzhou", "RegionEndpoint": "vpc.aliyuncs.com", "LocalName": "华东 1"},
    {"RegionId": "cn-beijing", "RegionEndpoint": "vpc.aliyuncs.com", "LocalName": "华北 2"},
    {
        "RegionId": "eu-central-1",
        "RegionEndpoint": "vpc.eu-central-1.aliyuncs.com",
        "LocalName": "欧洲中部 1 (法兰克福)",
    },
]


def make_vpc(n: int, region_id: str = "cn-hangzhou", **fields: object) -> dict:
    """A DescribeVpcs item in the recorded shape."""
    return {
        "Status": "Available",
        "IsDefault": n == 0,
        "CenStatus": "Detached",
        "Description": "",
        "ResourceGroupId": "rg-acfmtest",
        "VSwitchIds": {"VSwitchId": [f"vsw-{n:05d}a", f"vsw-{n:05d}b"]},
        "SecondaryCidrBlocks": {"SecondaryCidrBlock": []},
        "CidrBlock": "172.16.0.0/12",
        "RouterTableIds": {"RouterTableIds": [f"vtb-{n:05d}"]},
        "UserCidrs": {"UserCidr": []},
        "NetworkAclNum": 1,
        "AdvancedResource": True,
        "VRouterId": f"vrt-{n:05d}",
        "NatGatewayIds": {"NatGatewayIds": [f"ngw-{n:05d}"] if n % 2 else []},
        "VpcId": f"vpc-{n:05d}",
        "OwnerId": 1234567890123456,
        "CreationTime": "2022-08-03T06:14:00Z",
        "VpcName": f"vpc-{n}",
        "RegionId": region_id,
        "Ipv6CidrBlock": "",
        **fields,
    }


@pytest.fixture
def sandbox(alibaba_sandbox_factory) -> AlibabaCloudSandbox:
    """VPC regions of their own, 123 VPCs in cn-hangzhou, one in cn-beijing."""
    return alibaba_sandbox_factory(
        vpc_regions=REGIONS,
        vpcs={"cn-hangzhou": [make_vpc(n) for n in range(123)], "cn-beijing": [make_vpc(500, "cn-beijing")]},
    )


def list_vpcs(client, region_id: str, page_size: int) -> tuple[list[str], set[int]]:
    """Every VPC id of the region, page by page until ``TotalCount`` is reached, and the totals seen."""
    listed, totals, number = [], set(), 1
    while True:
        body = client.describe_vpcs(DescribeVpcsRequest(region_id=region_id, page_number=number, page_size=page_size))
        listed += [vpc.vpc_id for vpc in body.body.vpcs.vpc]
        totals.add(body.body.total_count)
        assert (body.body.page_number, body.body.page_size) == (number, page_size)
        if number * page_size >= body.body.total_count:
            return listed, totals
        number += 1


def test_describe_regions_is_the_vpc_products_own(sandbox):
    regions = vpc_client(sandbox).describe_regions(DescribeRegionsRequest(accept_language="en-US")).body

    assert regions.to_map()["Regions"]["Region"] == REGIONS
    assert sandbox.vpc_region_ids == ["cn-hangzhou", "cn-beijing", "eu-central-1"]


@pytest.mark.parametrize("page_size", [50, 10, 7, 1])
def test_describe_vpcs_pages_completely_by_page_number(sandbox, page_size):
    listed, totals = list_vpcs(vpc_client(sandbox), "cn-hangzhou", page_size)

    assert listed == [f"vpc-{n:05d}" for n in range(123)]
    assert totals == {123}


def test_describe_vpcs_defaults_to_ten_and_answers_the_recorded_shape(sandbox):
    body = vpc_client(sandbox).describe_vpcs(DescribeVpcsRequest(region_id="cn-hangzhou")).body
    raw = raw_body(vpc_client(sandbox), VPC_VERSION, "DescribeVpcs", {"RegionId": "cn-beijing", "PageSize": 50})

    assert (body.page_number, body.page_size, body.total_count, len(body.vpcs.vpc)) == (1, 10, 123, 10)
    assert without_request_id(raw) == {
        "TotalCount": 1,
        "PageNumber": 1,
        "PageSize": 50,
        "Vpcs": {"Vpc": [make_vpc(500, "cn-beijing")]},
    }
    # the typed model drops what the reference maps: the raw body keeps it
    typed = DescribeVpcsResponseBodyVpcsVpc().from_map(raw["Vpcs"]["Vpc"][0]).to_map()
    assert {"AdvancedResource", "NetworkAclNum"} <= set(raw["Vpcs"]["Vpc"][0]) - set(typed)


def test_a_page_past_the_end_is_empty(sandbox):
    body = vpc_client(sandbox).describe_vpcs(DescribeVpcsRequest(region_id="cn-hangzhou", page_number=4, page_size=50))

    assert (body.body.total_count, body.body.vpcs.vpc) == (123, [])


def test_describe_vpcs_filters(sandbox):
    client = vpc_client(sandbox)

    def ids(**filters) -> list[str]:
        body = client.describe_vpcs(DescribeVpcsRequest(region_id="cn-hangzhou", page_size=50, **filters)).body
        return [vpc.vpc_id for vpc in body.vpcs.vpc]

    assert ids(vpc_id="vpc-00003,vpc-00001, vpc-99999") == ["vpc-00001", "vpc-00003"]
    assert ids(vpc_name="vpc-7") == ["vpc-00007"]
    assert ids(is_default=True) == ["vpc-00000"]
    assert ids(resource_group_id="rg-other") == []
    assert ids(vpc_id="vpc-00005", vpc_name="vpc-6") == []


def test_describe_vpc_attribute_answers_the_whole_body(sandbox):
    client = vpc_client(sandbox)
    item = make_vpc(1)

    typed = client.describe_vpc_attribute(DescribeVpcAttributeRequest(region_id="cn-hangzhou", vpc_id="vpc-00001"))
    raw = raw_body(client, VPC_VERSION, "DescribeVpcAttribute", {"RegionId": "cn-hangzhou", "VpcId": "vpc-00001"})

    assert typed.body.vpc_id == "vpc-00001"
    assert typed.body.request_id == sandbox.requests[0].request_id
    assert without_request_id(raw) == derive_attribute(item) == sandbox.vpc_attribute("vpc-00001")
    assert raw["NetworkAclNum"] == 1
    assert raw["CloudResources"]["CloudResourceSetType"] == [
        {"ResourceCount": 1, "ResourceType": "NatGateway"},
        {"ResourceCount": 2, "ResourceType": "VSwitch"},
        {"ResourceCount": 1, "ResourceType": "VRouter"},
        {"ResourceCount": 1, "ResourceType": "RouteTable"},
    ]
    shared = set(raw) & set(item)
    assert {key: raw[key] for key in shared} == {key: item[key] for key in shared}
    assert "NetworkAclNum" not in DescribeVpcAttributeResponseBody().from_map(raw).to_map()


def test_given_attribute_answers_are_served_as_given(alibaba_sandbox_factory):
    attribute = {**derive_attribute(make_vpc(1)), "Ipv4GatewayId": "ipv4gw-1", "SupportIpv4Gateway": True}
    sandbox = alibaba_sandbox_factory(
        vpc_regions=REGIONS,
        vpcs={"cn-hangzhou": [make_vpc(1), make_vpc(2)]},
        vpc_attributes={"vpc-00001": {"RequestId": "recorded", **attribute}},
    )
    client = vpc_client(sandbox)

    given = raw_body(client, VPC_VERSION, "DescribeVpcAttribute", {"RegionId": "cn-hangzhou", "VpcId": "vpc-00001"})
    derived = raw_body(client, VPC_VERSION, "DescribeVpcAttribute", {"RegionId": "cn-hangzhou", "VpcId": "vpc-00002"})

    assert without_request_id(given) == attribute
    assert given["RequestId"] != "recorded"
    assert derived["Ipv4GatewayId"] == ""


@pytest.mark.parametrize(
    ("action", "params", "answer", "named"),
    [
        ("DescribeVpcs", {}, (400, "MissingRegionId"), "RegionId"),
        ("DescribeVpcs", {"RegionId": "mars-north-1"}, (400, "InvalidRegionId.NotFound"), None),
        ("DescribeVpcs", {"RegionId": "cn-hangzhou", "PageSize": "51"}, (400, "InvalidParameter"), "PageSize"),
        ("DescribeVpcs", {"RegionId": "cn-hangzhou", "PageSize": "0"}, (400, "InvalidParameter"), "PageSize"),
        ("DescribeVpcs", {"RegionId": "cn-hangzhou", "PageNumber": "0"}, (400, "InvalidParameter"), "PageNumber"),
        ("DescribeVpcs", {"RegionId": "cn-hangzhou", "PageNumber": "x"}, (400, "InvalidParameter"), "PageNumber"),
        ("DescribeVpcs", {"RegionId": "cn-hangzhou", "IsDefault": "yes"}, (400, "InvalidParameter"), "IsDefault"),
        ("DescribeVpcAttribute", {"RegionId": "cn-hangzhou"}, (400, "MissingVpcId"), "VpcId"),
        (
            "DescribeVpcAttribute",
            {"RegionId": "cn-hangzhou", "VpcId": "vpc-nope"},
            (404, "InvalidVpcId.NotFound"),
            None,
        ),
        # a VPC of another region is not found in this one
        (
            "DescribeVpcAttribute",
            {"RegionId": "cn-beijing", "VpcId": "vpc-00001"},
            (404, "InvalidVpcId.NotFound"),
            None,
        ),
    ],
)
def test_bad_parameters_and_unknown_vpcs(sandbox, action, params, answer, named):
    response = acs3_call(sandbox, action, params, version=VPC_VERSION)

    assert (response.status_code, response.json()["Code"]) == answer
    if named:
        assert named in response.json()["Message"]
    if answer[1] == "InvalidVpcId.NotFound":
        assert params["VpcId"] in response.json()["Message"]


def test_dry_run_tells_an_allowed_caller(sandbox):
    with pytest.raises(ClientException) as raised:
        vpc_client(sandbox).describe_vpcs(DescribeVpcsRequest(region_id="cn-hangzhou", dry_run=True))

    assert (raised.value.status_code, raised.value.code) == (400, "DryRunOperation")


def test_vpcs_in_regions_the_default_list_lacks_get_a_region(alibaba_sandbox_factory):
    sandbox = alibaba_sandbox_factory(vpcs={"cn-wuhan-lr": [make_vpc(1, "cn-wuhan-lr")]})

    regions = vpc_client(sandbox).describe_regions(DescribeRegionsRequest()).body.regions.region
    listed = vpc_client(sandbox).describe_vpcs(DescribeVpcsRequest(region_id="cn-wuhan-lr")).body.vpcs.vpc

    assert [region.region_id for region in regions][-1] == "cn-wuhan-lr"
    assert regions[-1].region_endpoint == "vpc.cn-wuhan-lr.aliyuncs.com"
    ecs_names = {region["RegionId"]: region["LocalName"] for region in default_regions()}
    assert regions[-1].local_name == ecs_names["cn-wuhan-lr"]
    assert len(regions) == 29
    assert [vpc.vpc_id for vpc in listed] == ["vpc-00001"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"vpc_regions": REGIONS, "vpcs": {"us-east-1": [make_vpc(1)]}}, KeyError, "us-east-1"),
        ({"vpcs": {"cn-hangzhou": [make_vpc(1), make_vpc(1)]}}, ValueError, "vpc-00001"),
        ({"vpcs": {"cn-hangzhou": [{"VpcName": "no id"}]}}, ValueError, "no VpcId"),
        ({"vpcs": {"cn-hangzhou": [make_vpc(1)]}, "vpc_attributes": {"vpc-2": {}}}, KeyError, "vpc-2"),
        ({"vpc_regions": [*REGIONS, REGIONS[0]]}, ValueError, "duplicate RegionId"),
    ],
)
def test_inconsistent_vpc_worlds_are_refused(kwargs, error, match):
    with pytest.raises(error, match=match):
        AlibabaCloudSandbox(**kwargs)
