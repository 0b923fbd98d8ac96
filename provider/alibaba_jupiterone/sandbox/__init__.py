"""Local stand-ins for the services the provider talks to, for tests, demos and users' DAG tests."""

from __future__ import annotations

from alibaba_jupiterone.sandbox.ecs import DEFAULT_CREDENTIAL, Credential, EcsSandbox, Fault, RequestRecord
from alibaba_jupiterone.sandbox.jupiterone import JupiterOneFault, JupiterOneRequestRecord, JupiterOneSandbox

__all__ = [
    "DEFAULT_CREDENTIAL",
    "Credential",
    "EcsSandbox",
    "Fault",
    "JupiterOneFault",
    "JupiterOneRequestRecord",
    "JupiterOneSandbox",
    "RequestRecord",
]
