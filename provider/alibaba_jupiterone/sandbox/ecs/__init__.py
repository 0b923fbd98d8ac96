"""The former home of the ECS-only sandbox, kept so that its imports keep working.

The sandbox now serves ECS, VPC, RAM and STS: see :mod:`alibaba_jupiterone.sandbox.alibaba`.
"""

from __future__ import annotations

from alibaba_jupiterone.sandbox.alibaba import DEFAULT_CREDENTIAL, Credential, EcsSandbox, Fault, RequestRecord

__all__ = ["DEFAULT_CREDENTIAL", "Credential", "EcsSandbox", "Fault", "RequestRecord"]
