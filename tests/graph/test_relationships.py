"""Relationships: their types, the links records imply, and parity with the reference on the recordings."""

from __future__ import annotations

import json

import pytest
from ecs_records import OPTIONS, instance_records
from hypothesis import HealthCheck, given, settings
from identity_records import FULL_RECORDS
from jsonschema import ValidationError
from recorded import Recording, synced

from alibaba_jupiterone.errors import MalformedRecordError
from alibaba_jupiterone.graph import (
    ACCOUNT,
    ECS_INSTANCE,
    RAM_GROUP,
    RAM_POLICY,
    RAM_ROLE,
    RAM_USER,
    RELATIONSHIP_TYPES,
    RESOURCE_TYPES,
    VPC,
    Link,
    RelationshipType,
    account_link,
    relationship_type,
    relationship_types_touching,
    resource_type,
    validate_relationship,
)

# The contract's table: _type, _class, from, to.
CONTRACT = {
    ("alibaba_cloud_vpc_has_ecs_instance", "HAS", "alibaba_cloud_vpc", "alibaba_cloud_ecs_instance"),
    ("alibaba_cloud_ram_group_has_user", "HAS", "alibaba_cloud_ram_group", "alibaba_cloud_ram_user"),
    ("alibaba_cloud_ram_policy_assigned_user", "ASSIGNED", "alibaba_cloud_ram_policy", "alibaba_cloud_ram_user"),
    ("alibaba_cloud_ram_policy_assigned_group", "ASSIGNED", "alibaba_cloud_ram_policy", "alibaba_cloud_ram_group"),
    ("alibaba_cloud_ram_policy_assigned_role", "ASSIGNED", "alibaba_cloud_ram_policy", "alibaba_cloud_ram_role"),
    ("alibaba_cloud_account_has_ecs_instance", "HAS", "alibaba_cloud_account", "alibaba_cloud_ecs_instance"),
    ("alibaba_cloud_account_has_vpc", "HAS", "alibaba_cloud_account", "alibaba_cloud_vpc"),
    ("alibaba_cloud_account_has_ram_user", "HAS", "alibaba_cloud_account", "alibaba_cloud_ram_user"),
    ("alibaba_cloud_account_has_ram_group", "HAS", "alibaba_cloud_account", "alibaba_cloud_ram_group"),
    ("alibaba_cloud_account_has_ram_role", "HAS", "alibaba_cloud_account", "alibaba_cloud_ram_role"),
    ("alibaba_cloud_account_has_ram_policy", "HAS", "alibaba_cloud_account", "alibaba_cloud_ram_policy"),
}

# The recordings of the reference's relationship steps in scope, and the type each one builds.
BUILT = {
    "build-group-and-user-relationships_4057229285": "alibaba_cloud_ram_group_has_user",
    "build-policy-and-user-relationships_4000975266": "alibaba_cloud_ram_policy_assigned_user",
    "build-policy-and-group-relationships_3620367680": "alibaba_cloud_ram_policy_assigned_group",
    "build-policy-and-role-relationships_1836516645": "alibaba_cloud_ram_policy_assigned_role",
}

ENDS = ("_key", "_type", "_class", "_fromEntityKey", "_toEntityKey", "displayName")


def ends(relationships):
    return sorted(tuple(relationship[name] for name in ENDS) for relationship in relationships)


def test_the_relationship_types_are_the_contract_s():
    declared = [(kind.type, kind.relationship_class, kind.source, kind.target) for kind in RELATIONSHIP_TYPES]

    assert len(declared) == len(set(declared))
    assert set(declared) == CONTRACT
    for kind in RELATIONSHIP_TYPES:
        assert relationship_type(kind.type) is kind
        assert {kind.source, kind.target} <= {resource.type for resource in RESOURCE_TYPES}


def test_an_unknown_relationship_type_is_refused_naming_the_known_ones():
    with pytest.raises(KeyError, match="alibaba_cloud_ram_group_has_user"):
        relationship_type("alibaba_cloud_vpc_has_nat_gateway")


def test_a_relationship_class_must_be_upper_case():
    with pytest.raises(ValueError, match="not upper case"):
        RelationshipType("a_has_b", "has", "a", "b")


def test_a_relationship_is_keyed_by_its_ends_and_displayed_by_its_class():
    kind = relationship_type("alibaba_cloud_ram_policy_assigned_role")

    relationship = Link(
        kind, "alibaba_cloud_ram_policy:ReadOnlyAccess", "alibaba_cloud_ram_role:3209"
    ).to_relationship()

    assert relationship == {
        "_key": "alibaba_cloud_ram_policy:ReadOnlyAccess|assigned|alibaba_cloud_ram_role:3209",
        "_type": "alibaba_cloud_ram_policy_assigned_role",
        "_class": "ASSIGNED",
        "_fromEntityKey": "alibaba_cloud_ram_policy:ReadOnlyAccess",
        "_toEntityKey": "alibaba_cloud_ram_role:3209",
        "displayName": "ASSIGNED",
    }
    validate_relationship(relationship)


def test_the_account_has_every_other_type():
    for resource in RESOURCE_TYPES:
        if resource is ACCOUNT:
            with pytest.raises(KeyError, match="the account has no 'alibaba_cloud_account' entities"):
                account_link("alibaba_cloud_account:1", resource.type, "x")
            continue
        link = account_link("alibaba_cloud_account:5481250658564201", resource.type, "some-entity-key")
        assert (link.relationship.source, link.relationship.target) == (ACCOUNT.type, resource.type)
        assert link.relationship.relationship_class == "HAS"
        assert link.other_end(resource.type) == (ACCOUNT.type, "alibaba_cloud_account:5481250658564201")
        validate_relationship(link.to_relationship())


def test_the_other_end_of_a_link_is_the_one_its_record_did_not_make():
    link = Link(relationship_type("alibaba_cloud_ram_group_has_user"), "group-key-1", "user-key-01")

    assert link.other_end(RAM_GROUP.type) == (RAM_USER.type, "user-key-01")
    assert link.other_end(RAM_USER.type) == (RAM_GROUP.type, "group-key-1")
    with pytest.raises(ValueError, match="no alibaba_cloud_vpc end"):
        link.other_end(VPC.type)


@pytest.mark.parametrize(
    ("failed", "partial"),
    [
        (
            {RAM_USER.type, RAM_GROUP.type, RAM_ROLE.type, RAM_POLICY.type},
            {
                "alibaba_cloud_ram_group_has_user",
                "alibaba_cloud_ram_policy_assigned_user",
                "alibaba_cloud_ram_policy_assigned_group",
                "alibaba_cloud_ram_policy_assigned_role",
                "alibaba_cloud_account_has_ram_user",
                "alibaba_cloud_account_has_ram_group",
                "alibaba_cloud_account_has_ram_role",
                "alibaba_cloud_account_has_ram_policy",
            },
        ),
        ({VPC.type}, {"alibaba_cloud_vpc_has_ecs_instance", "alibaba_cloud_account_has_vpc"}),
        ({ECS_INSTANCE.type}, {"alibaba_cloud_vpc_has_ecs_instance", "alibaba_cloud_account_has_ecs_instance"}),
        ({ACCOUNT.type}, {kind.type for kind in RELATIONSHIP_TYPES if kind.type.startswith("alibaba_cloud_account_")}),
        (set(), set()),
        ({"alibaba_cloud_oss_bucket"}, set()),
    ],
)
def test_the_relationship_types_touching_failed_types_are_those_with_them_at_either_end(failed, partial):
    assert relationship_types_touching(failed) == partial
    assert relationship_types_touching(iter(sorted(failed))) == partial


@pytest.mark.parametrize("name", sorted(BUILT))
def test_the_recordings_give_the_reference_s_relationships(graph_fixtures, reference_by_recording, name):
    records = Recording.read(graph_fixtures / "recordings" / f"{name}.har").records()

    _, links = synced(records, OPTIONS)

    ours = [link.to_relationship() for link in links if link.relationship.type == BUILT[name]]
    reference = reference_by_recording[name]["relationships"]
    assert {relationship["_type"] for relationship in reference} == {BUILT[name]}
    assert ends(ours) == ends(reference)


def test_the_recorded_instances_are_had_by_the_recorded_vpcs_as_the_reference_s_converter_says(graph_fixtures):
    recording = Recording.read(graph_fixtures / "recordings" / "build-vpc-has-ecs-instance-relationship_260151437.har")
    reference = json.loads((graph_fixtures / "reference-converter-output.json").read_text(encoding="utf-8"))

    entities, links = synced(recording.records(), OPTIONS)

    assert ends(link.to_relationship() for link in links) == ends(reference["relationships"])
    assert len(links) == 4
    assert sum(entity["_type"] == VPC.type for entity in entities.values()) == 7


def test_an_instance_of_a_vpc_not_synced_gives_no_kept_link(graph_fixtures):
    recording = Recording.read(graph_fixtures / "recordings" / "build-vpc-has-ecs-instance-relationship_260151437.har")
    records = recording.records()
    del records[VPC.type]

    _, links = synced(records, OPTIONS)

    assert links == []
    # yet each instance still names its VPC: the link is left out for want of the other end only
    assert all(list(ECS_INSTANCE.links(record, record["InstanceId"])) for record in records[ECS_INSTANCE.type])


def test_every_link_has_its_record_s_entity_at_one_end_and_an_earlier_type_at_the_other():
    order = [resource.type for resource in RESOURCE_TYPES]
    records = {**FULL_RECORDS, ECS_INSTANCE.type: {"InstanceId": "i-bp1h4adlltjc", "VpcAttributes": {"VpcId": "vpc-1"}}}
    made = set()

    for type_name, record in records.items():
        resource = resource_type(type_name)
        key = resource.to_entity(record, OPTIONS)["_key"]
        for link in resource.links(record, key):
            assert key in (link.from_key, link.to_key)
            other_type, other_key = link.other_end(type_name)
            assert order.index(other_type) < order.index(type_name), link
            assert other_key != key
            validate_relationship(link.to_relationship())
            made.add(link.relationship.type)

    assert made == {kind for kind, _, source, _ in CONTRACT if source != ACCOUNT.type}


def test_a_record_lists_each_link_once():
    record = {"GroupName": "developers", "Users": {"User": [{"UserName": "alice"}, {"UserName": "alice"}]}}

    assert list(RAM_GROUP.links(record, "alibaba_cloud_ram_group:developers")) == [
        Link(
            relationship_type("alibaba_cloud_ram_group_has_user"),
            "alibaba_cloud_ram_group:developers",
            "alibaba_cloud_ram_user:alice",
        )
    ]


@pytest.mark.parametrize(
    ("resource", "record", "field"),
    [
        (RAM_GROUP, {"GroupName": "developers", "Users": {"User": [{"DisplayName": "no name"}]}}, "UserName"),
        (RAM_USER, {"UserName": "alice", "Policies": {"Policy": [{"PolicyName": ""}]}}, "PolicyName"),
        (RAM_ROLE, {"RoleId": "3209048132", "Policies": {"Policy": [{"PolicyName": 7}]}}, "PolicyName"),
        (ECS_INSTANCE, {"InstanceId": "i-bp1h4adlltjc", "VpcAttributes": {"VpcId": ["vpc-1"]}}, "VpcId"),
    ],
)
def test_an_item_without_a_usable_key_is_refused_naming_the_record(resource, record, field):
    key = resource.key.key_of(record)

    with pytest.raises(MalformedRecordError, match=rf"{resource.type} record {key} .*its {field} is not") as raised:
        list(resource.links(record, key, position=4))

    assert "record 4 of the global listing" in str(raised.value)


def test_an_instance_outside_any_vpc_links_to_none():
    for vpc_attributes in ({"VpcId": ""}, {}, None):
        assert list(ECS_INSTANCE.links({"InstanceId": "i-bp1h4adlltjc", "VpcAttributes": vpc_attributes}, "k")) == []


def test_types_whose_records_name_no_other_entity_make_no_links():
    for resource in (ACCOUNT, VPC, RAM_POLICY):
        assert list(resource.links(FULL_RECORDS[resource.type], "some-entity-key")) == []


GOOD = Link(
    relationship_type("alibaba_cloud_ram_group_has_user"), "alibaba_cloud_ram_group:g", "alibaba_cloud_ram_user:u"
)


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"_key": "alibaba_cloud_ram_group:g|HAS|alibaba_cloud_ram_user:u"}, "(from|class|to)"),
        ({"_key": "alibaba_cloud_ram_group:g|has|alibaba_cloud_ram_user:v"}, "(from|class|to)"),
        ({"displayName": "has"}, "is not the class 'HAS'"),
        ({"_class": "has"}, "does not match"),
        ({"_class": ["HAS"]}, "is not of type 'string'"),
        ({"_fromEntityKey": ""}, "should be non-empty"),
        ({"_type": "x"}, "is too short"),
        ({"bad:name": 1}, "does not match"),
    ],
)
def test_a_relationship_breaking_jupiterone_s_rules_is_refused(data_model, change, complaint):
    relationship = GOOD.to_relationship() | change

    errors = [error.message for error in data_model.relationship_errors(relationship)]

    assert any(complaint in error for error in errors), errors
    assert not data_model.is_valid_relationship(relationship)
    with pytest.raises(ValidationError, match=r".+"):
        validate_relationship(relationship)


def test_a_relationship_missing_an_end_is_refused(data_model):
    relationship = GOOD.to_relationship()
    del relationship["_toEntityKey"]

    assert [error.message for error in data_model.relationship_errors(relationship)] == [
        "'_toEntityKey' is a required property"
    ]
    assert not data_model.is_valid_relationship(relationship)


def test_a_good_relationship_has_no_errors(data_model):
    assert data_model.relationship_errors(GOOD.to_relationship()) == []
    assert data_model.is_valid_relationship(GOOD.to_relationship())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(record=instance_records)
def test_any_instance_is_had_by_the_vpc_it_names_and_no_other(data_model, record):
    links = list(ECS_INSTANCE.links(record, record["InstanceId"]))

    vpc_id = (record.get("VpcAttributes") or {}).get("VpcId")
    if not vpc_id:
        assert links == []
        return
    (link,) = links
    assert (link.relationship.type, link.from_key, link.to_key) == (
        "alibaba_cloud_vpc_has_ecs_instance",
        f"alibaba_cloud_vpc:{vpc_id}",
        record["InstanceId"],
    )
    assert data_model.relationship_errors(link.to_relationship()) == []
