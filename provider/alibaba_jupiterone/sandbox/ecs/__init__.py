"""A local Alibaba Cloud ECS OpenAPI endpoint for tests and demos, driven by the real SDK."""

from __future__ import annotations

from alibaba_jupiterone.sandbox.ecs.auth import DEFAULT_CREDENTIAL, Credential
from alibaba_jupiterone.sandbox.ecs.faults import Fault
from alibaba_jupiterone.sandbox.ecs.gateway import RequestRecord
from alibaba_jupiterone.sandbox.ecs.server import EcsSandbox

__all__ = ["DEFAULT_CREDENTIAL", "Credential", "EcsSandbox", "Fault", "RequestRecord"]
