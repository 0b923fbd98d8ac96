"""docs/data-model.md says what the registry declares: a type added to one and not the other fails here."""

from __future__ import annotations

import re
from pathlib import Path

from alibaba_jupiterone.graph import RESOURCE_TYPES

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-model.md"


def section(heading: str) -> str:
    """The text under ``## heading``, up to the next heading of that level."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"{DOC.name} has no '## {heading}' section"
    return match.group(1)


def table(heading: str) -> list[tuple[str, ...]]:
    """The body rows of the table under ``## heading``, as tuples of stripped cells."""
    rows = [line.strip().strip("|").split("|") for line in section(heading).splitlines() if line.startswith("|")]
    return [tuple(cell.strip() for cell in row) for row in rows[2:]]


def code(*values: str) -> str:
    return ", ".join(f"`{value}`" for value in values)


def test_the_entities_table_lists_every_registered_type():
    expected = [(declared.resource, code(declared.type), code(*declared.classes)) for declared in RESOURCE_TYPES]

    assert table("Entities") == expected


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

    assert table("Keys and listings") == expected


def test_no_relationship_is_documented_while_none_is_made():
    assert table("Relationships") == []
    assert "None yet" in section("Relationships")
