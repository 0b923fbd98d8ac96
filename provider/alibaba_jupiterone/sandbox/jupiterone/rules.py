"""The data model's rules for uploaded entities and relationships (JupiterOne's ``GraphObject`` and ``Entity``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal

from alibaba_jupiterone.sandbox.jupiterone.errors import SyncError

Kind = Literal["entity", "relationship"]
KINDS: tuple[Kind, ...] = ("entity", "relationship")
PLURALS: dict[Kind, str] = {"entity": "entities", "relationship": "relationships"}

PROPERTY_NAME = r"^(_|tag\.)?[A-Za-z0-9. -]+$"
_PROPERTY_NAME = re.compile(PROPERTY_NAME)


def _text(min_length: int) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, str) and len(value) >= min_length


def _class(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value) and all(map(_text(2), value))
    return _text(2)(value)


_Rule = tuple[str, Callable[[Any], bool], str]
_GRAPH_OBJECT: tuple[_Rule, ...] = (
    ("_key", _text(10), "must be a string of at least 10 characters"),
    ("_type", _text(3), "must be a string of at least 3 characters"),
    ("_class", _class, "must be a string or a non-empty array of strings, each of at least 2 characters"),
)
_REQUIRED: dict[Kind, tuple[_Rule, ...]] = {
    "entity": (
        *_GRAPH_OBJECT,
        ("name", _text(0), "must be a string"),
        ("displayName", _text(0), "must be a string"),
    ),
    "relationship": (
        *_GRAPH_OBJECT,
        ("_fromEntityKey", _text(1), "must be a non-empty string"),
        ("_toEntityKey", _text(1), "must be a non-empty string"),
    ),
}


def check_objects(kind: Kind, objects: Any) -> list[dict]:
    """``objects`` if it is an array of valid ``kind`` objects; else the :class:`SyncError` naming the first fault.

    Codes: ``ENTITY_IS_NOT_ARRAY`` / ``RELATIONSHIP_IS_NOT_ARRAY``, ``INVALID_ENTITY`` / ``INVALID_RELATIONSHIP``;
    the message names the object's index and ``_key`` and the property at fault.
    """
    if not isinstance(objects, list):
        raise SyncError(400, f"{kind.upper()}_IS_NOT_ARRAY", f"{PLURALS[kind]} must be an array")
    for index, item in enumerate(objects):
        problem = _object_problem(kind, item)
        if problem:
            raise SyncError(400, f"INVALID_{kind.upper()}", f"{kind} {_label(index, item)}: {problem}")
    return objects


def _label(index: int, item: Any) -> str:
    key = item.get("_key") if isinstance(item, dict) else None
    return f"#{index} (_key {key!r})" if isinstance(key, str) else f"#{index}"


def _object_problem(kind: Kind, item: Any) -> str | None:
    if not isinstance(item, dict):
        return "must be an object"
    for name, valid, rule in _REQUIRED[kind]:
        if not valid(item.get(name)):
            return f"property {name!r} {rule}"
    for name, value in item.items():
        if type(value) in _SCALARS and _valid_name(name):  # the usual property, told quickly
            continue
        problem = _property_problem(name, value)
        if problem:
            return f"property {name!r} {problem}"
    return None


@lru_cache(maxsize=4096)  # the same names come in every object
def _valid_name(name: str) -> bool:
    return _PROPERTY_NAME.fullmatch(name) is not None


def _property_problem(name: str, value: Any) -> str | None:
    if not _valid_name(name):
        return f"has an invalid name (property names match {PROPERTY_NAME})"
    if name == "_rawData":
        return _raw_data_problem(value)
    kind = _primitive(value)
    if name.startswith("tag."):
        return None if kind not in (None, "null") else "must be a string, number or boolean"
    if kind is not None:
        return None
    if isinstance(value, list):
        element_kinds = {_primitive(element) for element in value}
        if len(element_kinds) <= 1 and not element_kinds & {None, "null"}:
            return None
    return "must be a string, number, boolean, null or an array of one of those types"


def _primitive(value: Any) -> str | None:
    """The JSON type of a primitive value (``bool`` before ``int``: it is one); ``None`` otherwise."""
    kind = _PRIMITIVES.get(type(value))
    if kind is not None:
        return kind
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


_PRIMITIVES = {type(None): "null", bool: "boolean", int: "number", float: "number", str: "string"}
_SCALARS = frozenset({bool, int, float, str})
"""Types of a value any validly named property may have, a tag's included."""


def _raw_data_problem(value: Any) -> str | None:
    shape = 'must be an array of {"name": string, "rawData": ...} objects'
    if not isinstance(value, list):
        return shape
    names: set[str] = set()
    for entry in value:
        if not (isinstance(entry, dict) and isinstance(entry.get("name"), str) and "rawData" in entry):
            return shape
        if entry["name"] in names:
            return f"has more than one entry named {entry['name']!r}"
        names.add(entry["name"])
    return None
