"""Fault injection: throttling, errors, slow answers, timeouts and dropped connections."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any, Literal, get_args

from alibaba_jupiterone.sandbox.ecs.gateway_errors import CATALOGUE

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
        if self.times is not None and self.rate is not None:
            raise ValueError("give either times or rate, not both")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1")
        if self.rate is not None and not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
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
    kwargs: dict[str, Any] = {}
    for option in options:
        key, _, value = option.partition("=")
        if key not in _OPTION_TYPES:
            raise ValueError(f"unknown fault option {key!r}; expected one of {sorted(_OPTION_TYPES)}")
        kwargs[key] = _OPTION_TYPES[key](value)
    return Fault(kind, _every_if_blank(region), _every_if_blank(action), **kwargs)


def _every_if_blank(value: str) -> str | None:
    return None if value in ("", "*") else value


@dataclass(eq=False)
class _Armed:
    fault: Fault
    remaining: int | None


class FaultPlan:
    """The faults in force, thread-safe; the first one that strikes a request wins."""

    def __init__(self, seed: int = 0) -> None:
        self._armed: list[_Armed] = []
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        """Put ``fault`` in force, after the ones already there."""
        with self._lock:
            self._armed.append(_Armed(fault, fault.times))

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._armed.clear()

    def strike(self, action: str | None, region: str | None) -> Fault | None:
        """The fault to apply to a request for ``action`` in ``region``, if any (counts it)."""
        with self._lock:
            for armed in self._armed:
                if armed.fault.matches(action, region) and self._fires(armed):
                    return armed.fault
            return None

    def _fires(self, armed: _Armed) -> bool:
        if armed.fault.rate is not None:
            return self._random.random() < armed.fault.rate
        if armed.remaining is not None:
            armed.remaining -= 1
            if armed.remaining == 0:
                self._armed.remove(armed)
        return True
