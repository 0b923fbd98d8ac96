"""What the sandboxes' faults share: how often one strikes, and the ``key=value`` options of a spec."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar


class Strikable(Protocol):
    """A fault as :class:`FaultPlan` sees it: how often it strikes."""

    @property
    def times(self) -> int | None: ...

    @property
    def rate(self) -> float | None: ...


_Fault = TypeVar("_Fault", bound=Strikable)


def check_frequency(times: int | None, rate: float | None) -> None:
    """``ValueError`` unless at most one of ``times`` (at least 1) and ``rate`` (0 to 1) is given."""
    if times is not None and rate is not None:
        raise ValueError("give either times or rate, not both")
    if times is not None and times < 1:
        raise ValueError("times must be at least 1")
    if rate is not None and not 0.0 <= rate <= 1.0:
        raise ValueError("rate must be between 0 and 1")


def parse_options(options: Iterable[str], types: Mapping[str, Callable[[str], Any]]) -> dict[str, Any]:
    """``key=value`` strings as keyword arguments, each value converted by ``types[key]``."""
    kwargs: dict[str, Any] = {}
    for option in options:
        key, _, value = option.partition("=")
        if key not in types:
            raise ValueError(f"unknown fault option {key!r}; expected one of {sorted(types)}")
        kwargs[key] = types[key](value)
    return kwargs


@dataclass(eq=False)
class _Armed(Generic[_Fault]):
    fault: _Fault
    remaining: int | None


class FaultPlan(Generic[_Fault]):
    """The faults in force, thread-safe; the first one that strikes a request wins.

    A fault with ``times`` strikes the first N requests it matches, then leaves; one with ``rate``
    strikes each matching request with that probability (seeded RNG); one with neither, every one.
    """

    def __init__(self, seed: int = 0) -> None:
        self._armed: list[_Armed[_Fault]] = []
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def add(self, fault: _Fault) -> None:
        """Put ``fault`` in force, after the ones already there."""
        with self._lock:
            self._armed.append(_Armed(fault, fault.times))

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._armed.clear()

    def strike(self, concerns: Callable[[_Fault], bool]) -> _Fault | None:
        """The first fault that ``concerns`` the request and fires, if any (counts it)."""
        with self._lock:
            for armed in self._armed:
                if concerns(armed.fault) and self._fires(armed):
                    return armed.fault
            return None

    def _fires(self, armed: _Armed[_Fault]) -> bool:
        if armed.fault.rate is not None:
            return self._random.random() < armed.fault.rate
        if armed.remaining is not None:
            armed.remaining -= 1
            if armed.remaining == 0:
                self._armed.remove(armed)
        return True
