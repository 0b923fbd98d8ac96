"""The records read from the recordings are composed as the records contract says."""

from __future__ import annotations

from recorded import RECORDING_ACCOUNT_ID, Recording

from alibaba_jupiterone.graph import ACCOUNT, ECS_INSTANCE, RAM_GROUP, RAM_POLICY, RAM_ROLE, RAM_USER, VPC


def read(graph_fixtures, name: str) -> Recording:
    (har,) = (graph_fixtures / "recordings").glob(f"{name}_*.har")
    return Recording.read(har)


def test_the_account_id_is_the_one_the_recorded_resources_belong_to(graph_fixtures):
    vpcs = read(graph_fixtures, "fetch-vpcs").records()[VPC.type]
    roles = read(graph_fixtures, "fetch-ram-roles").records()[RAM_ROLE.type]

    assert {str(vpc["OwnerId"]) for vpc in vpcs} == {RECORDING_ACCOUNT_ID}
    assert {role["Arn"].split(":")[3] for role in roles} == {RECORDING_ACCOUNT_ID}


def test_the_account_record_pairs_the_caller_s_id_with_the_alias(graph_fixtures):
    recording = read(graph_fixtures, "fetch-account")

    assert recording.records() == {
        ACCOUNT.type: [{"AccountId": RECORDING_ACCOUNT_ID, "AccountAlias": recording.answers[0].body["AccountAlias"]}]
    }


def test_a_vpc_record_is_the_listed_item_with_its_attributes_winning(graph_fixtures):
    recording = read(graph_fixtures, "fetch-vpcs")
    listed = {vpc["VpcId"]: vpc for answer in recording.of("DescribeVpcs") for vpc in answer.body["Vpcs"]["Vpc"]}
    attributes = recording.by_query("DescribeVpcAttribute", "VpcId")

    records = recording.records()[VPC.type]

    assert [record["VpcId"] for record in records] == list(listed)
    for record in records:
        attribute = attributes[record["VpcId"]]
        assert "RequestId" not in record
        assert {name: record[name] for name in attribute if name != "RequestId"} == {
            name: value for name, value in attribute.items() if name != "RequestId"
        }
        assert {name: record[name] for name in listed[record["VpcId"]] if name not in attribute} == {
            name: value for name, value in listed[record["VpcId"]].items() if name not in attribute
        }
        # from the listing only (AdvancedResource) and from the attribute only (CloudResources)
        assert "AdvancedResource" in record
        assert "CloudResources" in record


def test_ram_records_carry_their_enrichments_only_when_calls_added_something(graph_fixtures):
    records = read(graph_fixtures, "build-policy-and-role-relationships").records()

    users = {user["UserName"]: user for user in records[RAM_USER.type]}
    assert set(users["stefan.virag"]) - {"Policies"} == {
        "UserName",
        "UserId",
        "DisplayName",
        "Comments",
        "CreateDate",
        "UpdateDate",
    }
    assert [policy["PolicyName"] for policy in users["stefan.virag"]["Policies"]["Policy"]] == ["AdministratorAccess"]
    assert "Policies" not in users["nick.dowmon"]  # ListPoliciesForUser gave none
    (group,) = records[RAM_GROUP.type]
    assert [policy["PolicyName"] for policy in group["Policies"]["Policy"]] == ["AliyunRAMFullAccess"]
    assert "Users" not in group  # ListUsersForGroup is not in this recording
    assert all(len(role["Policies"]["Policy"]) == 1 for role in records[RAM_ROLE.type])
    # one policy per name, attached ones only, users' first, then groups', then roles'
    names = [policy["PolicyName"] for policy in records[RAM_POLICY.type]]
    assert names[:3] == ["AdministratorAccess", "ReadOnlyAccess", "AliyunRAMFullAccess"]
    assert len(names) == len(set(names)) == 9


def test_group_members_come_from_list_users_for_group(graph_fixtures):
    records = read(graph_fixtures, "build-group-and-user-relationships").records()

    (group,) = records[RAM_GROUP.type]
    assert [member["UserName"] for member in group["Users"]["User"]] == ["stefan.virag"]


def test_instances_are_the_listed_items_unchanged(graph_fixtures):
    recording = read(graph_fixtures, "build-vpc-has-ecs-instance-relationship")

    instances = recording.records()[ECS_INSTANCE.type]

    assert instances == [
        instance for answer in recording.of("DescribeInstances") for instance in answer.body["Instances"]["Instance"]
    ]
    assert len(instances) == 4
