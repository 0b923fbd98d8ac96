"""Transform: turn each region's record batches into entity batches, every entity checked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from jsonschema import ValidationError

from alibaba_jupiterone.errors import GraphObjectError, ProviderError
from alibaba_jupiterone.graph import DATA_MODEL_VERSION, ConversionOptions, ResourceType, validate_entity
from alibaba_jupiterone.pipeline.fetch import Store, chunked
from alibaba_jupiterone.pipeline.manifest import Manifest, RegionBatches, batch_key

Load = Callable[[str], list[Any]]
"""Reads back one batch by its key (in Airflow: an XCom pull)."""


def transform(
    fetched: Manifest,
    resource_type: ResourceType,
    options: ConversionOptions,
    *,
    load: Load,
    store: Store,
    producer: str,
    batch_size: int,
) -> Manifest:
    """Convert and validate, region by region, the records ``fetched`` lists.

    A region with a malformed record or an entity the data model refuses is left out whole (a
    region half-published would lose the rest in a DIFF); the error, naming the record or the
    entity and the property, goes to the manifest's ``failed`` with the regions fetch left out.
    """
    manifest = Manifest(producer=producer, resource_type=resource_type.type, failed=dict(fetched.failed))
    for region, records in fetched.regions.items():
        batches = RegionBatches()
        try:
            entities = _entities(records.keys, resource_type, options, load=load, region=region)
            for batch in chunked(entities, batch_size):
                key = batch_key("entities", region, len(batches.keys))
                store(key, batch)
                batches.keys.append(key)
                batches.count += len(batch)
        except ProviderError as error:
            manifest.failed[region] = f"{type(error).__name__}: {error}"
        else:
            manifest.regions[region] = batches
    return manifest


def _entities(
    keys: list[str], resource_type: ResourceType, options: ConversionOptions, *, load: Load, region: str
) -> Iterator[dict[str, Any]]:
    position = 0
    for key in keys:
        for record in load(key):
            entity = resource_type.to_entity(record, options, region=region, position=position)
            try:
                validate_entity(entity)
            except ValidationError as error:
                where = "/".join(str(part) for part in error.absolute_path) or "(entity)"
                raise GraphObjectError(
                    f"entity {entity['_key']} (record {position} of region {region}) fails data model "
                    f"{DATA_MODEL_VERSION} at {where}: {error.message}",
                    key=entity["_key"],
                    property_name=where,
                ) from error
            position += 1
            yield entity
