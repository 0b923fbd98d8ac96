"""The sandbox's front door: route, authenticate, apply faults, check size, decode, answer, log the request."""

from __future__ import annotations

import gzip
import json
import logging
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from alibaba_jupiterone.sandbox.faults import FaultPlan
from alibaba_jupiterone.sandbox.jupiterone.errors import SyncError
from alibaba_jupiterone.sandbox.jupiterone.faults import ENDPOINTS, JupiterOneFault
from alibaba_jupiterone.sandbox.jupiterone.rules import KINDS, PLURALS, Kind
from alibaba_jupiterone.sandbox.jupiterone.store import partition_of
from alibaba_jupiterone.sandbox.jupiterone.sync import Synchronizer
from alibaba_jupiterone.sandbox.serving import Reply, RequestLog

_logger = logging.getLogger(__name__)
_CORRELATION_ID = "jupiterone-correlation-id"
_JOBS = "/persister/synchronization/jobs"
_JOB = f"{_JOBS}/(?P<job>[^/]+)"
_UPLOADS: dict[str, tuple[Kind, ...]] = {"entities": ("entity",), "relationships": ("relationship",), "upload": KINDS}
_ROUTES: dict[tuple[str, str], str] = {
    ("POST", _JOBS): "start",
    ("GET", _JOB): "get",
    **{("POST", f"{_JOB}/{name}"): name for name in (*_UPLOADS, "finalize", "abort")},
    ("GET", "/sandbox/graph"): "graph",
    ("GET", "/sandbox/jobs"): "jobs",
}


@dataclass(frozen=True)
class JupiterOneRequestRecord:
    """A request the sandbox received and how it answered.

    ``endpoint`` is one of ``start``, ``entities``, ``relationships``, ``upload``, ``get``,
    ``finalize``, ``abort`` (the API), ``graph``, ``jobs`` (the sandbox's reads), or ``None`` for an
    unknown path. ``status`` is ``None`` for a dropped connection, ``code`` ``None`` on success.
    ``body_bytes`` is the body's size as received; ``objects`` counts the entities and
    relationships it carried.
    """

    method: str
    path: str
    endpoint: str | None
    job_id: str | None
    status: int | None
    code: str | None
    body_bytes: int
    correlation_id: str | None
    objects: int


class Gateway:
    """Answers requests in order: authentication, faults, the size limit, then the endpoint."""

    def __init__(
        self,
        sync: Synchronizer,
        faults: FaultPlan[JupiterOneFault],
        *,
        account_id: str,
        api_key: str,
        max_request_bytes: int,
    ) -> None:
        self._sync = sync
        self._faults = faults
        self._account_id = account_id
        self._authorization = f"Bearer {api_key}"
        self._max_request_bytes = max_request_bytes
        self.log: RequestLog[JupiterOneRequestRecord] = RequestLog()

    def respond(self, method: str, target: str, headers: Mapping[str, str], content: bytes) -> Reply | None:
        """The reply to a request, or ``None`` to drop the connection without one (a ``Responder``)."""
        url = urlsplit(target)
        endpoint, job_id = _route(method, url.path)
        received = JupiterOneRequestRecord(
            method, url.path, endpoint, job_id or None, None, None, len(content), headers.get(_CORRELATION_ID), 0
        )
        fault: JupiterOneFault | None = None
        error: SyncError | None = None
        objects = 0
        try:
            self._authenticate(headers)
            if endpoint is None:
                raise SyncError(404, "NOT_FOUND", f"no endpoint {method} {url.path}")
            if endpoint in ENDPOINTS:
                fault = self._faults.strike(lambda candidate: candidate.matches(endpoint))
            if fault is not None and fault.kind == "drop":
                self.log.add(received)
                return None
            if fault is not None and fault.kind == "status":
                raise SyncError.of_status(fault.status)
            if len(content) > self._max_request_bytes:
                raise SyncError.of_status(413, f"the body of {len(content)} bytes exceeds {self._max_request_bytes}")
            body = _decode(content, headers)
            objects = sum(len(value) for name in PLURALS.values() if isinstance(value := body.get(name), list))
            fail_finalize = fault is not None and fault.kind == "fail_finalize"
            answer = self._answer(endpoint, job_id, body, dict(parse_qsl(url.query)), fail_finalize)
        except SyncError as raised:
            error = raised
        except Exception:
            _logger.exception("JupiterOne sandbox failed on %s %s", method, url.path)
            error = SyncError.of_status(500)
        if error is not None:
            answer = error.body()
        status = error.status if error else 200
        self.log.add(replace(received, status=status, code=error.code if error else None, objects=objects))
        reply_headers = {"Retry-After": str(fault.retry_after)} if fault and fault.retry_after is not None else {}
        encoded = json.dumps(answer, ensure_ascii=False).encode()
        return Reply(status, encoded, reply_headers, fault.delay if fault else 0.0)

    def _authenticate(self, headers: Mapping[str, str]) -> None:
        if headers.get("authorization") != self._authorization:
            raise SyncError(401, "UNAUTHORIZED", "the Authorization header does not carry a valid API key")
        if headers.get("jupiterone-account") != self._account_id:
            raise SyncError(401, "UNAUTHORIZED", "the JupiterOne-Account header does not name the API key's account")

    def _answer(
        self, endpoint: str, job_id: str, body: dict[str, Any], query: dict[str, str], fail_finalize: bool
    ) -> dict:
        if endpoint == "graph":
            try:
                partition = partition_of(query.get("scope"), query.get("integrationInstanceId"))
            except ValueError:
                raise SyncError.bad_request("give exactly one of scope and integrationInstanceId") from None
            return self._sync.graph(partition)
        if endpoint == "jobs":
            return {"jobs": self._sync.jobs()}
        return {"job": self._job_answer(endpoint, job_id, body, fail_finalize)}

    def _job_answer(self, endpoint: str, job_id: str, body: dict[str, Any], fail_finalize: bool) -> dict:
        match endpoint:
            case "start":
                return self._sync.start(body)
            case "finalize":
                return self._sync.finalize(job_id, body, fail=fail_finalize)
            case "abort":
                return self._sync.abort(job_id)
            case "get":
                return self._sync.job(job_id)
            case _:  # entities, relationships, upload
                return self._sync.upload(job_id, body, _UPLOADS[endpoint])


def _route(method: str, path: str) -> tuple[str | None, str]:
    """The endpoint a request is for (``None`` if none) and the job id in its path (``""`` if none)."""
    for (verb, pattern), endpoint in _ROUTES.items():
        match = re.fullmatch(pattern, path)
        if verb == method and match:
            return endpoint, unquote(match.groupdict().get("job", ""))
    return None, ""


def _decode(content: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
    """The JSON object in the body (gunzipped if it says so); ``{}`` for an empty body."""
    if headers.get("content-encoding", "").lower() == "gzip":
        try:
            content = gzip.decompress(content)
        except (OSError, EOFError, zlib.error):
            raise SyncError.bad_request("the body is not valid gzip") from None
    if not content.strip():
        return {}
    try:
        body = json.loads(content, parse_constant=_reject_constant)
    except ValueError:
        raise SyncError.bad_request("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise SyncError.bad_request("the body must be a JSON object")
    return body


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
