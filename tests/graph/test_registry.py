"""The registry of resource types: declarations, what every type shares, and malformed records."""

from __future__ import annotations

import importlib
import inspect
from dataclasses import replace

import pytest
from ecs_records import OPTIONS
from hypothesis import given, settings
from hypothesis import strategies as st

from alibaba_jupiterone.errors import ConfigurationError, MalformedRecordError
from alibaba_jupiterone.graph import (
    ACCOUNT,
    ECS_INSTANCE,
    RAM_GROUP,
    RAM_POLICY,
    RAM_ROLE,
    RAM_USER,
    RESOURCE_TYPES,
    VPC,
    ConversionOptions,
    DataModel,
    KeyRule,
    ResourceType,
    resource_type,
)

GOOD = {"InstanceId": "i-bp1h4adlltjc1d48goaq", "InstanceName": "web-1"}

_json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
_json_values = st.recursive(
    _json_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


def listed_by(declared: ResourceType):
    module, class_name, method = declared.listed_by.rsplit(".", 2)
    return getattr(getattr(importlib.import_module(module), class_name), method)


def test_each_type_is_declared_once_with_classes_of_the_data_model():
    types = [declared.type for declared in RESOURCE_TYPES]

    assert len(types) == len(set(types))
    assert ECS_INSTANCE in RESOURCE_TYPES
    for declared in RESOURCE_TYPES:
        assert set(declared.classes) <= DataModel.load().classes, declared.type
        assert resource_type(declared.type) is declared


def test_an_unknown_type_is_refused_naming_the_known_ones():
    with pytest.raises(KeyError, match="alibaba_cloud_ecs_instance"):
        resource_type("alibaba_cloud_oss_bucket")


@pytest.mark.parametrize("declared", RESOURCE_TYPES, ids=lambda declared: declared.type)
def test_each_type_is_listed_by_a_hook_method_taking_a_region_when_regional(declared):
    method = listed_by(declared)

    takes_region = any("region" in name for name in list(inspect.signature(method).parameters)[1:])
    assert takes_region == declared.regional, declared.type


def test_the_ecs_instance_type_matches_the_contract():
    assert (ECS_INSTANCE.type, ECS_INSTANCE.classes, ECS_INSTANCE.key) == (
        "alibaba_cloud_ecs_instance",
        ("Host",),
        KeyRule("InstanceId"),
    )
    assert listed_by(ECS_INSTANCE).__name__ == "iter_instances"


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        (ACCOUNT, ("alibaba_cloud_account", ("Account",), KeyRule("AccountId", "alibaba_cloud_account:"), False)),
        (VPC, ("alibaba_cloud_vpc", ("Network",), KeyRule("VpcId", "alibaba_cloud_vpc:"), True)),
        (RAM_USER, ("alibaba_cloud_ram_user", ("User",), KeyRule("UserName", "alibaba_cloud_ram_user:"), False)),
        (
            RAM_GROUP,
            ("alibaba_cloud_ram_group", ("UserGroup",), KeyRule("GroupName", "alibaba_cloud_ram_group:"), False),
        ),
        (RAM_ROLE, ("alibaba_cloud_ram_role", ("AccessRole",), KeyRule("RoleId", "alibaba_cloud_ram_role:"), False)),
        (
            RAM_POLICY,
            ("alibaba_cloud_ram_policy", ("Policy",), KeyRule("PolicyName", "alibaba_cloud_ram_policy:"), False),
        ),
    ],
    ids=lambda value: getattr(value, "type", ""),
)
def test_the_account_vpc_and_ram_types_match_the_contract(declared, expected):
    assert (declared.type, declared.classes, declared.key, declared.regional) == expected
    hook_method = "iter_vpcs" if declared is VPC else "get_account" if declared is ACCOUNT else "read_directory"
    assert declared.listed_by.rsplit(".", 1)[1] == hook_method


def test_every_type_comes_after_the_types_its_links_point_to():
    order = [declared.type for declared in RESOURCE_TYPES]

    assert order == [
        "alibaba_cloud_account",
        "alibaba_cloud_ram_policy",
        "alibaba_cloud_ram_user",
        "alibaba_cloud_ram_group",
        "alibaba_cloud_ram_role",
        "alibaba_cloud_vpc",
        "alibaba_cloud_ecs_instance",
    ]


def test_a_new_type_is_one_declaration_and_gets_what_every_entity_shares():
    gateway = ResourceType(
        resource="NAT Gateway",
        type="alibaba_cloud_nat_gateway",
        classes=("Gateway",),
        key=KeyRule("NatGatewayId", prefix="alibaba_cloud_nat_gateway:"),
        converter=lambda record, options: {"name": record["Name"], "description": "d" * 5000},
        listed_by="some.module.Hook.iter_nat_gateways",
        regional=True,
    )
    record = {"NatGatewayId": "ngw-bp1", "Name": "main"}

    entity = gateway.to_entity(record, OPTIONS)

    assert entity == {
        "_key": "alibaba_cloud_nat_gateway:ngw-bp1",
        "_type": "alibaba_cloud_nat_gateway",
        "_class": ["Gateway"],
        "name": "main",
        "description": "d" * 4093 + "...",
        "tag.AccountName": "Production",
        "_rawData": [{"name": "default", "rawData": record}],
    }
    assert list(gateway.links(record, entity["_key"])) == []


def test_raw_data_and_the_account_tag_follow_the_options():
    options = replace(OPTIONS, include_raw_data=False, tag_with_account_name=False)

    entity = ECS_INSTANCE.to_entity(GOOD, options)

    assert "_rawData" not in entity
    assert "tag.AccountName" not in entity


def test_entities_come_in_the_order_of_their_records():
    records = [{**GOOD, "InstanceId": f"i-bp1h4adlltjc1d48go{index:02d}"} for index in range(3)]

    assert [entity["_key"] for entity in ECS_INSTANCE.to_entities(records, OPTIONS)] == [
        record["InstanceId"] for record in records
    ]


@settings(max_examples=100, deadline=None)
@given(record=_json_values.filter(lambda value: not isinstance(value, dict)), position=st.integers(0, 5))
def test_a_record_that_is_not_an_object_is_refused_naming_its_region_and_position(record, position):
    records = [GOOD] * position + [record, GOOD]
    entities = []

    with pytest.raises(MalformedRecordError) as raised:
        entities.extend(ECS_INSTANCE.to_entities(records, OPTIONS, region="eu-central-1"))

    assert len(entities) == position
    assert (raised.value.region, raised.value.position) == ("eu-central-1", position)
    assert f"record {position} of region eu-central-1" in str(raised.value)
    assert "not an object" in str(raised.value)


@settings(max_examples=100, deadline=None)
@given(
    record=st.dictionaries(st.text(max_size=12).filter(lambda key: key != "InstanceId"), _json_values, max_size=5)
    | st.fixed_dictionaries({"InstanceId": _json_values.filter(lambda value: not isinstance(value, str))})
    | st.fixed_dictionaries({"InstanceId": st.text(max_size=9)})
)
def test_a_record_without_a_usable_instance_id_is_refused(record):
    with pytest.raises(
        MalformedRecordError, match=r"no usable key: its (InstanceId is not|key .* is shorter than the 10 characters)"
    ) as raised:
        ECS_INSTANCE.to_entity(record, OPTIONS, region="us-east-1", position=7)

    assert isinstance(raised.value, ValueError)
    assert "record 7 of region us-east-1" in str(raised.value)


def test_a_record_of_a_global_listing_is_named_by_its_position():
    with pytest.raises(MalformedRecordError, match=r"record 3 of the global listing"):
        ECS_INSTANCE.to_entity([], OPTIONS, position=3)


def test_a_field_of_a_type_the_api_never_returns_is_refused_not_crashed_on():
    record = {**GOOD, "Status": ["Running"]}

    with pytest.raises(
        MalformedRecordError,
        match=r"i-bp1h4adlltjc1d48goaq cannot be converted: TypeError.*record 2 of region cn-beijing",
    ):
        list(ECS_INSTANCE.to_entities([GOOD, GOOD, record], OPTIONS, region="cn-beijing"))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"observed_on": True}, "epoch milliseconds"),
        ({"observed_on": 1.5e12}, "epoch milliseconds"),
        ({"observed_on": -1}, "outside"),
        ({"observed_on": 253_402_300_800_000}, "outside"),
        ({"observed_on": 0, "tag_with_account_name": True}, "needs an account_name"),
    ],
)
def test_conversion_options_refuse_what_the_data_model_would(options, message):
    with pytest.raises(ConfigurationError, match=message):
        ConversionOptions(**options)
