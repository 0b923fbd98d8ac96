"""Fault injection: throttling, errors, slow answers, timeouts and dropped connections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from alibaba_jupiterone.sandbox.ecs.gateway_errors import CATALOGUE
from alibaba_jupiterone.sandbox.faults import check_frequency, parse_options

FaultKind = Literal["throttle", "error", "latency", "timeout", "drop"]
_DEFAULT_CODES = {"throttle": "Throttling.User", "error": "ServiceUnavailable"}
_OPTION_TYPES = {"times": int, "rate": float, "retry_after_ms": int, "code": str, "delay": float}


@dataclass(frozen=True)
class Fault:
    """A misbehaviour of the sandbox for the requests it matches (after their signature is verified).

    - ``throttle``: answer ``code`` (default ``Throttling.User``, 400);
    - ``error``: answer ``code`` (default ``ServiceUnavailable``, 503), any code of the catalogue;
    - ``latency``: wait ``delay`` seconds, then answer normally;
    - ``timeout``: wait ``delay`` seconds (meant to exceed the client's read timeout), then answer;
    - ``drop``: close the connection without any answer.

    ``region``/``action`` of ``None`` match every region/action (DescribeRegions matches the
    ``RegionId`` it was sent with, or only ``None``). ``times`` limits the fault to the first N
    matching requests; ``rate`` makes it strike each matching request with that probability
    (the sandbox's seeded RNG); with neither, it strikes every matching request.
    ``retry_after_ms`` adds the header ``x-acs-retry-after`` to throttle/error answers.
    """

    kind: FaultKind
    region: str | None = None
    action: str | None = None
    times: int | None = None
    rate: float | None = None
    retry_after_ms: int | None = None
    code: str | None = None
    delay: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in get_args(FaultKind):
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {get_args(FaultKind)}")
        check_frequency(self.times, self.rate)
        if self.code is not None and (self.kind not in _DEFAULT_CODES or self.code not in CATALOGUE):
            raise ValueError(f"code {self.code!r} needs kind throttle or error and a code of the catalogue")
        if self.retry_after_ms is not None and self.kind not in _DEFAULT_CODES:
            raise ValueError("retry_after_ms needs kind throttle or error")
        if self.kind in ("latency", "timeout") and self.delay <= 0:
            raise ValueError(f"a {self.kind} fault needs a positive delay")

    @property
    def error_code(self) -> str | None:
        """The code a throttle or error fault answers with; ``None`` for the other kinds."""
        return self.code or _DEFAULT_CODES.get(self.kind)

    def matches(self, action: str | None, region: str | None) -> bool:
        """Whether this fault concerns a request for ``action`` in ``region``."""
        return self.action in (None, action) and self.region in (None, region)


def parse_fault(spec: str) -> Fault:
    """Parse ``KIND:REGION[:ACTION][,key=value...]``; ``*`` or an empty REGION/ACTION means every one.

    Example: ``throttle:cn-hangzhou:DescribeInstances,times=3,retry_after_ms=500``.
    """
    target, *options = spec.split(",")
    kind, region, action = [*target.split(":"), "", ""][:3]
    return Fault(kind, _every_if_blank(region), _every_if_blank(action), **parse_options(options, _OPTION_TYPES))


def _every_if_blank(value: str) -> str | None:
    return None if value in ("", "*") else value
