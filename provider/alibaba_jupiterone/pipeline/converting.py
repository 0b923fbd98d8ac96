"""One record at a time: its entity, checked, and the relationships to the entities synced before it."""

from __future__ import annotations

from typing import Any

from jsonschema import ValidationError

from alibaba_jupiterone.errors import GraphObjectError
from alibaba_jupiterone.graph import (
    ACCOUNT,
    DATA_MODEL_VERSION,
    RELATIONSHIP_TYPES,
    RESOURCE_TYPES,
    ConversionOptions,
    Link,
    ResourceType,
    account_link,
    validate_entity,
    validate_relationship,
)
from alibaba_jupiterone.pipeline.manifest import GLOBAL

_ORDER = {resource.type: position for position, resource in enumerate(RESOURCE_TYPES)}


def dependencies(type_name: str) -> frozenset[str]:
    """The types whose entities a record of ``type_name`` may link to: they must be converted before it."""
    return frozenset(
        other
        for kind in RELATIONSHIP_TYPES
        for end, other in ((kind.source, kind.target), (kind.target, kind.source))
        if end == type_name and _ORDER[other] < _ORDER[type_name]
    )


class SyncedGraph:
    """What a sync knows of the entities converted so far: the keys a later record's links may point to.

    Only the keys of types some later type links to are kept (not those of the instances).
    """

    tracked = frozenset(dependency for resource in RESOURCE_TYPES for dependency in dependencies(resource.type))

    def __init__(self) -> None:
        self.keys: dict[str, set[str]] = {}
        self.account_key: str | None = None

    def keeps(self, type_name: str) -> bool:
        """Whether the keys of ``type_name``'s entities are needed later."""
        return type_name in self.tracked

    def add(self, type_name: str, keys: set[str]) -> None:
        """Make ``keys`` of ``type_name`` known to the records that come later."""
        if type_name == ACCOUNT.type and keys:
            self.account_key = min(keys)
        if type_name in self.tracked:
            self.keys.setdefault(type_name, set()).update(keys)

    def has_other_end(self, link: Link, own_type: str) -> bool:
        """Whether the entity at the end of ``link`` that a record of ``own_type`` did not make was synced."""
        type_name, key = link.other_end(own_type)
        return key in self.keys.get(type_name, ())


def convert(
    resource: ResourceType,
    record: Any,
    options: ConversionOptions,
    graph: SyncedGraph,
    *,
    scope: str,
    position: int,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The entity of ``record``, checked against the data model, and its relationships, each checked.

    A relationship is made only when its other end is in ``graph``; the account, when known, HAS the entity.

    :raises MalformedRecordError: naming the record's scope and position.
    :raises GraphObjectError: naming the entity's key and the property the data model refuses.
    """
    region = None if scope == GLOBAL else scope
    entity = resource.to_entity(record, options, region=region, position=position)
    try:
        validate_entity(entity)
    except ValidationError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "(entity)"
        raise GraphObjectError(
            f"entity {entity['_key']} (record {position} of {resource.type} in {scope}) fails "
            f"data model {DATA_MODEL_VERSION} at {where}: {error.message}",
            key=entity["_key"],
            property_name=where,
        ) from error
    implied = resource.links(record, entity["_key"], region=region, position=position)
    links = [link for link in implied if graph.has_other_end(link, resource.type)]
    if graph.account_key and resource is not ACCOUNT:
        links.append(account_link(graph.account_key, resource.type, entity["_key"]))
    relationships = [link.to_relationship() for link in links]
    for relationship in relationships:
        validate_relationship(relationship)
    return entity, relationships
