"""Every account, VPC and RAM entity, and every relationship, meets data model 0.64.2 and JupiterOne's rules."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ecs_records import OPTIONS, publishing_errors, schema_errors
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from identity_records import FULL_RECORDS, RECORDS
from recorded import Recording, synced

from alibaba_jupiterone.errors import MalformedRecordError
from alibaba_jupiterone.graph import ACCOUNT, RESOURCE_TYPES, account_link, resource_type

ORDER = [resource.type for resource in RESOURCE_TYPES]


def problems(data_model, entities) -> list[str]:
    return [problem for entity in entities for problem in schema_errors(data_model, entity) + publishing_errors(entity)]


def relationship_problems(data_model, relationships) -> list[str]:
    return [
        f"{relationship['_key']}: {error.message}"
        for relationship in relationships
        for error in data_model.relationship_errors(relationship)
    ]


def test_the_entities_and_relationships_of_every_recording_validate(data_model, graph_fixtures):
    entities, relationships = {}, []
    for har in sorted((graph_fixtures / "recordings").glob("*.har")):
        found, links = synced(Recording.read(har).records(), OPTIONS)
        entities.update(found)
        relationships.extend(link.to_relationship() for link in links)

    assert {entity["_type"] for entity in entities.values()} == set(ORDER)
    assert problems(data_model, entities.values()) == []
    assert relationship_problems(data_model, relationships) == []
    assert {relationship["_type"] for relationship in relationships} == {
        "alibaba_cloud_vpc_has_ecs_instance",
        "alibaba_cloud_ram_group_has_user",
        "alibaba_cloud_ram_policy_assigned_user",
        "alibaba_cloud_ram_policy_assigned_group",
        "alibaba_cloud_ram_policy_assigned_role",
    }


@pytest.mark.parametrize("type_name", sorted(FULL_RECORDS))
def test_a_record_filling_every_field_gives_a_valid_entity(data_model, type_name):
    entity = resource_type(type_name).to_entity(FULL_RECORDS[type_name], OPTIONS)

    assert problems(data_model, [entity]) == []
    assert set(entity["_class"]) <= data_model.classes


@pytest.mark.parametrize("type_name", sorted(RECORDS))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), position=st.integers(0, 9), raw=st.booleans())
def test_any_record_the_api_could_return_gives_valid_objects_or_is_refused_by_name(
    data_model, type_name, data, position, raw
):
    record = data.draw(RECORDS[type_name], label="record")
    resource = resource_type(type_name)
    options = replace(OPTIONS, include_raw_data=raw)

    refused = None
    try:
        entity = resource.to_entity(record, options, position=position)
        links = list(resource.links(record, entity["_key"], position=position))
    except MalformedRecordError as error:
        refused = error
    if refused is not None:
        event(f"{type_name} refused")
        # only for a key JupiterOne would refuse, of the record or of an entity it links to
        assert "is not a non-empty string" in str(refused) or "shorter than the 10 characters" in str(refused)
        assert type_name in str(refused)
        assert f"record {position} of the global listing" in str(refused)
        assert refused.position == position
        return

    event(f"{type_name} converted, {len(links)} links")
    assert problems(data_model, [entity]) == []
    assert entity["_key"] == resource.key.key_of(record)
    relationships = [link.to_relationship() for link in links]
    if resource is not ACCOUNT:
        relationships.append(
            account_link("alibaba_cloud_account:5481250658564201", type_name, entity["_key"]).to_relationship()
        )
    assert relationship_problems(data_model, relationships) == []
    for link in links:
        other_type, _ = link.other_end(type_name)
        assert ORDER.index(other_type) < ORDER.index(type_name)
        assert entity["_key"] in (link.from_key, link.to_key)
    if raw:
        assert entity["_rawData"][0]["name"] == "default"
        assert {entry["name"] for entry in entity["_rawData"][1:]} <= set(resource.enrichments)
