"""Check entities and relationships against JupiterOne's data model, as published in ``@jupiterone/data-model``.

The schemas of version 0.64.2 ship with this package (``graph/schemas/``). They name themselves and
each other with fragment-only ids (``"$id": "#Host"``, ``"$ref": "#Entity"``), which ``referencing``
would read as anchors of the current document: each is registered under ``urn:jupiterone:<Class>``
instead, its references rewritten to match.

Each class's schema is also compiled to Python by ``fastjsonschema``, with the same format checks
as ``jsonschema`` (those of :data:`FORMAT_CHECKER`; a format it cannot check is not checked by
either). The compiled check decides whether an entity is valid, about twenty times faster;
``jsonschema`` only runs to explain an entity that fails, with its usual messages.

Relationships have no class schema: they are checked against :data:`RELATIONSHIP_SCHEMA` (the
``GraphObject`` rules and the shape of a relationship) the same way, then against the rules no schema
can state: ``_key`` is ``<fromKey>|<class in lower case>|<toKey>`` and ``displayName`` is the class.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Iterable, Mapping
from functools import cache, partial
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fastjsonschema
from jsonschema import Draft7Validator, FormatChecker, ValidationError
from jsonschema.exceptions import best_match
from referencing import Registry
from referencing.jsonschema import DRAFT7

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

DATA_MODEL_VERSION = "0.64.2"
"""The ``@jupiterone/data-model`` version of the shipped schemas."""

_URN = "urn:jupiterone:"

RELATIONSHIP_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "description": "A relationship between two entities: a GraphObject with a one-word class in upper case.",
    "type": "object",
    "allOf": [
        {"$ref": f"{_URN}GraphObject"},
        {
            "properties": {
                "_class": {"type": "string", "pattern": "^[A-Z][A-Z_]*$"},
                "_fromEntityKey": {"type": "string", "minLength": 1},
                "_toEntityKey": {"type": "string", "minLength": 1},
                "displayName": {"type": "string"},
            },
            "required": ["_fromEntityKey", "_toEntityKey", "displayName"],
        },
    ],
}
"""What a relationship must be, beyond the rules between its values (see :meth:`DataModel.relationship_errors`)."""

FORMAT_CHECKER = FormatChecker()
"""``jsonschema``'s formats plus JupiterOne's own: ``ip`` (IPv4 or IPv6) and ``ipCidr``."""


@FORMAT_CHECKER.checks("ip", raises=ValueError)
def _is_ip(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    return not getattr(ipaddress.ip_address(instance), "scope_id", None)


@FORMAT_CHECKER.checks("ipCidr", raises=ValueError)
def _is_ip_cidr(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    return "/" in instance and bool(ipaddress.ip_network(instance, strict=False))


class DataModel:
    """The data model's class schemas, ready to validate entities.

    :param schemas: each class's schema as published (``{"Host": {...}, "Entity": {...}, ...}``).
    """

    def __init__(self, schemas: Mapping[str, dict[str, Any]]) -> None:
        prepared = {name: _with_urns(schema) for name, schema in schemas.items()}
        registry = Registry().with_resources(
            (_URN + name, DRAFT7.create_resource(schema)) for name, schema in prepared.items()
        )
        self._validators = {
            name: Draft7Validator(schema, registry=registry, format_checker=FORMAT_CHECKER)
            for name, schema in prepared.items()
        }
        formats = _formats(prepared.values())
        self._compiled = {name: _compile(schema, prepared, formats) for name, schema in prepared.items()}
        self._relationship: tuple[Draft7Validator, Callable[[Any], Any]] | None = None
        if "GraphObject" in prepared:
            self._relationship = (
                Draft7Validator(RELATIONSHIP_SCHEMA, registry=registry, format_checker=FORMAT_CHECKER),
                _compile(RELATIONSHIP_SCHEMA, prepared, formats),
            )

    @classmethod
    def load(cls, directory: Traversable | Path | None = None) -> DataModel:
        """The schemas of a folder of ``<Class>.json`` files; by default the copy shipped with this package."""
        folder = directory if directory is not None else files(__package__).joinpath("schemas")
        entries = (entry for entry in folder.iterdir() if entry.name.endswith(".json"))
        return cls(
            {entry.name.removesuffix(".json"): json.loads(entry.read_text(encoding="utf-8")) for entry in entries}
        )

    @property
    def classes(self) -> frozenset[str]:
        """The classes this data model can check."""
        return frozenset(self._validators)

    def errors(self, entity: Mapping[str, Any]) -> list[ValidationError]:
        """Every way ``entity`` breaks the schemas of its classes (``_class``); an unknown class is one."""
        classes = entity.get("_class")
        names = [classes] if isinstance(classes, str) else _strings(classes)
        if not names:
            return [ValidationError("the entity has no _class to check it against", path=["_class"])]
        found: list[ValidationError] = []
        for name in names:
            validator = self._validators.get(name)
            if validator is None:
                found.append(ValidationError(f"{name!r} is not a class of this data model", path=["_class"]))
            else:
                found.extend(validator.iter_errors(entity))
        return found

    def is_valid(self, entity: Mapping[str, Any]) -> bool:
        """Whether ``entity`` meets the schemas of all its classes (the compiled check, no explanation)."""
        classes = entity.get("_class")
        names = [classes] if isinstance(classes, str) else _strings(classes)
        if not names or any(name not in self._compiled for name in names):
            return False
        try:
            for name in names:
                self._compiled[name](entity)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return True

    def validate(self, entity: Mapping[str, Any]) -> None:
        """Raise the most telling :class:`jsonschema.ValidationError` of ``entity``, if it has any."""
        if self.is_valid(entity):
            return
        error = best_match(self.errors(entity))
        if error is None:  # the two libraries disagree: trust the stricter one, say so
            raise ValidationError(f"the entity fails the compiled check of data model {DATA_MODEL_VERSION}")
        raise error

    def relationship_errors(self, relationship: Mapping[str, Any]) -> list[ValidationError]:
        """Every way ``relationship`` breaks :data:`RELATIONSHIP_SCHEMA` or the rules between its values."""
        if self._relationship is None:
            return [ValidationError("this data model has no GraphObject schema to check relationships against")]
        found = list(self._relationship[0].iter_errors(relationship))
        return found or _relationship_rule_errors(relationship)

    def is_valid_relationship(self, relationship: Mapping[str, Any]) -> bool:
        """Whether ``relationship`` is valid (the compiled check, then the rules between its values)."""
        if self._relationship is None:
            return False
        try:
            self._relationship[1](relationship)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return not _relationship_rule_errors(relationship)

    def validate_relationship(self, relationship: Mapping[str, Any]) -> None:
        """Raise the most telling :class:`jsonschema.ValidationError` of ``relationship``, if it has any."""
        if self.is_valid_relationship(relationship):
            return
        error = best_match(self.relationship_errors(relationship))
        if error is None:
            raise ValidationError(f"the relationship fails the compiled check of data model {DATA_MODEL_VERSION}")
        raise error


def validate_entity(entity: Mapping[str, Any]) -> None:
    """Check ``entity`` against the shipped data model; raise :class:`jsonschema.ValidationError` if it fails."""
    _shipped_data_model().validate(entity)


def validate_relationship(relationship: Mapping[str, Any]) -> None:
    """Check ``relationship`` against the shipped data model; raise :class:`jsonschema.ValidationError` if it fails."""
    _shipped_data_model().validate_relationship(relationship)


def _relationship_rule_errors(relationship: Mapping[str, Any]) -> list[ValidationError]:
    """How a relationship that meets :data:`RELATIONSHIP_SCHEMA` breaks the rules between its values."""
    relationship_class = relationship["_class"]
    found = []
    expected_key = f"{relationship['_fromEntityKey']}|{relationship_class.lower()}|{relationship['_toEntityKey']}"
    if relationship["_key"] != expected_key:
        found.append(
            ValidationError(f"_key {relationship['_key']!r} is not {expected_key!r} (from|class|to)", path=["_key"])
        )
    if relationship["displayName"] != relationship_class:
        found.append(
            ValidationError(
                f"displayName {relationship['displayName']!r} is not the class {relationship_class!r}",
                path=["displayName"],
            )
        )
    return found


@cache
def _shipped_data_model() -> DataModel:
    return DataModel.load()


def _compile(
    schema: dict[str, Any], schemas: Mapping[str, dict[str, Any]], formats: dict[str, Callable[[Any], bool]]
) -> Callable[[Any], Any]:
    """``schema`` compiled to Python, its ``urn:jupiterone:<Class>`` references read from ``schemas``.

    It never fills in defaults: the entity checked is left as it was.
    """
    return fastjsonschema.compile(
        schema,
        handlers={"urn": lambda uri: schemas[uri.removeprefix(_URN)]},
        formats=formats,
        use_default=False,
        detailed_exceptions=False,
    )


def _formats(schemas: Iterable[Any]) -> dict[str, Callable[[Any], bool]]:
    """The check of each format the schemas use: :data:`FORMAT_CHECKER`'s, or none where it has none."""
    used: set[str] = set()
    pending = list(schemas)
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if isinstance(node.get("format"), str):
                used.add(node["format"])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return {
        name: partial(FORMAT_CHECKER.conforms, format=name) if name in FORMAT_CHECKER.checkers else _unchecked
        for name in used
    }


def _unchecked(_: object) -> bool:
    """A format ``jsonschema`` cannot check here (it needs an optional package): not checked by either."""
    return True


def _with_urns(schema: Any) -> Any:
    """``schema`` with each fragment-only ``$id`` and ``$ref`` (``#Entity``) rewritten to ``urn:jupiterone:Entity``."""
    if isinstance(schema, dict):
        return {
            name: _URN + value[1:] if name in ("$id", "$ref") and _is_class_fragment(value) else _with_urns(value)
            for name, value in schema.items()
        }
    if isinstance(schema, list):
        return [_with_urns(item) for item in schema]
    return schema


def _is_class_fragment(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("#") and value[1:2].isalpha()


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
