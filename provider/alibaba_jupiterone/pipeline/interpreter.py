"""The interpreter's settings while a sync step runs: network threads served promptly, the old heap left alone."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

SWITCH_INTERVAL = 0.001
"""Seconds a thread may hold the GIL while another waits for it (CPython's default is 0.005)."""


@contextmanager
def tuned_for_sync() -> Iterator[None]:
    """Within the block (or the function it decorates), two interpreter settings suit a sync; restored after.

    - A listing's or an upload's thread whose network call returned gets the GIL back within
      :data:`SWITCH_INTERVAL`, not CPython's 5 ms, while another thread converts or encodes: the SDKs read
      a reply 10 KB at a time, each read a hand-back, and the longest listing is the sync's critical path.
    - The objects alive before (Airflow, the SDKs: most of the heap) are frozen out of the garbage
      collector's full passes, which otherwise walk them again each time the records and entities a sync
      allocates by the thousand trigger one.
    """
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    gc.collect()  # garbage frozen would stay until the end of the block
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        sys.setswitchinterval(interval)
