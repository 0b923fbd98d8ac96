"""A local Alibaba Cloud OpenAPI endpoint serving ECS, VPC, RAM and STS on one port, for the real SDKs."""

from __future__ import annotations

from alibaba_jupiterone.sandbox.alibaba.auth import DEFAULT_CREDENTIAL, Credential
from alibaba_jupiterone.sandbox.alibaba.faults import Fault
from alibaba_jupiterone.sandbox.alibaba.gateway import RequestRecord
from alibaba_jupiterone.sandbox.alibaba.ram.directory import GroupMembership, PolicyAttachment, RamDirectory
from alibaba_jupiterone.sandbox.alibaba.server import AlibabaCloudSandbox, EcsSandbox

__all__ = [
    "DEFAULT_CREDENTIAL",
    "AlibabaCloudSandbox",
    "Credential",
    "EcsSandbox",
    "Fault",
    "GroupMembership",
    "PolicyAttachment",
    "RamDirectory",
    "RequestRecord",
]
