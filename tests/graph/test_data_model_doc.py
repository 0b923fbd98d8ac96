"""docs/data-model.md says what the registry declares: a type, relationship or property missing from either fails."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from ecs_records import OPTIONS
from identity_records import FULL_RECORDS

from alibaba_jupiterone.graph import ECS_INSTANCE, RELATIONSHIP_TYPES, RESOURCE_TYPES, resource_type

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-model.md"

# Every entity has these; the docs describe them once, not per type.
SHARED = {"_key", "_type", "_class", "_rawData"}


def section(heading: str, level: int = 2) -> str:
    """The text under the heading ``heading`` of ``level``, up to the next heading of that level or above."""
    text = DOC.read_text(encoding="utf-8")
    hashes = "#" * level
    match = re.search(rf"^{hashes} {re.escape(heading)}\n(.*?)(?=^#{{1,{level}}} |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"{DOC.name} has no '{hashes} {heading}' section"
    return match.group(1)


def table(text: str) -> list[tuple[str, ...]]:
    """The body rows of the table in ``text``, as tuples of stripped cells."""
    rows = [line.strip().strip("|").split("|") for line in text.splitlines() if line.startswith("|")]
    return [tuple(cell.strip() for cell in row) for row in rows[2:]]


def code(*values: str) -> str:
    return ", ".join(f"`{value}`" for value in values)


def documented_properties(type_name: str) -> set[str]:
    """The property names in the first column of the type's properties table."""
    rows = table(section(f"`{type_name}`", level=3))
    return {name for row in rows for name in re.findall(r"`([^`]+)`", row[0])}


def example_records(type_name: str, shared_fixtures: Path) -> list[dict]:
    """Records of ``type_name`` that between them fill every field its converter reads."""
    if type_name != ECS_INSTANCE.type:
        return [FULL_RECORDS[type_name]]
    body = json.loads((shared_fixtures / "alibaba-ecs" / "describe_instances_full_synthetic.json").read_text())
    full = body["Instances"]["Instance"][0]
    return [full, {**full, "InstanceChargeType": "PrePaid"}]  # expiresOn is for subscriptions only


def test_the_entities_table_lists_every_registered_type():
    expected = [(declared.resource, code(declared.type), code(*declared.classes)) for declared in RESOURCE_TYPES]

    assert table(section("Entities")) == expected


def test_the_keys_table_says_how_each_type_is_keyed_and_listed():
    expected = [
        (
            code(declared.type),
            code(f"{declared.key.prefix}<{declared.key.field}>"),
            code(".".join(declared.listed_by.split(".")[-2:])),
            "regional" if declared.regional else "global",
        )
        for declared in RESOURCE_TYPES
    ]

    assert table(section("Keys and listings")) == expected


def test_the_relationships_table_lists_every_relationship_type():
    expected = [
        (code(kind.type), code(kind.relationship_class), code(kind.source), code(kind.target))
        for kind in RELATIONSHIP_TYPES
    ]

    assert [row[:4] for row in table(section("Relationships"))] == expected


@pytest.mark.parametrize("type_name", [declared.type for declared in RESOURCE_TYPES])
def test_each_type_documents_exactly_the_properties_its_entities_have(type_name, shared_fixtures):
    declared = resource_type(type_name)
    made = {
        "tag.<key>" if name.startswith("tag.") and name != "tag.AccountName" else name
        for record in example_records(type_name, shared_fixtures)
        for name in declared.to_entity(record, OPTIONS)
    }

    assert documented_properties(type_name) == made - SHARED
