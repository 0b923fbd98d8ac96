"""The exceptions this provider raises.

Every message names what failed (the field, the region, the API code and request id) and never a
credential: secrets stay out of exception text so they cannot reach task logs or XCom.
"""

from __future__ import annotations


class ProviderError(Exception):
    """Base class of every error raised by this provider."""


class ConfigurationError(ProviderError, ValueError):
    """A connection or argument is missing or invalid; the message names the field."""


class AlibabaApiError(ProviderError):
    """Alibaba Cloud answered a call with an error that retrying cannot fix.

    :param message: what failed, in plain words.
    :param code: the API's error code (``Code`` of the error body), when there was an answer.
    :param request_id: the API's ``RequestId``, to quote to Alibaba Cloud support.
    :param region: the region the call was made for.
    :param status: the HTTP status, when there was an answer.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        request_id: str | None = None,
        region: str | None = None,
        status: int | None = None,
    ) -> None:
        self.code = code
        self.request_id = request_id
        self.region = region
        self.status = status
        details = [
            f"{label} {value}"
            for label, value in (
                ("region", region),
                ("code", code),
                ("HTTP status", status),
                ("request id", request_id),
            )
            if value is not None
        ]
        super().__init__(f"{message} ({', '.join(details)})" if details else message)


class AlibabaAuthError(AlibabaApiError):
    """Alibaba Cloud refused the credentials or the permission: never retried.

    Catch this type for both of its kinds, :class:`AlibabaAuthenticationError` and
    :class:`AlibabaAuthorizationError`.
    """


class AlibabaAuthenticationError(AlibabaAuthError):
    """The access key, its secret or the STS token was rejected."""


class AlibabaAuthorizationError(AlibabaAuthError):
    """The credentials are valid but may not make this call (RAM policy)."""


class AlibabaUnavailableError(AlibabaApiError):
    """A transient failure (throttling, 5xx, timeout, dropped connection) outlasted the retry budget."""
