"""Sort the Alibaba Cloud SDK's exceptions: transient or not, and which project error they become."""

from __future__ import annotations

import re
from dataclasses import dataclass

from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from darabonba.exceptions import RetryError, UnretryableException

from alibaba_jupiterone.errors import (
    AlibabaApiError,
    AlibabaAuthenticationError,
    AlibabaAuthorizationError,
    AlibabaUnavailableError,
)

TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "Throttling.User",
        "Throttling.Api",
        "Throttling.QuotaExceeded",
        "Rejected.Throttling",
        "ServiceUnavailable",
        "InternalError",
        "UnknownError",
    }
)
# Code families: each also covers ``<family>.<detail>`` (``Throttling.Concurrent``, ``Forbidden.RAM``). The
# gateway's codes are the same for ECS, VPC, RAM and STS; refusals differ: ``Forbidden`` (ECS, VPC, also spelt
# ``Forbbiden`` by VPC), ``UnauthorizedOperation`` (VPC), ``NoPermission`` (RAM, STS).
TRANSIENT_FAMILIES = ("Throttling",)
AUTHENTICATION_CODES = ("InvalidAccessKeyId", "SignatureDoesNotMatch", "IncompleteSignature", "InvalidSecurityToken")
AUTHORIZATION_CODES = ("Forbidden", "Forbbiden", "NoPermission", "UnauthorizedOperation")

_HINTS = {
    "InvalidAccessKeyId.NotFound": "check the connection's access_key_id",
    "InvalidAccessKeyId.Inactive": "the access key is disabled; enable it or use another one",
    "SignatureDoesNotMatch": "check the connection's access_key_secret",
    "InvalidSecurityToken.Expired": "the STS token has expired; issue a new one",
    "InvalidTimeStamp.Expired": "this host's clock is more than 15 minutes off",
}
# The gateway appends its whole string-to-sign to some messages: noise in a task log.
_STRING_TO_SIGN = re.compile(r"\s*server string to sign is:.*", re.DOTALL)


def call_site(product: str, action: str, region: str | None) -> str:
    """How messages name a call: ``VPC DescribeVpcs in cn-beijing``, ``RAM ListUsers (global)``."""
    return f"{product} {action} in {region}" if region else f"{product} {action} (global)"


@dataclass(frozen=True)
class Failure:
    """What one failed SDK call tells: its API code, HTTP status, request id and message."""

    code: str | None
    status: int | None
    request_id: str | None
    message: str
    retry_after: float | None = None
    network: bool = False

    @classmethod
    def of(cls, exc: BaseException) -> Failure:
        """Read a failure from any exception the SDK raises."""
        if isinstance(exc, AlibabaCloudException):
            body = exc.data if isinstance(exc.data, dict) else {}
            message = _STRING_TO_SIGN.sub("", str(body.get("Message") or exc.message or "")).strip()
            return cls(
                code=exc.code,
                status=exc.status_code,
                request_id=body.get("RequestId") or exc.request_id,
                message=message,
                retry_after=exc.retry_after / 1000 if exc.retry_after else None,
            )
        inner = exc.inner_exception if isinstance(exc, UnretryableException) else exc
        if isinstance(inner, RetryError):
            return cls(code=None, status=None, request_id=None, message=inner.message, network=True)
        return cls(code=None, status=None, request_id=None, message=f"{type(inner).__name__}: {inner}")

    @property
    def transient(self) -> bool:
        """Throttling, 5xx, timeouts and dropped connections: worth another try."""
        if self.network or self.code in TRANSIENT_CODES or _matches(self.code, TRANSIENT_FAMILIES):
            return True
        if _matches(self.code, AUTHENTICATION_CODES + AUTHORIZATION_CODES):
            return False
        return self.retry_after is not None or (self.status or 0) >= 500

    def __str__(self) -> str:
        if self.code is None:
            return self.message
        return f"{self.code}: {self.message}" if self.message else self.code

    def to_error(
        self,
        product: str,
        action: str,
        region: str | None,
        *,
        attempts: int = 1,
        read_policy: str | None = None,
    ) -> AlibabaApiError:
        """The project error for this failure of ``product``'s ``action`` in ``region`` (``None``: global).

        :param attempts: how many calls were made, for the message of a transient failure.
        :param read_policy: the system policy granting read access to ``product``, named in the
            message of an authorization failure.
        """
        where = call_site(product, action, region)
        hint = _HINTS.get(self.code or "")
        detail = f"{self}; {hint}" if hint else str(self)
        fields = {
            "code": self.code,
            "request_id": self.request_id,
            "region": region,
            "status": self.status,
            "product": product,
            "action": action,
        }
        if _matches(self.code, AUTHENTICATION_CODES):
            return AlibabaAuthenticationError(f"Alibaba Cloud rejected the credentials for {where}: {detail}", **fields)
        if _matches(self.code, AUTHORIZATION_CODES):
            example = f" (for example the {read_policy} policy)" if read_policy else ""
            return AlibabaAuthorizationError(
                f"The credentials may not call {where}: {detail}; grant the RAM user read access to {product}{example}",
                **fields,
            )
        if self.transient:
            return AlibabaUnavailableError(
                f"{where} still failed after {attempts} attempt{'s' if attempts > 1 else ''}: {detail}", **fields
            )
        return AlibabaApiError(f"{where} failed: {detail}", **fields)


def _matches(code: str | None, families: tuple[str, ...]) -> bool:
    return code is not None and any(code == family or code.startswith(f"{family}.") for family in families)
