"""The synthetic world: self-consistent across products, reproducible, big enough, quick; and changing it."""

from __future__ import annotations

import json
import random
import time

import pytest
from alibaba_wire import VPC_VERSION, ram_client, raw_body, vpc_client
from alibabacloud_ecs20140526.models import DescribeInstancesRequest
from alibabacloud_ram20150501.models import (
    GetPolicyVersionRequest,
    ListGroupsRequest,
    ListPoliciesForGroupRequest,
    ListPoliciesForRoleRequest,
    ListPoliciesForUserRequest,
    ListPoliciesRequest,
    ListRolesRequest,
    ListUsersForGroupRequest,
    ListUsersRequest,
)
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_vpc20160428.models import DescribeRegionsRequest, DescribeVpcsRequest
from ecs_wire import sdk_client

from alibaba_jupiterone.sandbox import AlibabaCloudSandbox, GroupMembership, PolicyAttachment, RamDirectory
from alibaba_jupiterone.sandbox.alibaba.ecs.synthetic import synthetic_fleet
from alibaba_jupiterone.sandbox.alibaba.synthetic import synthetic_world
from alibaba_jupiterone.sandbox.pytest_plugin import PROXY_VARIABLES

BIG = {"users": 300, "groups": 30, "roles": 100, "policies": 150}


def crawl(sandbox: AlibabaCloudSandbox) -> dict:
    """Everything the sandbox serves, read through the official SDKs as a sync would."""
    ecs, vpc, ram = sdk_client(sandbox), vpc_client(sandbox), ram_client(sandbox)
    instances = []
    for region_id in sandbox.region_ids:
        token = ""
        while True:
            request = DescribeInstancesRequest(region_id=region_id, max_results=100, next_token=token)
            body = ecs.describe_instances(request).body
            instances += [instance.to_map() for instance in body.instances.instance]
            token = body.next_token
            if not token:
                break
    vpcs: dict[str, list[dict]] = {}
    for region in vpc.describe_regions(DescribeRegionsRequest()).body.regions.region:
        body = vpc.describe_vpcs(DescribeVpcsRequest(region_id=region.region_id, page_size=50)).body
        assert body.total_count <= 50
        vpcs[region.region_id] = [item.to_map() for item in body.vpcs.vpc]
    attributes = {
        item["VpcId"]: raw_body(
            vpc, VPC_VERSION, "DescribeVpcAttribute", {"RegionId": region_id, "VpcId": item["VpcId"]}
        )
        for region_id, items in vpcs.items()
        for item in items
    }
    users = ram.list_users(ListUsersRequest(max_items=1000)).body.users.user
    groups = ram.list_groups(ListGroupsRequest(max_items=1000)).body.groups.group
    roles = ram.list_roles(ListRolesRequest(max_items=1000)).body.roles.role
    policies = ram.list_policies(ListPoliciesRequest(max_items=1000)).body.policies.policy
    members = {
        group.group_name: ram.list_users_for_group(
            ListUsersForGroupRequest(group_name=group.group_name, max_items=1000)
        ).body.users.user
        for group in groups
    }
    attached = {
        **{
            ("User", u.user_name): ram.list_policies_for_user(ListPoliciesForUserRequest(user_name=u.user_name))
            for u in users
        },
        **{
            ("Group", g.group_name): ram.list_policies_for_group(ListPoliciesForGroupRequest(group_name=g.group_name))
            for g in groups
        },
        **{
            ("Role", r.role_name): ram.list_policies_for_role(ListPoliciesForRoleRequest(role_name=r.role_name))
            for r in roles
        },
    }
    return {
        "instances": instances,
        "vpcs": vpcs,
        "attributes": attributes,
        "users": users,
        "groups": groups,
        "roles": roles,
        "policies": policies,
        "members": members,
        "attached": {key: answer.body.policies.policy for key, answer in attached.items()},
        "mfa": ram.list_virtual_mfadevices().body.virtual_mfadevices.virtual_mfadevice,
    }


@pytest.fixture(scope="module")
def big_world() -> dict:
    """A crawl of a synthetic world of the size a big account has."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in PROXY_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        with AlibabaCloudSandbox.synthetic(300, region_count=6, seed=4, **BIG) as sandbox:
            return {**crawl(sandbox), "account": sandbox.account}


def test_every_instance_is_in_a_vpc_and_vswitch_of_its_region(big_world):
    vpcs = {(region_id, item["VpcId"]): item for region_id, items in big_world["vpcs"].items() for item in items}
    placed = [instance for instance in big_world["instances"] if instance["VpcAttributes"]["VpcId"]]

    assert len(placed) > 0.9 * len(big_world["instances"])
    for instance in placed:
        vpc = vpcs[(instance["RegionId"], instance["VpcAttributes"]["VpcId"])]
        assert instance["VpcAttributes"]["VSwitchId"] in vpc["VSwitchIds"]["VSwitchId"]
    for instance in big_world["instances"]:
        if not instance["VpcAttributes"]["VpcId"]:
            assert instance["InstanceNetworkType"] == "classic"


def test_every_region_has_vpcs_owned_by_the_account(big_world):
    account_id = int(big_world["account"]["AccountId"])

    assert len(big_world["vpcs"]) == 6
    assert all(1 <= len(items) <= 3 for items in big_world["vpcs"].values())
    for region_id, items in big_world["vpcs"].items():
        for item in items:
            assert (item["RegionId"], item["OwnerId"]) == (region_id, account_id)
            attribute = big_world["attributes"][item["VpcId"]]
            shared = (set(attribute) & set(item)) - {"RequestId"}
            assert {key: attribute[key] for key in shared} == {key: item[key] for key in shared}
            assert "NetworkAclNum" in attribute
            assert attribute["CloudResources"]["CloudResourceSetType"]
    assert any(a["Ipv4GatewayId"] for a in big_world["attributes"].values())


def test_the_directory_has_the_size_asked_for(big_world):
    attached_keys = {(p.policy_type, p.policy_name) for policies in big_world["attached"].values() for p in policies}

    assert (len(big_world["users"]), len(big_world["groups"]), len(big_world["roles"])) == (300, 30, 100)
    assert len(attached_keys) == 150
    assert {policy_type for policy_type, _ in attached_keys} == {"System", "Custom"}
    assert len(big_world["policies"]) > 150  # a few custom policies are attached to nobody
    assert any(policy.attachment_count == 0 for policy in big_world["policies"])


def test_ties_name_existing_entities(big_world):
    users = {u.user_name: u for u in big_world["users"]}
    policies = {(p.policy_type, p.policy_name): p for p in big_world["policies"]}
    counts: dict[tuple[str, str], int] = {}

    for members in big_world["members"].values():
        for member in members:
            assert member.display_name == users[member.user_name].display_name
    for policies_of_principal in big_world["attached"].values():
        for attached in policies_of_principal:
            listed = policies[(attached.policy_type, attached.policy_name)]
            assert (attached.default_version, attached.description) == (listed.default_version, listed.description)
            assert attached.attach_date >= listed.create_date
            counts[(attached.policy_type, attached.policy_name)] = (
                counts.get((attached.policy_type, attached.policy_name), 0) + 1
            )
    for device in big_world["mfa"]:
        assert device.user.user_id == users[device.user.user_name].user_id
    assert {key: p.attachment_count for key, p in policies.items() if p.attachment_count} == counts


def test_users_groups_mfa_and_email_vary_as_in_real_accounts(big_world):
    groups_of: dict[str, int] = {}
    for members in big_world["members"].values():
        for member in members:
            groups_of[member.user_name] = groups_of.get(member.user_name, 0) + 1
    per_user = [groups_of.get(user.user_name, 0) for user in big_world["users"]]

    assert set(per_user) == {0, 1, 2, 3}
    assert 0 < len(big_world["mfa"]) < 300
    assert 0 < sum(user.email is not None for user in big_world["users"]) < 300
    assert len({user.user_id for user in big_world["users"]}) == 300
    assert all(
        role.arn.startswith(f"acs:ram::{big_world['account']['AccountId']}:role/") for role in big_world["roles"]
    )


def test_default_versions_hold_json_policy_documents(alibaba_sandbox_factory):
    sandbox = alibaba_sandbox_factory("synthetic", 0, region_count=1, seed=2, policies=20)
    client = ram_client(sandbox)

    for policy in client.list_policies(ListPoliciesRequest()).body.policies.policy:
        request = GetPolicyVersionRequest(
            policy_type=policy.policy_type, policy_name=policy.policy_name, version_id=policy.default_version
        )
        version = client.get_policy_version(request).body.policy_version
        document = json.loads(version.policy_document)
        assert version.is_default_version is True
        assert document["Version"] == "1"
        assert {statement["Effect"] for statement in document["Statement"]} <= {"Allow", "Deny"}


def test_the_same_seed_gives_the_same_world_whatever_the_global_random_state():
    random.seed(1)
    first = synthetic_world(100, 5, seed=3, **BIG)
    random.seed(2)

    assert synthetic_world(100, 5, seed=3, **BIG) == first
    assert synthetic_world(100, 5, seed=4, **BIG) != first


def test_ram_counts_leave_the_fleet_and_vpcs_as_they_were():
    small = synthetic_world(120, 4, seed=9)
    big = synthetic_world(120, 4, seed=9, **BIG)

    assert (small["regions"], small["instances"]) == synthetic_fleet(120, 4, seed=9)
    assert (big["instances"], big["vpcs"], big["account"]) == (small["instances"], small["vpcs"], small["account"])
    assert len(big["ram"].users) == 300
    assert len(small["ram"].users) == 12


def test_vpcs_per_region_is_exact():
    world = synthetic_world(200, 5, seed=1, vpcs_per_region=4)

    assert [len(items) for items in world["vpcs"].values()] == [4] * 5
    with pytest.raises(ValueError, match="vpcs_per_region"):
        synthetic_world(10, 2, vpcs_per_region=0)


def test_a_big_world_builds_well_under_a_second():
    started = time.perf_counter()
    sandbox = AlibabaCloudSandbox.synthetic(1000, 20, seed=5, **BIG)
    elapsed = time.perf_counter() - started

    assert elapsed < 1.0
    assert len(sandbox.vpc_region_ids) == 20
    assert all(sandbox.vpcs(region_id) for region_id in sandbox.vpc_region_ids)


@pytest.mark.parametrize(
    ("counts", "match"),
    [({"users": -1}, "users must not be negative"), ({"users": 0, "groups": 0, "roles": 0}, "need at least one")],
)
def test_impossible_directories_are_refused(counts, match):
    with pytest.raises(ValueError, match=match):
        synthetic_world(1, 1, **counts)


def test_group_membership_changes_between_runs(alibaba_sandbox):
    client = ram_client(alibaba_sandbox)
    group = alibaba_sandbox.ram.groups[0]["GroupName"]
    users = [user["UserName"] for user in alibaba_sandbox.ram.users]

    def members() -> list[str]:
        body = client.list_users_for_group(ListUsersForGroupRequest(group_name=group)).body
        return [member.user_name for member in body.users.user]

    before = members()
    newcomer = next(name for name in users if name not in before)
    alibaba_sandbox.add_user_to_group(group, newcomer, "2025-10-01T00:00:00Z")
    assert members() == [*before, newcomer]
    alibaba_sandbox.remove_user_from_group(group, newcomer)
    assert members() == before
    with pytest.raises(KeyError, match="not in group"):
        alibaba_sandbox.remove_user_from_group(group, newcomer)
    with pytest.raises(KeyError, match="unknown user"):
        alibaba_sandbox.add_user_to_group(group, "nobody")
    if before:
        with pytest.raises(ValueError, match="already in group"):
            alibaba_sandbox.add_user_to_group(group, before[0])


def test_removed_users_take_their_ties_with_them(alibaba_sandbox_factory):
    sandbox = alibaba_sandbox_factory("synthetic", 0, region_count=1, seed=6, users=40, groups=5, policies=30)
    ram = sandbox.ram
    doomed = {device["User"]["UserName"] for device in ram.mfa_devices} | {
        a.principal_name for a in ram.attachments if a.principal_type == "User"
    }

    sandbox.remove_users(doomed)
    client = ram_client(sandbox)

    listed = {user.user_name for user in client.list_users(ListUsersRequest()).body.users.user}
    assert listed == {user["UserName"] for user in ram.users} - doomed
    assert client.list_virtual_mfadevices().body.virtual_mfadevices.virtual_mfadevice == []
    for group in ram.groups:
        body = client.list_users_for_group(ListUsersForGroupRequest(group_name=group["GroupName"])).body
        assert not {member.user_name for member in body.users.user} & doomed
    name = sorted(doomed)[0]
    with pytest.raises(ClientException, match=r"EntityNotExist\.User"):
        client.list_policies_for_user(ListPoliciesForUserRequest(user_name=name))
    with pytest.raises(KeyError, match=name):
        sandbox.remove_users([name])


def test_removing_vpcs_needs_their_instances_gone(alibaba_sandbox):
    region_id = next(r for r in alibaba_sandbox.region_ids if alibaba_sandbox.instances(r))
    instance = next(i for i in alibaba_sandbox.instances(region_id) if i["VpcAttributes"]["VpcId"])
    vpc_id = instance["VpcAttributes"]["VpcId"]
    empty_vpc = {"VpcId": "vpc-new", "VSwitchIds": {"VSwitchId": []}, "RegionId": region_id, "VRouterId": "vrt-new"}
    alibaba_sandbox.add_vpcs(region_id, [empty_vpc])
    client = vpc_client(alibaba_sandbox)

    with pytest.raises(ValueError, match=instance["InstanceId"]):
        alibaba_sandbox.remove_vpcs([vpc_id])
    alibaba_sandbox.remove_vpcs(["vpc-new"])
    alibaba_sandbox.remove_vpcs([vpc_id], with_instances=True)

    listed = client.describe_vpcs(DescribeVpcsRequest(region_id=region_id, page_size=50)).body.vpcs.vpc
    assert vpc_id not in {vpc.vpc_id for vpc in listed}
    assert "vpc-new" not in {vpc.vpc_id for vpc in listed}
    assert all(i["VpcAttributes"]["VpcId"] != vpc_id for i in alibaba_sandbox.instances(region_id))
    with pytest.raises(KeyError, match=vpc_id):
        alibaba_sandbox.remove_vpcs([vpc_id])
    with pytest.raises(KeyError, match=vpc_id):
        alibaba_sandbox.vpc_attribute(vpc_id)


def test_state_is_copied_in_and_out(alibaba_sandbox):
    ram = alibaba_sandbox.ram
    ram.users[0]["UserName"] = "changed"
    region_id = alibaba_sandbox.vpc_region_ids[0]
    alibaba_sandbox.vpcs(region_id)[0]["VpcId"] = "changed"

    assert alibaba_sandbox.ram.users[0]["UserName"] != "changed"
    assert alibaba_sandbox.vpcs(region_id)[0]["VpcId"] != "changed"


USER = {"UserName": "alice", "UserId": "1", "DisplayName": "Alice"}
GROUP = {"GroupName": "ops"}
POLICY = {"PolicyName": "deploy", "PolicyType": "Custom", "DefaultVersion": "v2"}


@pytest.mark.parametrize(
    ("ram", "match"),
    [
        (RamDirectory(users=[USER, USER]), "'alice' is given twice"),
        (RamDirectory(users=[{"DisplayName": "no name"}]), "without UserName"),
        (RamDirectory(policies=[{"PolicyName": "x", "PolicyType": "Custom"}]), "without DefaultVersion"),
        (RamDirectory(policies=[{**POLICY, "PolicyType": "Managed"}]), "not System or Custom"),
        (
            RamDirectory(policies=[POLICY], policy_versions={("Custom", "deploy"): [{"VersionId": "v1"}]}),
            "no version v2",
        ),
        (RamDirectory(policy_versions={("Custom", "ghost"): []}), "Custom:ghost"),
        (
            RamDirectory(users=[USER], attachments=[PolicyAttachment("User", "alice", "Custom", "deploy", "")]),
            "unknown policy Custom:deploy",
        ),
        (
            RamDirectory(policies=[POLICY], attachments=[PolicyAttachment("Role", "r", "Custom", "deploy", "")]),
            "unknown role 'r'",
        ),
        (
            RamDirectory(
                users=[USER],
                policies=[POLICY],
                attachments=[PolicyAttachment("User", "alice", "Custom", "deploy", "")] * 2,
            ),
            "twice",
        ),
        (RamDirectory(users=[USER], memberships=[GroupMembership("ops", "alice", "")]), "unknown group 'ops'"),
        (RamDirectory(groups=[GROUP], memberships=[GroupMembership("ops", "bob", "")]), "unknown user 'bob'"),
        (
            RamDirectory(users=[USER], groups=[GROUP], memberships=[GroupMembership("ops", "alice", "")] * 2),
            "same group twice",
        ),
        (RamDirectory(mfa_devices=[{"SerialNumber": "s", "User": {"UserName": "bob"}}]), "unknown user 'bob'"),
    ],
)
def test_inconsistent_directories_are_refused_with_the_name_at_fault(ram, match):
    with pytest.raises(ValueError, match=match):
        AlibabaCloudSandbox(ram=ram)
