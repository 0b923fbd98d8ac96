"""Publish: every entity, then every relationship, in one JupiterOne sync job; nothing left out is deleted."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from alibaba_jupiterone.graph import RESOURCE_TYPES, relationship_types_touching
from alibaba_jupiterone.hooks.jupiterone import JupiterOneHook
from alibaba_jupiterone.pipeline.interpreter import tuned_for_sync
from alibaba_jupiterone.pipeline.manifest import Dataset, Failure, Manifest
from alibaba_jupiterone.pipeline.transform import Load

_REASON_LENGTH = 1000
_ENTITY_TYPES = frozenset(resource.type for resource in RESOURCE_TYPES)


@dataclass
class SyncSummary:
    """What one sync did: the job, what was uploaded and what JupiterOne made of it.

    ``failures`` were left out; their ``_type`` names, and every relationship ``_type`` touching them, are in
    ``partial_types``, so JupiterOne kept what it held of them.
    """

    job_id: str | None
    status: str
    entities: int = 0
    relationships: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    types: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    partial_types: list[str] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (for XCom)."""
        return asdict(self)

    def describe(self) -> str:
        """One line for the task log."""
        left_out = f"; left out: {'; '.join(f['scope'] for f in self.failures)}" if self.failures else ""
        return (
            f"sync job {self.job_id} {self.status}: {self.entities} entities and {self.relationships} "
            f"relationships uploaded, entities {self.created} created, {self.updated} updated, {self.deleted} "
            f"deleted, relationships {self.relationships_created} created, {self.relationships_deleted} deleted, "
            f"in {self.seconds:.1f} s{left_out}"
        )


def is_entity_dataset(dataset: Dataset) -> bool:
    """Whether ``dataset`` holds entities (else relationships)."""
    return dataset.type in _ENTITY_TYPES


def batches(transformed: Manifest, load: Load, *, entities: bool) -> Iterable[list[dict[str, Any]]]:
    """Every entity batch (or relationship batch) ``transformed`` lists, loaded one at a time."""
    return (
        load(key) for dataset in transformed.datasets if is_entity_dataset(dataset) == entities for key in dataset.keys
    )


def partial_types(failed_types: Iterable[str]) -> list[str]:
    """The ``_type`` names JupiterOne must keep when ``failed_types`` are incomplete: those and every relationship
    type with one of them at either end."""
    failed = set(failed_types)
    return sorted(failed | relationship_types_touching(failed))


After = Callable[[], tuple[Iterable[dict[str, Any]], list[Failure], dict[str, int]]]
"""Called once the entities are uploaded: the relationships, what failed, and the objects by ``_type``."""


@tuned_for_sync()
def publish(
    hook: JupiterOneHook,
    transformed: Manifest,
    *,
    load: Load,
    integration_instance_id: str | None = None,
    scope: str | None = None,
    wait_timeout: float = 900.0,
    log: logging.Logger | Any,
) -> SyncSummary:
    """Run one DIFF sync job of what ``transformed`` lists: see :func:`run_sync_job`."""
    entities = _flat(batches(transformed, load, entities=True))

    def after() -> tuple[Iterable[dict[str, Any]], list[Failure], dict[str, int]]:
        return _flat(batches(transformed, load, entities=False)), transformed.failures, transformed.counts()

    return run_sync_job(
        hook,
        entities,
        after,
        integration_instance_id=integration_instance_id,
        scope=scope,
        wait_timeout=wait_timeout,
        log=log,
    )


def run_sync_job(
    hook: JupiterOneHook,
    entities: Iterable[dict[str, Any]],
    after: After,
    *,
    integration_instance_id: str | None = None,
    scope: str | None = None,
    wait_timeout: float = 900.0,
    log: logging.Logger | Any,
) -> SyncSummary:
    """Run one DIFF sync job: start, upload the entities, then the relationships, finalize, wait.

    The types that failed, any entity type JupiterOne refused an object of as too large, and every
    relationship type touching them are sent as partial, so the job deletes nothing of them; a
    relationship to a dropped entity is not sent. Any failure before finalize aborts the job with the
    reason, then raises.
    """
    started = time.monotonic()
    job_id = hook.start_sync_job(integration_instance_id=integration_instance_id, scope=scope)["id"]
    log.info("Started JupiterOne sync job %s", job_id)
    try:
        uploaded = hook.upload_entities(job_id, entities)
        relationships, failures, types = after()
        dropped = {item["_key"] for item in uploaded.dropped}
        linked = hook.upload_relationships(
            job_id,
            (r for r in relationships if r["_fromEntityKey"] not in dropped and r["_toEntityKey"] not in dropped),
        )
        failed = {type_name for failure in failures for type_name in failure.types}
        partial = partial_types({*failed, *uploaded.partial_types, *linked.partial_types})
        if partial:
            log.warning("Finalizing with partial types %s: JupiterOne keeps what it holds of them", partial)
        hook.finalize_sync_job(job_id, partial)
    except BaseException as error:
        reason = f"{type(error).__name__}: {error}"[:_REASON_LENGTH]
        log.error("Aborting sync job %s: %s", job_id, reason)
        hook.abort_sync_job(job_id, reason)
        raise
    job = hook.wait_for_sync_job(job_id, timeout=wait_timeout)
    return SyncSummary(
        job_id=job_id,
        status=job["status"],
        entities=uploaded.objects,
        relationships=linked.objects,
        created=job.get("numEntitiesCreated", 0),
        updated=job.get("numEntitiesUpdated", 0),
        deleted=job.get("numEntitiesDeleted", 0),
        relationships_created=job.get("numRelationshipsCreated", 0),
        relationships_deleted=job.get("numRelationshipsDeleted", 0),
        types=types,
        failures=[asdict(failure) for failure in failures],
        partial_types=partial,
        dropped=uploaded.dropped + linked.dropped,
        seconds=round(time.monotonic() - started, 3),
    )


def _flat(groups: Iterable[list[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    for group in groups:
        yield from group
