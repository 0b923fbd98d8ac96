"""Every ECS instance entity validates against the data model 0.64.2 and JupiterOne's publishing rules."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from ecs_records import OPTIONS, instance_records, publishing_errors, schema_errors
from hypothesis import HealthCheck, given, settings

from alibaba_jupiterone.graph import ECS_INSTANCE
from alibaba_jupiterone.sandbox.ecs.synthetic import synthetic_fleet


def problems(data_model, entities) -> list[str]:
    return [problem for entity in entities for problem in schema_errors(data_model, entity) + publishing_errors(entity)]


def test_entities_of_the_recordings_validate(data_model, recorded_instances):
    entities = [ECS_INSTANCE.to_entity(record, OPTIONS, region=region) for _, region, _, record in recorded_instances]

    assert problems(data_model, entities) == []


@pytest.mark.parametrize(
    "name", ["describe_instances_real.json", "describe_instances_full_synthetic.json", "describe_instances_empty.json"]
)
def test_entities_of_the_describe_instances_examples_validate(data_model, shared_fixtures, name):
    body = json.loads((shared_fixtures / "alibaba-ecs" / name).read_text(encoding="utf-8"))
    records = body["Instances"]["Instance"]

    entities = list(ECS_INSTANCE.to_entities(records, OPTIONS, region=name))

    assert len(entities) == len(records) == body["TotalCount"]
    assert problems(data_model, entities) == []


@pytest.mark.parametrize("seed", [0, 1])
def test_entities_of_a_synthetic_fleet_validate(data_model, seed):
    _, fleet = synthetic_fleet(1000, region_count=20, seed=seed)
    options = replace(OPTIONS, include_raw_data=seed == 0)

    entities = [
        entity
        for region, records in fleet.items()
        for entity in ECS_INSTANCE.to_entities(records, options, region=region)
    ]

    assert len(entities) == 1000
    assert problems(data_model, entities) == []
    # the fleet holds the hard cases, so the check above covered them
    assert {entity["osType"] for entity in entities} == {"linux", "windows"}
    assert {entity["status"] for entity in entities} == {"deployed", "pending", "locked"}
    assert any(entity["fqdn"] for entity in entities)
    assert any(entity["ipv6Addresses"] for entity in entities)
    assert any(entity.get("eipAddress") and entity["public"] for entity in entities)
    assert any("ipAddress" not in entity for entity in entities)  # classic network: no interface at all
    assert any(len(entity.get("networkInterfaceIds", [])) > 1 for entity in entities)
    assert any("tag.acs-autoscaling-scalingGroupId" in entity for entity in entities)
    assert any(entity["name"] == entity["_key"] for entity in entities)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(record=instance_records)
def test_any_record_the_api_could_return_gives_a_valid_entity(data_model, record):
    entity = ECS_INSTANCE.to_entity(record, OPTIONS, region="cn-hangzhou", position=0)

    assert schema_errors(data_model, entity) + publishing_errors(entity) == []
    assert entity["_key"] == record["InstanceId"]
    assert entity["_rawData"] == [{"name": "default", "rawData": record}]
