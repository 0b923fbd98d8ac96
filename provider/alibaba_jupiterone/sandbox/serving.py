"""What every sandbox shares: a keep-alive HTTP server on its own thread, and the way it answers."""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, TypeVar

# serve_forever notices a shutdown only between polls: a short poll makes stop() (every test) quick.
_SHUTDOWN_POLL_SECONDS = 0.01


@dataclass(frozen=True)
class Reply:
    """What to send back: status, JSON body, extra headers, and how long to wait first."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Responder = Callable[[str, str, Mapping[str, str], bytes], "Reply | None"]
"""Answers ``(method, target, lower-cased headers, body)``; ``None`` drops the connection unanswered."""

_Sandbox = TypeVar("_Sandbox", bound="HttpSandbox")
_Record = TypeVar("_Record")


class RequestLog(Generic[_Record]):
    """The requests a sandbox received, in order; thread-safe."""

    def __init__(self) -> None:
        self._records: list[_Record] = []
        self._lock = threading.Lock()

    def add(self, record: _Record) -> None:
        """Log one request."""
        with self._lock:
            self._records.append(record)

    def records(self) -> list[_Record]:
        """Every request logged so far (a copy)."""
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        """Forget the requests logged so far."""
        with self._lock:
            self._records.clear()


class HttpSandbox:
    """Serves a :data:`Responder` over HTTP/1.1 keep-alive from a daemon thread.

    Use as a context manager, or call :meth:`start` and :meth:`stop`; the sandboxes extend it.
    """

    def __init__(self, respond: Responder, *, name: str, host: str, port: int) -> None:
        self._respond = respond
        self._name = name
        self._address = (host, port)
        self._stopping = threading.Event()
        self._lifecycle_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self: _Sandbox) -> _Sandbox:
        """Listen and serve in a daemon thread; returns the sandbox."""
        with self._lifecycle_lock:
            if self._server is not None:
                raise RuntimeError("the sandbox is already running")
            self._stopping.clear()
            self._server = _Server(self._address, self._respond, self._name, self._stopping)
            host, port = self._bound_address
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": _SHUTDOWN_POLL_SECONDS},
                name=f"{self._name}-{host}:{port}",
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

    def __enter__(self: _Sandbox) -> _Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def _bound_address(self) -> tuple[str, int]:
        """The ``(host, port)`` listened on; ``RuntimeError`` when not running."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        host, port = self._server.server_address[:2]
        return str(host), int(port)


class _Server(ThreadingHTTPServer):
    """Threaded HTTP server that also closes its open keep-alive connections when closed."""

    def __init__(self, address: tuple[str, int], respond: Responder, name: str, stopping: threading.Event) -> None:
        super().__init__(address, _Handler)
        self.respond = respond
        self.name = name
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
    """Reads one request, asks the server's responder, writes the reply (HTTP/1.1 keep-alive)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self.server.respond(self.command, self.path, headers, body)
        if reply is None:
            self.close_connection = True
            return
        if reply.delay:
            self.server.stopping.wait(reply.delay)
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def version_string(self) -> str:
        return self.server.name

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: one stderr line per request would drown test output."""
