"""The sandbox's state in one SQLite database: the graph of each scope or integration instance, and the jobs.

A file keeps it across restarts; ``None`` keeps it in memory. Every method must run inside
:meth:`Store.transaction`, which also serializes the threads sharing the one connection.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from os import PathLike
from typing import Any, NamedTuple

import msgspec

from alibaba_jupiterone.sandbox.jupiterone.rules import KINDS, PLURALS, Kind


def counter(kind: Kind, event: str) -> str:
    """The name of a job record's counter, e.g. ``numEntitiesUploaded`` for ``("entity", "Uploaded")``."""
    return f"num{PLURALS[kind].title()}{event}"


COUNTERS = tuple(counter(kind, event) for kind in KINDS for event in ("Uploaded", "Created", "Updated", "Deleted"))
RECORD_FIELDS = (
    "id",
    "source",
    "scope",
    "integrationInstanceId",
    "integrationJobId",
    "syncMode",
    "status",
    "startTimestamp",
    *COUNTERS,
)
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    scope TEXT,
    integrationInstanceId TEXT,
    integrationJobId TEXT,
    syncMode TEXT NOT NULL,
    status TEXT NOT NULL,
    startTimestamp INTEGER NOT NULL,
    {", ".join(f"{counter} INTEGER NOT NULL DEFAULT 0" for counter in COUNTERS)},
    partition TEXT NOT NULL,
    finalizeDue REAL,
    partialTypes TEXT,
    failFinalize INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (finalizeDue) WHERE finalizeDue IS NOT NULL;
CREATE TABLE IF NOT EXISTS uploads (
    job TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (job, kind, key)
);
CREATE TABLE IF NOT EXISTS graph (
    partition TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (partition, kind, key)
);
"""
_REPLACE = "DO UPDATE SET type = excluded.type, data = excluded.data"


def partition_of(scope: str | None, integration_instance_id: str | None) -> str:
    """The key a graph is stored under: its scope or its integration instance (exactly one)."""
    if (scope is None) == (integration_instance_id is None):
        raise ValueError("give exactly one of scope and integration_instance_id")
    return f"scope:{scope}" if scope is not None else f"instance:{integration_instance_id}"


class DueJob(NamedTuple):
    """A finalized job whose changes are due: what applying them needs."""

    id: str
    partition: str
    sync_mode: str
    partial_types: list[str]
    fail: bool


class Change(NamedTuple):
    """What committing one kind of a job's uploads did to the graph."""

    created: int
    updated: int
    deleted: int


class Store:
    """Jobs, their staged uploads and the graphs, behind one lock."""

    def __init__(self, database: str | PathLike | None = None) -> None:
        self._connection = sqlite3.connect(
            ":memory:" if database is None else database, check_same_thread=False, isolation_level=None
        )
        self._connection.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        if database is not None:
            self._connection.execute("PRAGMA journal_mode = WAL")
            self._connection.execute("PRAGMA synchronous = NORMAL")
        self._connection.executescript(_SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the store alone for the block, and commit its changes at once (none on an exception)."""
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def add_job(self, record: dict[str, Any], partition: str) -> None:
        """Store a new job record for ``partition``."""
        fields = {**record, "partition": partition}
        self._connection.execute(
            f"INSERT INTO jobs ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})", tuple(fields.values())
        )

    def job(self, job_id: str) -> dict[str, Any] | None:
        """The record of ``job_id``, or ``None``."""
        row = self._connection.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else _record(row)

    def jobs(self) -> list[dict[str, Any]]:
        """Every job record, oldest first."""
        return [_record(row) for row in self._connection.execute("SELECT * FROM jobs ORDER BY rowid")]

    def update_job(self, job_id: str, **fields: Any) -> None:
        """Set columns of the job (record fields, or ``finalizeDue``, ``partialTypes``, ``failFinalize``)."""
        assignments = ", ".join(f"{name} = ?" for name in fields)
        self._connection.execute(f"UPDATE jobs SET {assignments} WHERE id = ?", (*fields.values(), job_id))

    def due_jobs(self, now: float) -> list[DueJob]:
        """The jobs whose ``finalizeDue`` has come, in the order they became due."""
        rows = self._connection.execute(
            "SELECT id, partition, syncMode, partialTypes, failFinalize FROM jobs"
            " WHERE finalizeDue <= ? ORDER BY finalizeDue, rowid",
            (now,),
        )
        return [DueJob(row[0], row[1], row[2], json.loads(row[3] or "[]"), bool(row[4])) for row in rows]

    def stage(self, job_id: str, kind: Kind, objects: Iterable[dict]) -> int:
        """Keep ``objects`` for the job (a ``_key`` staged again is replaced); the job's count of distinct keys."""
        self._connection.executemany(
            f"INSERT INTO uploads VALUES (?, ?, ?, ?, ?) ON CONFLICT (job, kind, key) {_REPLACE}",
            ((job_id, kind, item["_key"], item["_type"], _canonical(item)) for item in objects),
        )
        query = "SELECT COUNT(*) FROM uploads WHERE job = ? AND kind = ?"
        return self._connection.execute(query, (job_id, kind)).fetchone()[0]

    def commit(
        self, job_id: str, partition: str, kind: Kind, *, delete_missing: bool, keep_types: Sequence[str]
    ) -> Change:
        """Write the job's staged ``kind`` objects into the graph of ``partition``.

        With ``delete_missing``, the partition's objects of that kind the job did not stage are deleted,
        except those whose ``_type`` is in ``keep_types``.
        """
        created, updated = self._connection.execute(
            "SELECT COUNT(*) FILTER (WHERE g.key IS NULL), COUNT(*) FILTER (WHERE g.data <> u.data)"
            " FROM uploads u LEFT JOIN graph g ON g.partition = ? AND g.kind = u.kind AND g.key = u.key"
            " WHERE u.job = ? AND u.kind = ?",
            (partition, job_id, kind),
        ).fetchone()
        deleted = 0
        if delete_missing:
            deleted = self._connection.execute(
                "DELETE FROM graph WHERE partition = ? AND kind = ?"
                " AND type NOT IN (SELECT value FROM json_each(?))"
                " AND key NOT IN (SELECT key FROM uploads WHERE job = ? AND kind = ?)",
                (partition, kind, json.dumps(list(keep_types)), job_id, kind),
            ).rowcount
        self._connection.execute(
            "INSERT INTO graph SELECT ?, kind, key, type, data FROM uploads WHERE job = ? AND kind = ?"
            f" ON CONFLICT (partition, kind, key) {_REPLACE}",
            (partition, job_id, kind),
        )
        return Change(created, updated, deleted)

    def discard_uploads(self, job_id: str) -> None:
        """Forget what the job staged."""
        self._connection.execute("DELETE FROM uploads WHERE job = ?", (job_id,))

    def graph(self, partition: str, kind: Kind) -> list[dict]:
        """The ``kind`` objects stored in ``partition``, by ``_key``."""
        rows = self._connection.execute(
            "SELECT data FROM graph WHERE partition = ? AND kind = ? ORDER BY key", (partition, kind)
        )
        return [json.loads(data) for (data,) in rows]

    def put(self, partition: str, kind: Kind, objects: Iterable[dict]) -> None:
        """Store ``objects`` straight into the graph of ``partition`` (replacing same ``_key``)."""
        self._connection.executemany(
            f"INSERT INTO graph VALUES (?, ?, ?, ?, ?) ON CONFLICT (partition, kind, key) {_REPLACE}",
            ((partition, kind, item["_key"], item["_type"], _canonical(item)) for item in objects),
        )


def _record(row: sqlite3.Row) -> dict[str, Any]:
    return {name: row[name] for name in RECORD_FIELDS if row[name] is not None}


_CANONICAL = msgspec.json.Encoder(order="sorted")


def _canonical(item: dict) -> str:
    """One text per content (compact, keys sorted), so that comparing texts tells whether an object changed."""
    return _CANONICAL.encode(item).decode()
