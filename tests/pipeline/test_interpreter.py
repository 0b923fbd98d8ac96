"""The interpreter's settings while a sync step runs, and after."""

from __future__ import annotations

import gc
import sys

import pytest

from alibaba_jupiterone.pipeline.interpreter import SWITCH_INTERVAL, tuned_for_sync


def test_the_interpreter_is_tuned_within_a_sync_step_and_restored_after():
    before = sys.getswitchinterval()
    seen = []

    @tuned_for_sync()
    def failing_step():
        seen.append((sys.getswitchinterval(), gc.get_freeze_count() > 0))
        raise RuntimeError("a step that fails")

    with pytest.raises(RuntimeError):
        failing_step()

    assert seen == [(min(before, SWITCH_INTERVAL), True)]
    assert sys.getswitchinterval() == before
    assert gc.get_freeze_count() == 0
