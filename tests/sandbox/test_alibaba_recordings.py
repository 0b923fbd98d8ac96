"""Recorded traffic replayed through the sandbox answers what was recorded, for VPC, RAM and the account."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alibaba_wire import VPC_VERSION, config, ram_client, raw_body, vpc_client, without_request_id
from alibabacloud_ecs20140526.models import DescribeRegionsRequest as EcsDescribeRegionsRequest
from alibabacloud_ram20150501.models import (
    GetPolicyVersionRequest,
    ListGroupsRequest,
    ListPoliciesForGroupRequest,
    ListPoliciesForRoleRequest,
    ListPoliciesForUserRequest,
    ListRolesRequest,
    ListUsersRequest,
)
from alibabacloud_tea_openapi.client import Client as OpenApiClient
from alibabacloud_vpc20160428.models import DescribeRegionsRequest, DescribeVpcsRequest
from ecs_wire import sdk_client

from alibaba_jupiterone.sandbox.alibaba.products import BY_VERSION
from alibaba_jupiterone.sandbox.alibaba.ram.directory import PLACEHOLDER_DOCUMENT
from alibaba_jupiterone.sandbox.alibaba.recordings import load_world

RECORDINGS = Path("graph-alibaba-cloud", "recordings")
REFERENCE = Path("graph-alibaba-cloud", "reference-output")
# what the signature of a V2 request adds to its parameters
SIGNING_PARAMS = {"AccessKeyId", "Action", "Format", "SignatureMethod", "SignatureNonce", "SignatureVersion"}
SIGNING_PARAMS |= {"Timestamp", "Version", "Signature"}
ACCOUNT_ID = "5481250658564201"


def recording(shared_fixtures: Path, stem: str) -> Path:
    (path,) = (shared_fixtures / RECORDINGS).glob(f"{stem}_*.har")
    return path


def recorded_calls(path: Path) -> list[tuple[str, str, dict[str, str], dict]]:
    """``(version, action, params, body)`` of each successful recorded call the sandbox serves.

    ECS DescribeInstances is left out: the recording client sent ``NextToken=undefined``, which
    the sandbox refuses (its own tests cover the ECS replay).
    """
    calls = []
    for entry in json.loads(path.read_text(encoding="utf-8"))["log"]["entries"]:
        params = {item["name"]: item["value"] for item in entry["request"]["queryString"]}
        version, action = params.get("Version"), params.get("Action")
        product = BY_VERSION.get(version or "")
        if product and action in product.actions and action != "DescribeInstances":
            assert entry["response"]["status"] == 200
            body = json.loads(entry["response"]["content"]["text"])
            calls.append((version, action, {k: v for k, v in params.items() if k not in SIGNING_PARAMS}, body))
    return calls


def reference_raw_data(shared_fixtures: Path, entity_type: str) -> dict[str, dict]:
    entities = json.loads((shared_fixtures / REFERENCE / f"{entity_type}.json").read_text(encoding="utf-8"))
    return {entity["_key"]: entity["_rawData"][0]["rawData"] for entity in entities}


@pytest.mark.parametrize(
    "stem",
    [
        "fetch-vpcs",
        "build-vpc-has-ecs-instance-relationship",
        "fetch-account",
        "fetch-ram-users",
        "fetch-ram-groups",
        "fetch-ram-roles",
        "fetch-ram-users-policies",
        "fetch-ram-groups-policies",
        "fetch-ram-roles-policies",
        "build-group-and-user-relationships",
        "build-policy-and-group-relationships",
        "build-policy-and-role-relationships",
        "build-policy-and-user-relationships",
    ],
)
def test_each_recorded_call_is_answered_as_recorded(alibaba_sandbox_factory, shared_fixtures, stem):
    path = recording(shared_fixtures, stem)
    calls = recorded_calls(path)
    sandbox = alibaba_sandbox_factory("from_files", path)
    client = OpenApiClient(config(sandbox))

    for version, action, params, body in calls:
        assert without_request_id(raw_body(client, version, action, params)) == without_request_id(body), action

    assert calls
    assert [(r.action, r.status) for r in sandbox.requests] == [(action, 200) for _, action, _, _ in calls]


def test_a_replay_of_the_vpcs_gives_the_reference_records(alibaba_sandbox_factory, shared_fixtures):
    sandbox = alibaba_sandbox_factory("from_files", recording(shared_fixtures, "fetch-vpcs"))
    client = vpc_client(sandbox)
    records = {}

    for region in client.describe_regions(DescribeRegionsRequest()).body.regions.region:
        page = raw_body(client, VPC_VERSION, "DescribeVpcs", {"RegionId": region.region_id, "PageSize": 50})
        for item in page["Vpcs"]["Vpc"]:
            params = {"RegionId": region.region_id, "VpcId": item["VpcId"]}
            attribute = without_request_id(raw_body(client, VPC_VERSION, "DescribeVpcAttribute", params))
            records[f"alibaba_cloud_vpc:{item['VpcId']}"] = {**item, **attribute}

    # the reference parsed bodies with json-bigint, which made a string of the 16-digit OwnerId
    reference = {
        key: {**raw, "OwnerId": int(raw["OwnerId"])}
        for key, raw in reference_raw_data(shared_fixtures, "alibaba_cloud_vpc").items()
    }
    assert records == reference
    assert len(sandbox.vpc_region_ids) == 28
    assert sandbox.account["AccountId"] == ACCOUNT_ID  # the VPCs' OwnerId


def test_a_replay_of_ram_gives_the_reference_records(alibaba_sandbox_factory, shared_fixtures):
    # as the reference ran them: the three policy recordings in one job
    stems = ("fetch-ram-users-policies", "fetch-ram-groups-policies", "fetch-ram-roles-policies")
    sandbox = alibaba_sandbox_factory("from_files", *(recording(shared_fixtures, stem) for stem in stems))
    client = ram_client(sandbox)
    users = client.list_users(ListUsersRequest()).body.users.user
    groups = client.list_groups(ListGroupsRequest()).body.groups.group
    roles = client.list_roles(ListRolesRequest()).body.roles.role
    first_attachments: dict[str, dict] = {}

    for listed in (
        *(client.list_policies_for_user(ListPoliciesForUserRequest(user_name=u.user_name)) for u in users),
        *(client.list_policies_for_group(ListPoliciesForGroupRequest(group_name=g.group_name)) for g in groups),
        *(client.list_policies_for_role(ListPoliciesForRoleRequest(role_name=r.role_name)) for r in roles),
    ):
        for policy in listed.body.policies.policy:
            first_attachments.setdefault(f"alibaba_cloud_ram_policy:{policy.policy_name}", policy.to_map())

    assert first_attachments == reference_raw_data(shared_fixtures, "alibaba_cloud_ram_policy")
    assert {f"alibaba_cloud_ram_user:{u.user_name}": u.to_map() for u in users} == reference_raw_data(
        shared_fixtures, "alibaba_cloud_ram_user"
    )


def test_recorded_principals_are_the_reference_ones(alibaba_sandbox_factory, shared_fixtures):
    sandbox = alibaba_sandbox_factory(
        "from_files", recording(shared_fixtures, "fetch-ram-groups"), recording(shared_fixtures, "fetch-ram-roles")
    )
    client = ram_client(sandbox)

    groups = {
        f"alibaba_cloud_ram_group:{g.group_name}": g.to_map()
        for g in client.list_groups(ListGroupsRequest()).body.groups.group
    }
    roles = {
        f"alibaba_cloud_ram_role:{r.role_id}": r.to_map() for r in client.list_roles(ListRolesRequest()).body.roles.role
    }

    assert groups == reference_raw_data(shared_fixtures, "alibaba_cloud_ram_group")
    assert roles == reference_raw_data(shared_fixtures, "alibaba_cloud_ram_role")


def test_recorded_policies_get_a_default_version_to_read(alibaba_sandbox_factory, shared_fixtures):
    sandbox = alibaba_sandbox_factory("from_files", recording(shared_fixtures, "fetch-ram-roles-policies"))
    request = GetPolicyVersionRequest(
        policy_type="System", policy_name="AliyunServiceRolePolicyForAlb", version_id="v14"
    )

    version = ram_client(sandbox).get_policy_version(request).body.policy_version

    assert (version.version_id, version.is_default_version) == ("v14", True)
    assert version.policy_document == PLACEHOLDER_DOCUMENT
    assert version.create_date == ""  # no date was recorded


def test_the_account_recording_gives_alias_and_id(alibaba_sandbox_factory, shared_fixtures):
    sandbox = alibaba_sandbox_factory("from_files", recording(shared_fixtures, "fetch-account"))

    alias = ram_client(sandbox).get_account_alias().body.account_alias

    (reference,) = json.loads((shared_fixtures / REFERENCE / "alibaba_cloud_account.json").read_text(encoding="utf-8"))
    assert alias == reference["name"] == ACCOUNT_ID
    assert sandbox.account == {"AccountId": ACCOUNT_ID, "AccountAlias": ACCOUNT_ID}


def test_load_world_returns_only_what_the_files_hold(shared_fixtures):
    vpcs = load_world(recording(shared_fixtures, "fetch-vpcs"))
    ram = load_world(recording(shared_fixtures, "build-group-and-user-relationships"))
    nothing = load_world(recording(shared_fixtures, "fetch-oss-buckets"))

    assert set(vpcs) == {"instances", "vpc_regions", "vpcs", "vpc_attributes", "account"}
    assert sum(map(len, vpcs["vpcs"].values())) == len(vpcs["vpc_attributes"]) == 7
    assert set(ram) == {"instances", "ram"}
    assert [(m.group_name, m.user_name) for m in ram["ram"].memberships] == [("testgroup1", "stefan.virag")]
    assert nothing == {"instances": {}}


def test_a_record_met_again_in_another_file_is_read_once(shared_fixtures):
    world = load_world(
        recording(shared_fixtures, "fetch-ram-users"),
        recording(shared_fixtures, "fetch-ram-users-policies"),
        recording(shared_fixtures, "build-policy-and-user-relationships"),
        recording(shared_fixtures, "fetch-vpcs"),
        recording(shared_fixtures, "build-vpc-has-ecs-instance-relationship"),
    )

    assert len(world["ram"].users) == 4
    assert len(world["vpc_regions"]) == 28
    assert sum(map(len, world["vpcs"].values())) == 7
    attachments = [(a.principal_type, a.principal_name, a.policy_name) for a in world["ram"].attachments]
    assert len(attachments) == len(set(attachments))


def test_files_of_the_vpc_product_do_not_leak_into_ecs_regions(alibaba_sandbox_factory, shared_fixtures):
    sandbox = alibaba_sandbox_factory(
        "from_files", recording(shared_fixtures, "build-vpc-has-ecs-instance-relationship")
    )
    vpc = vpc_client(sandbox)

    ecs_regions = sdk_client(sandbox).describe_regions(EcsDescribeRegionsRequest()).body.regions.region
    vpc_ids = [
        item.vpc_id
        for region_id in sandbox.vpc_region_ids
        for item in vpc.describe_vpcs(DescribeVpcsRequest(region_id=region_id, page_size=50)).body.vpcs.vpc
    ]

    assert all(region.region_endpoint.startswith("ecs") for region in ecs_regions)
    assert len(vpc_ids) == 7
    placed = {i["VpcAttributes"]["VpcId"] for r in sandbox.region_ids for i in sandbox.instances(r)}
    assert placed <= set(vpc_ids)  # the recorded account is consistent too
