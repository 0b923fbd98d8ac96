"""Actions the caller may not call: ``"<product>:<Action>"``, optionally only in one region (``@<RegionId>``)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from alibaba_jupiterone.sandbox.alibaba.products import product_named


@dataclass(frozen=True)
class Denial:
    """One action denied to the caller, everywhere or in one region of a regional product."""

    product: str
    action: str
    region: str | None = None

    @classmethod
    def parse(cls, spec: str) -> Denial:
        """Read ``"vpc:DescribeVpcs"`` or ``"vpc:DescribeVpcs@cn-beijing"``; ``ValueError`` naming what is wrong."""
        target, _, region = spec.partition("@")
        name, _, action = target.partition(":")
        product = product_named(name)
        if action not in product.actions:
            served = sorted(product.actions)
            raise ValueError(f"{spec!r}: {product.name} serves no action {action!r}; it serves {served}")
        if region and not product.regional:
            raise ValueError(f"{spec!r}: {product.name} is global, it has no regions")
        return cls(product.name, action, region or None)

    def covers(self, product: str, action: str, region: str | None) -> bool:
        """Whether this denial refuses ``action`` of ``product`` called for ``region``."""
        return (self.product, self.action) == (product, action) and self.region in (None, region)

    def __str__(self) -> str:
        return f"{self.product}:{self.action}" + (f"@{self.region}" if self.region else "")


class Permissions:
    """The denials in force, thread-safe."""

    def __init__(self, specs: Iterable[str] = ()) -> None:
        self._denials: dict[Denial, None] = {}
        self._lock = threading.Lock()
        for spec in specs:
            self.deny(spec)

    def deny(self, spec: str) -> None:
        """Refuse the action ``spec`` names from now on."""
        denial = Denial.parse(spec)
        with self._lock:
            self._denials[denial] = None

    def allow(self, spec: str) -> None:
        """Undo :meth:`deny` of exactly this ``spec`` (nothing happens if it was not denied)."""
        denial = Denial.parse(spec)
        with self._lock:
            self._denials.pop(denial, None)

    def denies(self, product: str, action: str, region: str | None) -> bool:
        """Whether a denial refuses this call."""
        with self._lock:
            return any(denial.covers(product, action, region) for denial in self._denials)

    def specs(self) -> list[str]:
        """The denials in force, as specs, in the order given."""
        with self._lock:
            return [str(denial) for denial in self._denials]
