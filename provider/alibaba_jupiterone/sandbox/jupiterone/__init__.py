"""A local JupiterOne synchronization API for tests and demos, over real HTTP."""

from __future__ import annotations

from alibaba_jupiterone.sandbox.jupiterone.faults import JupiterOneFault
from alibaba_jupiterone.sandbox.jupiterone.gateway import JupiterOneRequestRecord
from alibaba_jupiterone.sandbox.jupiterone.server import JupiterOneSandbox

__all__ = ["JupiterOneFault", "JupiterOneRequestRecord", "JupiterOneSandbox"]
