"""``EcsSandbox``: a local HTTP server speaking the ECS OpenAPI wire protocol the official SDK uses."""

from __future__ import annotations

import json
import socket
import sys
import threading
from collections.abc import Iterable, Mapping
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from os import PathLike
from typing import Any

from alibaba_jupiterone.sandbox.ecs.auth import DEFAULT_CREDENTIAL, Authenticator, Credential
from alibaba_jupiterone.sandbox.ecs.faults import Fault, FaultPlan
from alibaba_jupiterone.sandbox.ecs.fleet import Fleet, json_copy
from alibaba_jupiterone.sandbox.ecs.gateway import Gateway, RequestRecord
from alibaba_jupiterone.sandbox.ecs.recordings import load_fleet
from alibaba_jupiterone.sandbox.ecs.regions import default_regions
from alibaba_jupiterone.sandbox.ecs.request import ApiRequest
from alibaba_jupiterone.sandbox.ecs.synthetic import synthetic_fleet

_SHUTDOWN_POLL_SECONDS = 0.05


class EcsSandbox:
    """A local ECS endpoint for the real SDK: signatures verified, paging, filters, faults.

    Point a client at it with ``Config(access_key_id=..., access_key_secret=...,
    endpoint=sandbox.endpoint, protocol="http")``, or an Airflow connection built from
    :meth:`connection_extra`. Use as a context manager, or call :meth:`start` and :meth:`stop`.
    Every method is thread-safe.
    """

    def __init__(
        self,
        *,
        regions: Iterable[Mapping[str, Any]] | None = None,
        instances: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
        credentials: Iterable[Credential] = (DEFAULT_CREDENTIAL,),
        forbidden_regions: Iterable[str] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
    ) -> None:
        """Serve ``regions`` (default: the real list) and ``instances`` (region id -> records).

        Only ``credentials`` may sign requests. In ``forbidden_regions`` the caller lacks
        permission: listings are empty and DryRun answers ``Forbidden.RAM``. ``seed`` drives
        the RNG of rate-based faults.
        """
        self._fleet = Fleet(default_regions() if regions is None else regions, instances or {}, forbidden_regions)
        self._credentials = tuple(credentials)
        self._faults = FaultPlan(seed)
        self._gateway = Gateway(self._fleet, Authenticator(self._credentials), self._faults)
        self._address = (host, port)
        self._stopping = threading.Event()
        self._lifecycle_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def synthetic(cls, instance_count: int, region_count: int = 20, seed: int = 0, **kwargs: Any) -> EcsSandbox:
        """A sandbox serving a seeded synthetic fleet of ``instance_count`` instances."""
        regions, instances = synthetic_fleet(instance_count, region_count, seed)
        return cls(regions=regions, instances=instances, seed=seed, **kwargs)

    @classmethod
    def from_files(cls, *paths: str | PathLike, **kwargs: Any) -> EcsSandbox:
        """A sandbox serving the fleet in HAR recordings or JSON files (regions: theirs, else the real list)."""
        regions, instances = load_fleet(*paths)
        return cls(regions=kwargs.pop("regions", regions), instances=instances, **kwargs)

    def start(self) -> EcsSandbox:
        """Listen and serve in a daemon thread; returns the sandbox."""
        with self._lifecycle_lock:
            if self._server is not None:
                raise RuntimeError("the sandbox is already running")
            self._stopping.clear()
            self._server = _Server(self._address, self._gateway, self._stopping)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": _SHUTDOWN_POLL_SECONDS},
                name=f"ecs-sandbox-{self.endpoint}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection (pending delays are cut short)."""
        with self._lifecycle_lock:
            if self._server is None or self._thread is None:
                return
            self._stopping.set()
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = self._thread = None

    def __enter__(self) -> EcsSandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        """``host:port`` to give the SDK as ``endpoint`` (with ``protocol="http"``)."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    @property
    def region_ids(self) -> list[str]:
        """The ids of the regions served, in DescribeRegions order."""
        return self._fleet.region_ids

    def instances(self, region_id: str) -> list[dict]:
        """Copies of the instance records of ``region_id``."""
        return json_copy(list(self._fleet.view(region_id)[0]))

    def instance_count(self) -> int:
        """Number of instances over all regions."""
        return self._fleet.count()

    def add_instances(self, region_id: str, records: Iterable[Mapping[str, Any]]) -> None:
        """Add instance records (copied, served exactly as given) to ``region_id``."""
        self._fleet.add(region_id, records)

    def remove_instances(self, instance_ids: Iterable[str]) -> None:
        """Remove instances by ``InstanceId``; ``KeyError`` if one is unknown."""
        self._fleet.remove(instance_ids)

    def forbid_region(self, region_id: str) -> None:
        """Deny the caller ``region_id``: listings come back empty, DryRun answers ``Forbidden.RAM``."""
        self._fleet.forbid(region_id)

    def allow_region(self, region_id: str) -> None:
        """Undo :meth:`forbid_region`."""
        self._fleet.allow(region_id)

    def inject(self, fault: Fault) -> None:
        """Put ``fault`` in force, after those already injected (the first that strikes wins)."""
        self._faults.add(fault)

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        self._faults.clear()

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request received so far, in order (a copy)."""
        return self._gateway.requests

    def clear_requests(self) -> None:
        """Forget the requests received so far."""
        self._gateway.clear_requests()

    def connection_extra(self, credential: Credential | None = None, **overrides: Any) -> dict:
        """Extras of an Airflow ``alibaba_cloud`` connection to this sandbox (first credential by default)."""
        credential = credential or self._credentials[0]
        extra = {
            "access_key_id": credential.access_key_id,
            "access_key_secret": credential.access_key_secret,
            "endpoint": self.endpoint,
            "protocol": "http",
        }
        if credential.security_token:
            extra["security_token"] = credential.security_token
        return {**extra, **overrides}

    def connection_json(self, credential: Credential | None = None, **overrides: Any) -> str:
        """The value of an ``AIRFLOW_CONN_<ID>`` environment variable for a connection to this sandbox."""
        return json.dumps({"conn_type": "alibaba_cloud", "extra": self.connection_extra(credential, **overrides)})


class _Server(ThreadingHTTPServer):
    """Threaded HTTP server that also closes its open keep-alive connections when closed."""

    def __init__(self, address: tuple[str, int], gateway: Gateway, stopping: threading.Event) -> None:
        super().__init__(address, _Handler)
        self.gateway = gateway
        self.stopping = stopping
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.discard(request)

    def server_close(self) -> None:
        super().server_close()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (read timeout) or a connection closed by stop() is expected here.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Reads one request, asks the gateway, writes the reply (HTTP/1.1 keep-alive)."""

    protocol_version = "HTTP/1.1"
    server_version = "EcsSandbox"
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        request = ApiRequest.from_http(self.command, self.path, self.headers.items(), body)
        reply = self.server.gateway.handle(request)
        if reply is None:
            self.close_connection = True
            return
        if reply.delay:
            self.server.stopping.wait(reply.delay)
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("x-acs-request-id", reply.request_id)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: one stderr line per request would drown test output."""
