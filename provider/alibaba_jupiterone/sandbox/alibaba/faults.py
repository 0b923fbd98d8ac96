"""Fault injection: throttling, errors, slow answers, timeouts and dropped connections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from alibaba_jupiterone.sandbox.alibaba.errors import CATALOGUE
from alibaba_jupiterone.sandbox.alibaba.products import product_named
from alibaba_jupiterone.sandbox.faults import check_frequency, parse_options

FaultKind = Literal["throttle", "error", "latency", "timeout", "drop"]
_DEFAULT_CODES = {"throttle": "Throttling.User", "error": "ServiceUnavailable"}
_OPTION_TYPES = {"times": int, "rate": float, "retry_after_ms": int, "code": str, "delay": float, "product": str}


@dataclass(frozen=True)
class Fault:
    """A misbehaviour of the sandbox for the requests it matches (after their signature is verified).

    - ``throttle``: answer ``code`` (default ``Throttling.User``, 400);
    - ``error``: answer ``code`` (default ``ServiceUnavailable``, 503), any code of the catalogue;
    - ``latency``: wait ``delay`` seconds, then answer normally;
    - ``timeout``: wait ``delay`` seconds (meant to exceed the client's read timeout), then answer;
    - ``drop``: close the connection without any answer.

    ``region``/``action``/``product`` of ``None`` match every region/action/product (DescribeRegions
    matches the ``RegionId`` it was sent with, or only ``None``; RAM and STS calls have no region).
    ``product`` (``ecs``, ``vpc``, ``ram``, ``sts``) tells apart actions several products have, such
    as DescribeRegions. ``times`` limits the fault to the first N
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
    product: str | None = None

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
        if self.product is not None:
            object.__setattr__(self, "product", product_named(self.product).name)

    @property
    def error_code(self) -> str | None:
        """The code a throttle or error fault answers with; ``None`` for the other kinds."""
        return self.code or _DEFAULT_CODES.get(self.kind)

    def matches(self, action: str | None, region: str | None, product: str | None = None) -> bool:
        """Whether this fault concerns a request for ``action`` of ``product`` in ``region``."""
        return self.action in (None, action) and self.region in (None, region) and self.product in (None, product)


def parse_fault(spec: str) -> Fault:
    """Parse ``KIND:REGION[:ACTION][,key=value...]``; ``*`` or an empty REGION/ACTION means every one.

    Examples: ``throttle:cn-hangzhou:DescribeInstances,times=3,retry_after_ms=500``,
    ``error:*:DescribeRegions,product=vpc``.
    """
    target, *options = spec.split(",")
    kind, region, action = [*target.split(":"), "", ""][:3]
    return Fault(kind, _every_if_blank(region), _every_if_blank(action), **parse_options(options, _OPTION_TYPES))


def _every_if_blank(value: str) -> str | None:
    return None if value in ("", "*") else value
