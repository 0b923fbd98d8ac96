"""Fixtures of the ECS sandbox tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from ecs_wire import REGIONS

from alibaba_jupiterone.sandbox import EcsSandbox


@pytest.fixture
def sandbox(ecs_sandbox_factory: Callable[..., EcsSandbox]) -> EcsSandbox:
    """A running sandbox over three hand-made regions, no instances yet."""
    return ecs_sandbox_factory(regions=REGIONS)
