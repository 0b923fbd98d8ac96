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
    :param region: the region the call was made for (``None`` for a global product such as RAM).
    :param status: the HTTP status, when there was an answer.
    :param product: the Alibaba Cloud product called (``ECS``, ``VPC``, ``RAM``, ``STS``).
    :param action: the API action called (``DescribeVpcs``).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        request_id: str | None = None,
        region: str | None = None,
        status: int | None = None,
        product: str | None = None,
        action: str | None = None,
    ) -> None:
        self.code = code
        self.request_id = request_id
        self.region = region
        self.status = status
        self.product = product
        self.action = action
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


class JupiterOneApiError(ProviderError):
    """JupiterOne answered a call with an error that retrying cannot fix.

    :param message: what failed, in plain words.
    :param endpoint: the call, as ``METHOD /path``.
    :param status: the HTTP status, when there was an answer.
    :param code: the API's error code (``error.code`` of the body), when it gave one.
    """

    def __init__(self, message: str, *, endpoint: str, status: int | None = None, code: str | None = None) -> None:
        self.endpoint = endpoint
        self.status = status
        self.code = code
        details = [endpoint] + [
            f"{label} {value}" for label, value in (("HTTP status", status), ("code", code)) if value is not None
        ]
        super().__init__(f"{message} ({', '.join(details)})")


class JupiterOneUnavailableError(JupiterOneApiError):
    """A transient failure (429, 502/503/504, timeout, dropped connection) outlasted the retry budget."""


class JupiterOneSyncJobError(ProviderError):
    """A synchronization job ended in an error status, or did not end in time.

    :param job: the job record as JupiterOne last returned it.
    """

    def __init__(self, message: str, *, job: dict) -> None:
        self.job = job
        super().__init__(message)


class GraphObjectError(ProviderError, ValueError):
    """An entity or relationship breaks JupiterOne's rules; the message names its ``_key`` and property.

    :param key: the object's ``_key`` (or its position when it has none).
    :param property_name: the offending property, when one is to blame.
    """

    def __init__(self, message: str, *, key: str, property_name: str | None = None) -> None:
        self.key = key
        self.property_name = property_name
        super().__init__(message)


class MalformedRecordError(ProviderError, ValueError):
    """A record fetched from a cloud API cannot become an entity (not an object, no usable id, wrong types).

    :param message: what is wrong with the record.
    :param region: the region whose listing returned it (``None`` for a global listing).
    :param position: its 0-based position in that listing.
    """

    def __init__(self, message: str, *, region: str | None, position: int) -> None:
        self.region = region
        self.position = position
        where = f"region {region}" if region is not None else "the global listing"
        super().__init__(f"{message} (record {position} of {where})")
