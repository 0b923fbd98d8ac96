"""What an action handler is given, and what it is."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alibaba_jupiterone.sandbox.alibaba.auth import Credential

if TYPE_CHECKING:
    from alibaba_jupiterone.sandbox.alibaba.world import World


@dataclass(frozen=True)
class Call:
    """One authenticated call of an action: its parameters and the credential that signed it."""

    params: Mapping[str, str]
    credential: Credential


Handler = Callable[["World", Call], dict[str, Any]]
"""An action: the answer body (without ``RequestId``) for a call, or ``GatewayError`` for an error answer."""
