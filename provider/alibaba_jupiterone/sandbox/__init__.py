"""Local stand-ins for the services the provider talks to, for tests, demos and users' DAG tests."""

from __future__ import annotations

from alibaba_jupiterone.sandbox.alibaba import (
    DEFAULT_CREDENTIAL,
    AlibabaCloudSandbox,
    Credential,
    EcsSandbox,
    Fault,
    GroupMembership,
    PolicyAttachment,
    RamDirectory,
    RequestRecord,
)
from alibaba_jupiterone.sandbox.jupiterone import JupiterOneFault, JupiterOneRequestRecord, JupiterOneSandbox

__all__ = [
    "DEFAULT_CREDENTIAL",
    "AlibabaCloudSandbox",
    "Credential",
    "EcsSandbox",
    "Fault",
    "GroupMembership",
    "JupiterOneFault",
    "JupiterOneRequestRecord",
    "JupiterOneSandbox",
    "PolicyAttachment",
    "RamDirectory",
    "RequestRecord",
]
