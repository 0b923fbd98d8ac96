"""Publish: every entity batch in one JupiterOne sync job; nothing a failed region held is deleted."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from itertools import chain
from typing import Any

from alibaba_jupiterone.hooks.jupiterone import JupiterOneHook
from alibaba_jupiterone.pipeline.manifest import Manifest
from alibaba_jupiterone.pipeline.transform import Load

_REASON_LENGTH = 1000


@dataclass
class SyncSummary:
    """What one sync did: the job, the entities uploaded and what JupiterOne made of them, by region.

    ``failed_regions`` were left out; their ``_type`` is in ``partial_types``, so JupiterOne kept
    what it held of them.
    """

    job_id: str | None
    status: str
    uploaded: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    regions: dict[str, int] = field(default_factory=dict)
    failed_regions: dict[str, str] = field(default_factory=dict)
    partial_types: list[str] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (for XCom)."""
        return asdict(self)

    def describe(self) -> str:
        """One line for the task log."""
        left_out = f"; left out: {', '.join(self.failed_regions)}" if self.failed_regions else ""
        return (
            f"sync job {self.job_id} {self.status}: {self.uploaded} entities uploaded from {len(self.regions)} "
            f"regions, {self.created} created, {self.updated} updated, {self.deleted} deleted, "
            f"in {self.seconds:.1f} s{left_out}"
        )


def entity_batches(transformed: Manifest, load: Load) -> Iterable[list[dict[str, Any]]]:
    """Every entity batch ``transformed`` lists, loaded one at a time."""
    return (load(key) for region in transformed.regions.values() for key in region.keys)


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
    """Run one DIFF sync job with every entity ``transformed`` lists: start, upload, finalize, wait.

    The ``_type`` of the regions left out (and of any entity JupiterOne refused as too large) is
    sent as partial, so the job deletes nothing of that type. Any failure before finalize aborts
    the job with the reason, then raises.
    """
    started = time.monotonic()
    job_id = hook.start_sync_job(integration_instance_id=integration_instance_id, scope=scope)["id"]
    log.info("Started JupiterOne sync job %s", job_id)
    try:
        uploaded = hook.upload_entities(job_id, chain.from_iterable(entity_batches(transformed, load)))
        partial = sorted({*uploaded.partial_types, *([transformed.resource_type] if transformed.failed else [])})
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
        uploaded=uploaded.objects,
        created=job.get("numEntitiesCreated", 0),
        updated=job.get("numEntitiesUpdated", 0),
        deleted=job.get("numEntitiesDeleted", 0),
        regions={region: batches.count for region, batches in transformed.regions.items()},
        failed_regions=dict(transformed.failed),
        partial_types=partial,
        dropped=uploaded.dropped,
        seconds=round(time.monotonic() - started, 3),
    )
