"""Fixtures of the sandbox tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from ecs_wire import REGIONS
from jupiterone_wire import Client

from alibaba_jupiterone.sandbox import EcsSandbox, JupiterOneSandbox


@pytest.fixture
def sandbox(ecs_sandbox_factory: Callable[..., EcsSandbox]) -> EcsSandbox:
    """A running ECS sandbox over three hand-made regions, no instances yet."""
    return ecs_sandbox_factory(regions=REGIONS)


@pytest.fixture
def j1_client(jupiterone_sandbox: JupiterOneSandbox) -> Client:
    """A raw client of a running JupiterOne sandbox (in memory, default account and key)."""
    return Client(jupiterone_sandbox)
