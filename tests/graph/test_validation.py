"""The data model check itself: the shipped schemas, JupiterOne's formats, and what it refuses."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest
from ecs_records import OPTIONS, schema_errors
from jsonschema import ValidationError

from alibaba_jupiterone.graph import ECS_INSTANCE, DataModel, validate_entity
from alibaba_jupiterone.graph.validation import FORMAT_CHECKER

RECORD = {
    "InstanceId": "i-bp1h4adlltjc1d48goaq",
    "InstanceName": "web-1",
    "Status": "Running",
    "PublicIpAddress": {"IpAddress": ["47.96.1.2"]},
}


def test_the_shipped_schemas_are_the_data_model_s(data_model_folder):
    shared = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in data_model_folder.glob("*.json")}
    shipped_folder = files("alibaba_jupiterone.graph").joinpath("schemas")
    shipped = {
        entry.name.removesuffix(".json"): json.loads(entry.read_text(encoding="utf-8"))
        for entry in shipped_folder.iterdir()
        if entry.name.endswith(".json")
    }

    assert shipped == shared
    assert DataModel.load().classes == set(shared)
    assert {"GraphObject", "Entity", "Host", "Network", "User", "UserGroup", "AccessRole", "Policy", "Account"} <= set(
        shipped
    )


def test_the_shipped_data_model_accepts_a_converted_entity():
    validate_entity(ECS_INSTANCE.to_entity(RECORD, OPTIONS))


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"status": "Running"}, "'Running' is not valid"),
        ({"hostname": "web_1"}, "is not valid"),
        ({"publicIpAddresses": ["47.96.**.**"]}, "is not valid"),
        ({"ipv6Addresses": ["fe80::1%eth0"]}, "is not valid"),
        ({"macAddresses": ["00:16:3E:AA:00:01"]}, "is not valid"),
        ({"lastSeenOn": 1.5}, "is not valid"),
        ({"osType": "Linux"}, "is not valid"),
        ({"tag.team": ["a"]}, "is not valid"),
        ({"bad:name": 1}, "does not match"),
        ({"_key": "i-short"}, "is too short"),
        ({"category": None, "name": None}, "is not of type 'string'"),
    ],
)
def test_the_data_model_refuses_what_jupiterone_would(data_model, change, complaint):
    entity = ECS_INSTANCE.to_entity(RECORD, OPTIONS) | change

    errors = schema_errors(data_model, entity)

    assert any(complaint in error for error in errors), errors
    with pytest.raises(ValidationError):
        data_model.validate(entity)


def test_a_required_property_may_not_be_missing(data_model):
    entity = ECS_INSTANCE.to_entity(RECORD, OPTIONS)
    del entity["fqdn"]

    assert any("'fqdn' is a required property" in error for error in schema_errors(data_model, entity))


def test_an_entity_is_checked_against_each_of_its_classes(data_model):
    entity = ECS_INSTANCE.to_entity(RECORD, OPTIONS)

    assert schema_errors(data_model, entity | {"_class": "Host"}) == []
    assert any(
        "'CIDR' is a required property" in e
        for e in schema_errors(data_model, entity | {"_class": ["Host", "Network"]})
    )
    assert any("not a class" in error for error in schema_errors(data_model, entity | {"_class": ["Hots"]}))
    assert any("no _class" in error for error in schema_errors(data_model, entity | {"_class": []}))


def test_the_reference_integration_s_own_entities_fail_the_current_data_model(data_model, reference_entities):
    for entity in reference_entities.values():
        errors = schema_errors(data_model, entity)
        assert any("'Running' is not valid" in error for error in errors), errors
        assert any("'category' is a required property" in error for error in errors), errors


@pytest.mark.parametrize(
    ("value", "ip", "ip_cidr"),
    [
        ("10.0.0.1", True, False),
        ("2408:4005::1", True, False),
        ("fe80::1%eth0", False, False),
        ("10.0.0.0/8", False, True),
        ("10.0.0.7/24", False, True),
        ("2408:4005::/64", False, True),
        ("10.0.0.0/33", False, False),
        ("172.17.**.**", False, False),
        (42, True, True),
    ],
)
def test_jupiterone_formats(value, ip, ip_cidr):
    assert (FORMAT_CHECKER.conforms(value, "ip"), FORMAT_CHECKER.conforms(value, "ipCidr")) == (ip, ip_cidr)
