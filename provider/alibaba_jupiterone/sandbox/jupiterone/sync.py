"""The synchronization API's semantics: start a job, upload to it, finalize it with a diff, abort it.

Finalize only marks the job ``FINALIZE_PENDING``; its changes are applied once ``finalize_delay`` has
passed, by the first call that comes after (every call settles the due jobs before anything else).
Nobody can observe the graph or the job in between, so this is the service's behaviour without a
timer thread, and a job finalized just before a restart is applied after it.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from alibaba_jupiterone.sandbox.jupiterone.errors import SyncError
from alibaba_jupiterone.sandbox.jupiterone.rules import KINDS, PLURALS, Kind, check_objects
from alibaba_jupiterone.sandbox.jupiterone.store import DueJob, Store, counter, partition_of

SOURCES = ("api", "integration-managed", "integration-external")
SYNC_MODES = ("DIFF", "CREATE_OR_UPDATE")
AWAITING_UPLOADS = "AWAITING_UPLOADS"
FINALIZE_PENDING = "FINALIZE_PENDING"
FINISHED = "FINISHED"
ABORTED = "ABORTED"
ERROR_UNEXPECTED_FAILURE = "ERROR_UNEXPECTED_FAILURE"


class Synchronizer:
    """Jobs and graphs as the synchronization API changes them; thread-safe."""

    def __init__(self, store: Store, finalize_delay: float) -> None:
        self._store = store
        self._finalize_delay = finalize_delay

    def start(self, body: dict[str, Any]) -> dict:
        """Start a job from ``{"source", "scope" | "integrationInstanceId", "syncMode"?, "integrationJobId"?}``."""
        source, scope, instance_id = body.get("source"), body.get("scope"), body.get("integrationInstanceId")
        if source not in SOURCES:
            raise SyncError.bad_request(f"source must be one of {', '.join(SOURCES)}")
        needed, other = ("scope", "integrationInstanceId") if source == "api" else ("integrationInstanceId", "scope")
        if not isinstance(body.get(needed), str) or not body[needed] or body.get(other) is not None:
            raise SyncError.bad_request(f"source {source} needs a {needed} (a non-empty string) and no {other}")
        sync_mode = body.get("syncMode", "DIFF")
        if sync_mode not in SYNC_MODES:
            raise SyncError.bad_request(f"syncMode must be one of {', '.join(SYNC_MODES)}")
        job_id = body.get("integrationJobId")
        if job_id is not None and not isinstance(job_id, str):
            raise SyncError.bad_request("integrationJobId must be a string")
        record = {
            "id": str(uuid.uuid4()),
            "source": source,
            "scope": scope,
            "integrationInstanceId": instance_id,
            "integrationJobId": job_id,
            "syncMode": sync_mode,
            "status": AWAITING_UPLOADS,
            "startTimestamp": int(time.time() * 1000),
        }
        with self._store.transaction():
            self._settle()
            self._store.add_job(record, partition_of(scope, instance_id))
            return self._job(record["id"])

    def upload(self, job_id: str, body: dict[str, Any], kinds: Sequence[Kind]) -> dict:
        """Stage the arrays of ``kinds`` in ``body`` (all or nothing); a combined upload may leave one out."""
        optional = len(kinds) > 1
        with self._store.transaction():
            self._settle()
            self._awaiting_uploads(job_id)
            batches = {kind: check_objects(kind, body.get(PLURALS[kind], [] if optional else None)) for kind in kinds}
            for kind, objects in batches.items():
                uploaded = self._store.stage(job_id, kind, objects)
                self._store.update_job(job_id, **{counter(kind, "Uploaded"): uploaded})
            return self._job(job_id)

    def finalize(self, job_id: str, body: dict[str, Any], *, fail: bool = False) -> dict:
        """Mark the job ``FINALIZE_PENDING``; ``fail`` makes it end ``ERROR_UNEXPECTED_FAILURE`` instead."""
        partial = body.get("partialDatasets", {})
        types = partial.get("types", []) if isinstance(partial, dict) else None
        if not isinstance(types, list) or not all(isinstance(name, str) for name in types):
            raise SyncError.bad_request("partialDatasets.types must be an array of strings")
        with self._store.transaction():
            self._settle()
            self._awaiting_uploads(job_id)
            self._store.update_job(
                job_id,
                status=FINALIZE_PENDING,
                finalizeDue=time.time() + self._finalize_delay,
                partialTypes=json.dumps(types),
                failFinalize=fail,
            )
            return self._job(job_id)

    def abort(self, job_id: str) -> dict:
        """End the job ``ABORTED``: what it staged is dropped."""
        with self._store.transaction():
            self._settle()
            self._awaiting_uploads(job_id)
            self._store.update_job(job_id, status=ABORTED)
            self._store.discard_uploads(job_id)
            return self._job(job_id)

    def job(self, job_id: str) -> dict:
        """The job's record; 404 ``NOT_FOUND`` if there is none."""
        with self._store.transaction():
            self._settle()
            return self._job(job_id)

    def jobs(self) -> list[dict]:
        """Every job's record, oldest first."""
        with self._store.transaction():
            self._settle()
            return self._store.jobs()

    def graph(self, partition: str) -> dict[str, list[dict]]:
        """``{"entities": [...], "relationships": [...]}`` stored in ``partition``."""
        with self._store.transaction():
            self._settle()
            return {PLURALS[kind]: self._store.graph(partition, kind) for kind in KINDS}

    def seed(self, partition: str, entities: Iterable[dict], relationships: Iterable[dict]) -> None:
        """Store valid objects in ``partition`` directly, as an earlier job would have (``ValueError`` if not)."""
        try:
            batches = {"entity": check_objects("entity", list(entities))}
            batches["relationship"] = check_objects("relationship", list(relationships))
        except SyncError as error:
            raise ValueError(error.message) from None
        with self._store.transaction():
            self._settle()
            for kind, objects in batches.items():
                self._store.put(partition, kind, objects)

    def _job(self, job_id: str) -> dict:
        record = self._store.job(job_id)
        if record is None:
            raise SyncError(404, "NOT_FOUND", f"no synchronization job {job_id!r}")
        return record

    def _awaiting_uploads(self, job_id: str) -> None:
        status = self._job(job_id)["status"]
        if status != AWAITING_UPLOADS:
            raise SyncError(400, "JOB_NOT_AWAITING_UPLOADS", f"job {job_id} is {status}, not {AWAITING_UPLOADS}")

    def _settle(self) -> None:
        for due in self._store.due_jobs(time.time()):
            self._apply(due)

    def _apply(self, due: DueJob) -> None:
        fields: dict[str, Any] = {"finalizeDue": None}
        if due.fail:
            fields["status"] = ERROR_UNEXPECTED_FAILURE
        else:
            fields["status"] = FINISHED
            for kind in KINDS:
                change = self._store.commit(
                    due.id, due.partition, kind, delete_missing=due.sync_mode == "DIFF", keep_types=due.partial_types
                )
                for event, count in change._asdict().items():
                    fields[counter(kind, event.title())] = count
        self._store.update_job(due.id, **fields)
        self._store.discard_uploads(due.id)
