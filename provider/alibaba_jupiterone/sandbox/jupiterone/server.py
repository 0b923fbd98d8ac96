"""``JupiterOneSandbox``: a local HTTP server implementing JupiterOne's synchronization API."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from os import PathLike
from typing import Any

from alibaba_jupiterone.sandbox.faults import FaultPlan
from alibaba_jupiterone.sandbox.jupiterone.errors import SyncError
from alibaba_jupiterone.sandbox.jupiterone.faults import JupiterOneFault
from alibaba_jupiterone.sandbox.jupiterone.gateway import Gateway, JupiterOneRequestRecord
from alibaba_jupiterone.sandbox.jupiterone.store import Store, partition_of
from alibaba_jupiterone.sandbox.jupiterone.sync import Synchronizer
from alibaba_jupiterone.sandbox.serving import HttpSandbox

DEFAULT_ACCOUNT_ID = "sandbox-account"
DEFAULT_API_KEY = "sandbox-api-key"
DEFAULT_MAX_REQUEST_BYTES = 6_000_000
DEFAULT_FINALIZE_DELAY = 0.05


class JupiterOneSandbox(HttpSandbox):
    """A local JupiterOne synchronization API: jobs, validated uploads, DIFF at finalize, faults.

    Point a client at :attr:`url` with ``Authorization: Bearer <api_key>`` and
    ``JupiterOne-Account: <account_id>``, or use an Airflow connection from :meth:`connection_json`.
    Besides the API (``/persister/synchronization/jobs...``) it serves two sandbox-only reads, with
    the same authentication: ``GET /sandbox/graph?scope=...`` (or ``?integrationInstanceId=...``)
    answers ``{"entities": [...], "relationships": [...]}``, and ``GET /sandbox/jobs`` answers
    ``{"jobs": [...]}``. Use as a context manager, or call :meth:`start` and :meth:`stop`.
    Every method is thread-safe.
    """

    def __init__(
        self,
        *,
        account_id: str = DEFAULT_ACCOUNT_ID,
        api_key: str = DEFAULT_API_KEY,
        database: str | PathLike | None = None,
        max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
        finalize_delay: float = DEFAULT_FINALIZE_DELAY,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
    ) -> None:
        """Accept ``api_key`` for ``account_id`` only.

        ``database`` is a SQLite file that keeps the graphs and jobs across restarts (``None``: in
        memory). Bodies larger than ``max_request_bytes`` as received (compressed or not) answer
        413 ``RequestEntityTooLargeException``. A finalized job stays ``FINALIZE_PENDING`` for
        ``finalize_delay`` seconds before its changes apply, so clients must poll. ``seed`` drives
        the RNG of rate-based faults.
        """
        self.account_id = account_id
        self.api_key = api_key
        self._sync = Synchronizer(Store(database), finalize_delay)
        self._faults: FaultPlan[JupiterOneFault] = FaultPlan(seed)
        self._gateway = Gateway(
            self._sync, self._faults, account_id=account_id, api_key=api_key, max_request_bytes=max_request_bytes
        )
        super().__init__(self._gateway.respond, name="JupiterOneSandbox", host=host, port=port)

    @property
    def url(self) -> str:
        """The base URL, ``http://127.0.0.1:PORT``."""
        host, port = self._bound_address
        return f"http://{host}:{port}"

    def connection_fields(self) -> dict[str, str]:
        """The fields of an Airflow ``jupiterone`` connection to this sandbox."""
        return {"conn_type": "jupiterone", "host": self.url, "login": self.account_id, "password": self.api_key}

    def connection_json(self) -> str:
        """The value of an ``AIRFLOW_CONN_<ID>`` environment variable for a connection to this sandbox."""
        return json.dumps(self.connection_fields())

    def entities(self, *, scope: str | None = None, integration_instance_id: str | None = None) -> list[dict]:
        """The entities now stored for ``scope`` or ``integration_instance_id`` (exactly one), by ``_key``."""
        return self._sync.graph(partition_of(scope, integration_instance_id))["entities"]

    def relationships(self, *, scope: str | None = None, integration_instance_id: str | None = None) -> list[dict]:
        """The relationships now stored for ``scope`` or ``integration_instance_id`` (exactly one), by ``_key``."""
        return self._sync.graph(partition_of(scope, integration_instance_id))["relationships"]

    def seed_graph(
        self,
        entities: Iterable[Mapping[str, Any]],
        relationships: Iterable[Mapping[str, Any]] = (),
        *,
        scope: str | None = None,
        integration_instance_id: str | None = None,
    ) -> None:
        """Store objects for ``scope`` or ``integration_instance_id`` as if an earlier job had uploaded them.

        They must follow the API's rules (``ValueError`` naming the fault otherwise).
        """
        partition = partition_of(scope, integration_instance_id)
        self._sync.seed(partition, map(dict, entities), map(dict, relationships))

    def jobs(self) -> list[dict]:
        """Every job's record, as the API answers it, oldest first."""
        return self._sync.jobs()

    def job(self, job_id: str) -> dict:
        """The record of ``job_id`` as the API answers it; ``KeyError`` if there is none."""
        try:
            return self._sync.job(job_id)
        except SyncError:
            raise KeyError(job_id) from None

    def inject(self, fault: JupiterOneFault) -> None:
        """Put ``fault`` in force, after those already injected (the first that strikes wins)."""
        self._faults.add(fault)

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        self._faults.clear()

    @property
    def requests(self) -> list[JupiterOneRequestRecord]:
        """Every request received so far, in order (a copy)."""
        return self._gateway.log.records()

    def clear_requests(self) -> None:
        """Forget the requests received so far."""
        self._gateway.log.clear()
