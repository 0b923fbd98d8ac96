"""Pages handed from the listings' threads to the one thread that converts them, the longest listing's first."""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Hashable
from typing import Any


class Handoff:
    """A bounded hand-over point between producers (listings) and one consumer, served longest-listing first.

    The consumer takes the oldest item of the producer that has handed over the most so far: the listing
    with the most pages behind it is the likeliest to have the most ahead, and as the sync's critical path
    its next request must not wait for the converter. So that leading producer may always have ``depth``
    items waiting, while the others wait once all producers together have ``capacity`` items waiting (or
    one of them has ``depth``). At most ``capacity + depth`` items wait in all.

    :param depth: items one producer may have waiting (at least 1).
    :param capacity: items all producers but the leading one may have waiting together (at least 1).
    :param stop: once set, blocked producers give up and hand over nothing more.
    """

    def __init__(self, depth: int, capacity: int, stop: threading.Event) -> None:
        if depth < 1 or capacity < 1:
            raise ValueError("depth and capacity must be at least 1")
        self._depth = depth
        self._capacity = capacity
        self._waiting_in_all = 0
        self._stop = stop
        self._changed = threading.Condition()
        self._waiting: dict[Hashable, deque[Any]] = {}
        self._handed = Counter[Hashable]()

    def put(self, producer: Hashable, item: Any) -> bool:
        """Hand ``item`` over for ``producer``, waiting while there is no room for it (see the class).

        :returns: ``False`` when ``stop`` was set first (the item is not handed over).
        """
        with self._changed:
            waiting = self._waiting.setdefault(producer, deque())
            while not self._room_for(producer):
                if self._stop.is_set():
                    return False
                self._changed.wait(timeout=0.1)
            if self._stop.is_set():
                return False
            waiting.append(item)
            self._waiting_in_all += 1
            self._handed[producer] += 1
            self._changed.notify_all()
            return True

    def get(self) -> tuple[Hashable, Any]:
        """The next ``(producer, item)``, waiting for one: the oldest item of the producer with most handed over."""
        with self._changed:
            while not (ready := [producer for producer, waiting in self._waiting.items() if waiting]):
                self._changed.wait()
            producer = max(ready, key=self._handed.__getitem__)
            item = self._waiting[producer].popleft()
            self._waiting_in_all -= 1
            self._changed.notify_all()
            return producer, item

    def _room_for(self, producer: Hashable) -> bool:
        if len(self._waiting[producer]) >= self._depth:
            return False
        others = (handed for other, handed in self._handed.items() if other != producer)
        leading = self._handed[producer] > max(others, default=-1)  # alone in the lead: ties share the capacity
        return leading or self._waiting_in_all < self._capacity
