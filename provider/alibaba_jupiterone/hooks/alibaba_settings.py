"""Read and check the extras of an ``alibaba_cloud`` Airflow connection."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from alibaba_jupiterone.errors import ConfigurationError
from alibaba_jupiterone.hooks.network import is_loopback
from alibaba_jupiterone.hooks.retry import RetryPolicy

DEFAULT_REGION = "cn-hangzhou"


@dataclass(frozen=True)
class AlibabaSettings:
    """What an ``alibaba_cloud`` connection says, checked.

    Extras (the shape of apache-airflow-providers-alibaba, plus optional keys):
    ``access_key_id``, ``access_key_secret``, ``security_token`` (STS), ``region`` (where
    DescribeRegions is called, default ``cn-hangzhou``), ``regions`` (allow-list, a list or a
    comma-separated string), ``endpoint`` (``host[:port]`` used for every region), ``protocol``
    (``https``, or ``http`` for a loopback endpoint only), ``read_timeout`` and ``connect_timeout``
    (milliseconds), ``retry`` (a :class:`RetryPolicy` as an object, e.g. ``{"max_attempts": 3}``).
    Without access keys the SDK's default credential chain is used.
    """

    access_key_id: str | None = None
    access_key_secret: str | None = field(default=None, repr=False)
    security_token: str | None = field(default=None, repr=False)
    region: str = DEFAULT_REGION
    regions: tuple[str, ...] = ()
    endpoint: str | None = None
    protocol: str = "https"
    read_timeout: int | None = None
    connect_timeout: int | None = None
    retry: RetryPolicy | None = None

    @classmethod
    def from_extra(cls, extra: Mapping[str, Any]) -> AlibabaSettings:
        """Check a connection's extras; a bad value raises :class:`ConfigurationError` naming it."""
        access_key_id = _text(extra, "access_key_id")
        access_key_secret = _text(extra, "access_key_secret")
        security_token = _text(extra, "security_token")
        if bool(access_key_id) != bool(access_key_secret):
            missing = "access_key_secret" if access_key_id else "access_key_id"
            raise ConfigurationError(
                f"Connection extra '{missing}' is missing: give both access_key_id and "
                "access_key_secret, or neither to use the default credential chain."
            )
        if security_token and not access_key_id:
            raise ConfigurationError(
                "Connection extra 'security_token' needs the STS access_key_id and access_key_secret."
            )
        regions = region_list(extra.get("regions"), "Connection extra 'regions'")
        endpoint = _endpoint(extra)
        return cls(
            access_key_id=access_key_id,
            access_key_secret=access_key_secret,
            security_token=security_token,
            region=_text(extra, "region") or (regions[0] if regions else DEFAULT_REGION),
            regions=regions,
            endpoint=endpoint,
            protocol=_protocol(extra, endpoint),
            read_timeout=_milliseconds(extra, "read_timeout"),
            connect_timeout=_milliseconds(extra, "connect_timeout"),
            retry=RetryPolicy.from_extra(extra.get("retry"), "Connection extra 'retry'"),
        )


def _text(extra: Mapping[str, Any], name: str) -> str | None:
    value = extra.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigurationError(f"Connection extra '{name}' must be a string, got {type(value).__name__}.")
    return value.strip() or None


def region_list(value: Any, name: str, what: str = "region ids") -> tuple[str, ...]:
    """Region ids (or other names) from a list or a comma-separated string, without blanks or repeats, in order.

    :param name: names the value in the error raised when it is neither.
    :param what: what the items are, in that error.
    """
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise ConfigurationError(f"{name} must be a list of {what} or a comma-separated string.")
    return tuple(dict.fromkeys(item.strip() for item in items if item.strip()))


def _endpoint(extra: Mapping[str, Any]) -> str | None:
    endpoint = _text(extra, "endpoint")
    if endpoint is None:
        return None
    try:
        parts = urlsplit(f"//{endpoint}")
        parts.port  # noqa: B018 - parsing the port validates it
    except ValueError as exc:
        raise ConfigurationError(f"Connection extra 'endpoint' is not host[:port]: {endpoint!r}.") from exc
    if "://" in endpoint or not parts.hostname or parts.path or parts.query:
        raise ConfigurationError(
            f"Connection extra 'endpoint' must be host[:port] without a scheme or path, got {endpoint!r}."
        )
    return endpoint


def _protocol(extra: Mapping[str, Any], endpoint: str | None) -> str:
    protocol = (_text(extra, "protocol") or "https").lower()
    if protocol not in ("https", "http"):
        raise ConfigurationError(f"Connection extra 'protocol' must be 'https' or 'http', got {protocol!r}.")
    if protocol == "http" and not (endpoint and is_loopback(urlsplit(f"//{endpoint}").hostname)):
        raise ConfigurationError(
            "Connection extra 'protocol' may be 'http' only with a loopback 'endpoint' "
            f"(127.0.0.1, ::1, localhost), got endpoint {endpoint!r}: credentials must not travel in clear text."
        )
    return protocol


def _milliseconds(extra: Mapping[str, Any], name: str) -> int | None:
    value = extra.get(name)
    if value is None or value == "":
        return None
    try:
        milliseconds = int(value)
    except (TypeError, ValueError):
        milliseconds = 0
    if isinstance(value, bool) or milliseconds <= 0:
        raise ConfigurationError(f"Connection extra '{name}' must be a positive number of milliseconds, got {value!r}.")
    return milliseconds
