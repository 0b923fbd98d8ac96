"""Fault injection: error statuses, slow answers, dropped connections and failing finalizations."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Literal, get_args

from alibaba_jupiterone.sandbox.faults import check_frequency, parse_options

FaultKind = Literal["status", "slow", "drop", "fail_finalize"]
ENDPOINTS = ("start", "entities", "relationships", "upload", "get", "finalize", "abort")
_OPTION_TYPES = {"times": int, "rate": float, "status": int, "retry_after": int, "delay": float}


@dataclass(frozen=True)
class JupiterOneFault:
    """A misbehaviour of the sandbox for the API requests it matches (after they are authenticated).

    - ``status``: answer ``status`` (429, 500, 502, 503, 504, ...) with the API's error body, and a
      ``Retry-After`` header of ``retry_after`` whole seconds if given;
    - ``slow``: handle the request, then wait ``delay`` seconds before answering (past a client's
      read timeout, the client sees a timeout although the request took effect);
    - ``drop``: close the connection without an answer (the request has no effect);
    - ``fail_finalize``: accept a finalize, but end the job ``ERROR_UNEXPECTED_FAILURE`` with the
      graph unchanged.

    ``endpoint`` (one of :data:`ENDPOINTS`; ``None`` for every one) restricts the fault to one
    endpoint. ``times`` limits it to the first N matching requests; ``rate`` makes it strike each
    matching request with that probability (the sandbox's seeded RNG); with neither, it strikes
    every matching request. The sandbox's own read endpoints are never struck.
    """

    kind: FaultKind
    endpoint: str | None = None
    times: int | None = None
    rate: float | None = None
    status: int = 503
    retry_after: int | None = None
    delay: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in get_args(FaultKind):
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {get_args(FaultKind)}")
        if self.endpoint not in (None, *ENDPOINTS):
            raise ValueError(f"unknown endpoint {self.endpoint!r}; expected one of {ENDPOINTS}")
        check_frequency(self.times, self.rate)
        if self.kind == "status" and not _is_error_status(self.status):
            raise ValueError(f"status {self.status} is not an HTTP error status")
        if self.retry_after is not None and (self.kind != "status" or self.retry_after < 0):
            raise ValueError("retry_after needs kind status and a number of seconds of at least 0")
        if (self.kind == "slow") != (self.delay > 0):
            raise ValueError("a slow fault needs a positive delay, and only a slow fault takes one")
        if self.kind == "fail_finalize" and self.endpoint not in (None, "finalize"):
            raise ValueError("a fail_finalize fault only concerns the finalize endpoint")

    def matches(self, endpoint: str) -> bool:
        """Whether this fault concerns a request to ``endpoint``."""
        if self.kind == "fail_finalize":
            return endpoint == "finalize"
        return self.endpoint in (None, endpoint)


def _is_error_status(status: int) -> bool:
    try:
        HTTPStatus(status)
    except ValueError:
        return False
    return 400 <= status <= 599


def parse_fault(spec: str) -> JupiterOneFault:
    """Parse ``KIND[:ENDPOINT][,key=value...]``; ``*`` or an empty ENDPOINT means every one.

    Keys: ``times``, ``rate``, ``status``, ``retry_after`` (whole seconds), ``delay`` (seconds).
    Example: ``status:upload,status=429,retry_after=2,times=3``.
    """
    target, *options = spec.split(",")
    kind, _, endpoint = target.partition(":")
    return JupiterOneFault(kind, None if endpoint in ("", "*") else endpoint, **parse_options(options, _OPTION_TYPES))
