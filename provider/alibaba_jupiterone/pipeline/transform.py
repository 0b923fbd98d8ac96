"""Transform: turn the fetched records into entities and relationships, every one checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alibaba_jupiterone.errors import ProviderError
from alibaba_jupiterone.graph import RESOURCE_TYPES, ConversionOptions
from alibaba_jupiterone.pipeline.converting import SyncedGraph, convert
from alibaba_jupiterone.pipeline.fetch import Store
from alibaba_jupiterone.pipeline.interpreter import tuned_for_sync
from alibaba_jupiterone.pipeline.manifest import Dataset, Failure, Manifest, batch_key

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


@tuned_for_sync()
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
    graph = SyncedGraph()
    for resource in RESOURCE_TYPES:
        for dataset in (dataset for dataset in fetched.datasets if dataset.type == resource.type):
            entities = _Writer("entities", resource.type, dataset.scope, store, batch_size)
            relationships: dict[str, _Writer] = {}
            keys: set[str] = set()
            keeps_keys = graph.keeps(resource.type)
            try:
                position = 0
                for key in dataset.keys:
                    for record in load(key):
                        entity, related = convert(
                            resource, record, options, graph, scope=dataset.scope, position=position
                        )
                        position += 1
                        entities.add(entity)
                        if keeps_keys:
                            keys.add(entity["_key"])
                        for relationship in related:
                            kind = relationship["_type"]
                            if kind not in relationships:
                                relationships[kind] = _Writer("relationships", kind, dataset.scope, store, batch_size)
                            relationships[kind].add(relationship)
            except ProviderError as error:
                manifest.failures.append(Failure([resource.type], dataset.scope, f"{type(error).__name__}: {error}"))
                continue
            manifest.datasets.append(entities.flush())
            manifest.datasets.extend(writer.flush() for writer in relationships.values())
            graph.add(resource.type, keys)
    return manifest
