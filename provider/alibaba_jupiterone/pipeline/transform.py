"""Transform: turn the fetched records into entities and relationships, every one checked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from jsonschema import ValidationError

from alibaba_jupiterone.errors import GraphObjectError, ProviderError
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
from alibaba_jupiterone.pipeline.fetch import Store
from alibaba_jupiterone.pipeline.manifest import GLOBAL, Dataset, Failure, Manifest, batch_key

Load = Callable[[str], list[Any]]
"""Reads back one batch by its key (in Airflow: an XCom pull)."""


class _Writer:
    """Stores the items of one dataset in batches of ``batch_size`` as they come."""

    def __init__(self, kind: str, type_name: str, scope: str, store: Store, batch_size: int) -> None:
        self.dataset = Dataset(type_name, scope)
        self._kind = kind
        self._store = store
        self._batch_size = batch_size
        self._pending: list[dict[str, Any]] = []

    def add(self, item: dict[str, Any]) -> None:
        self._pending.append(item)
        if len(self._pending) >= self._batch_size:
            self.flush()

    def flush(self) -> Dataset:
        if self._pending:
            key = batch_key(self._kind, self.dataset.type, self.dataset.scope, len(self.dataset.keys))
            self._store(key, self._pending)
            self.dataset.keys.append(key)
            self.dataset.count += len(self._pending)
            self._pending = []
        return self.dataset


def _linked_later() -> frozenset[str]:
    """The types a later type's records may link to: only their keys need keeping (not the instances')."""
    order = {resource.type: position for position, resource in enumerate(RESOURCE_TYPES)}
    return frozenset(
        end
        for kind in RELATIONSHIP_TYPES
        for end, other in ((kind.source, kind.target), (kind.target, kind.source))
        if order[other] > order[end] and end != ACCOUNT.type
    )


class _Graph:
    """What transform knows of the synced graph so far: the keys a later record's link may point to."""

    tracked = _linked_later()

    def __init__(self) -> None:
        self.keys: dict[str, set[str]] = {}
        self.account_key: str | None = None

    def keeps(self, type_name: str) -> bool:
        """Whether the keys of ``type_name``'s entities are needed later."""
        return type_name == ACCOUNT.type or type_name in self.tracked

    def add(self, type_name: str, keys: set[str]) -> None:
        if type_name == ACCOUNT.type and keys:
            self.account_key = min(keys)
        elif type_name in self.tracked:
            self.keys.setdefault(type_name, set()).update(keys)

    def has_other_end(self, link: Link, own_type: str) -> bool:
        """Whether the entity at the end of ``link`` that a record of ``own_type`` did not make was synced."""
        type_name, key = link.other_end(own_type)
        return key in self.keys.get(type_name, ())


def transform(
    fetched: Manifest,
    options: ConversionOptions,
    *,
    load: Load,
    store: Store,
    producer: str,
    batch_size: int,
) -> Manifest:
    """Convert and validate the records ``fetched`` lists, and make the relationships between the results.

    Datasets are converted in the registry's order, so that the entities a record links to are known when
    it comes; a link is kept only when its other end was synced. The account, when synced, HAS every
    other entity. A dataset with a malformed record or an entity the data model refuses is left out whole
    (half a dataset published would lose the rest in a DIFF), with the relationships its records gave;
    the error, naming the record or the entity and the property, becomes a failure of its type.
    """
    manifest = Manifest(producer=producer, failures=list(fetched.failures))
    graph = _Graph()
    for resource in RESOURCE_TYPES:
        for dataset in (dataset for dataset in fetched.datasets if dataset.type == resource.type):
            entities = _Writer("entities", resource.type, dataset.scope, store, batch_size)
            relationships: dict[str, _Writer] = {}
            keys: set[str] = set()
            keeps_keys = graph.keeps(resource.type)
            try:
                for entity, links in _converted(dataset, resource, options, load, graph):
                    entities.add(entity)
                    if keeps_keys:
                        keys.add(entity["_key"])
                    for link in links:
                        relationship = link.to_relationship()
                        validate_relationship(relationship)
                        if link.relationship.type not in relationships:
                            relationships[link.relationship.type] = _Writer(
                                "relationships", link.relationship.type, dataset.scope, store, batch_size
                            )
                        relationships[link.relationship.type].add(relationship)
            except ProviderError as error:
                manifest.failures.append(Failure([resource.type], dataset.scope, f"{type(error).__name__}: {error}"))
                continue
            manifest.datasets.append(entities.flush())
            manifest.datasets.extend(writer.flush() for writer in relationships.values())
            graph.add(resource.type, keys)
    return manifest


def _converted(
    dataset: Dataset, resource: ResourceType, options: ConversionOptions, load: Load, graph: _Graph
) -> Iterator[tuple[dict[str, Any], list[Link]]]:
    """Each entity of ``dataset``, checked, with the links to keep."""
    region = None if dataset.scope == GLOBAL else dataset.scope
    position = 0
    for key in dataset.keys:
        for record in load(key):
            entity = resource.to_entity(record, options, region=region, position=position)
            try:
                validate_entity(entity)
            except ValidationError as error:
                where = "/".join(str(part) for part in error.absolute_path) or "(entity)"
                raise GraphObjectError(
                    f"entity {entity['_key']} (record {position} of {resource.type} in {dataset.scope}) fails "
                    f"data model {DATA_MODEL_VERSION} at {where}: {error.message}",
                    key=entity["_key"],
                    property_name=where,
                ) from error
            implied = resource.links(record, entity["_key"], region=region, position=position)
            links = [link for link in implied if graph.has_other_end(link, resource.type)]
            if graph.account_key and resource is not ACCOUNT:
                links.append(account_link(graph.account_key, resource.type, entity["_key"]))
            position += 1
            yield entity, links
