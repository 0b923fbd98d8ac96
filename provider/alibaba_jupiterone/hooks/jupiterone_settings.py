"""Read and check a ``jupiterone`` Airflow connection."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from alibaba_jupiterone.errors import ConfigurationError
from alibaba_jupiterone.hooks.network import is_loopback
from alibaba_jupiterone.hooks.retry import RetryPolicy

DEFAULT_BASE_URL = "https://api.us.jupiterone.io"


@dataclass(frozen=True)
class JupiterOneSettings:
    """What a ``jupiterone`` connection says, checked.

    ``host`` is the API base URL (default ``https://api.us.jupiterone.io``; a bare host name means
    HTTPS; ``http://`` only for a loopback host), ``port`` optional, ``login`` the JupiterOne
    account id, ``password`` the API key; the optional extra ``retry`` is a :class:`RetryPolicy` as an
    object (``{"max_attempts": 3, ...}``).
    """

    base_url: str
    account_id: str
    api_key: str = field(repr=False)
    retry: RetryPolicy | None = None

    @classmethod
    def from_connection(
        cls,
        host: str | None,
        port: int | None,
        login: str | None,
        password: str | None,
        extra: dict[str, Any] | None = None,
    ) -> JupiterOneSettings:
        """Check the connection's fields; a bad one raises :class:`ConfigurationError` naming it."""
        if not (login or "").strip():
            raise ConfigurationError("Connection field 'login' must hold the JupiterOne account id.")
        if not password:
            raise ConfigurationError("Connection field 'password' must hold the JupiterOne API key.")
        return cls(
            base_url=_base_url(host, port),
            account_id=login.strip(),
            api_key=password,
            retry=RetryPolicy.from_extra((extra or {}).get("retry"), "Connection extra 'retry'"),
        )


def _base_url(host: str | None, port: int | None) -> str:
    url = (host or "").strip().rstrip("/") or DEFAULT_BASE_URL
    if "://" not in url:
        url = f"https://{url}"
    try:
        parts = urlsplit(url)
        url_port = parts.port
    except ValueError as exc:
        raise ConfigurationError(f"Connection field 'host' is not a URL: {host!r}.") from exc
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigurationError(f"Connection field 'host' must be an https:// base URL, got {host!r}.")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigurationError(
            f"Connection field 'host' may use http:// only for a loopback host, got {host!r}: "
            "the API key must not travel in clear text."
        )
    if port and url_port is None:
        netloc = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        url = parts._replace(netloc=f"{netloc}:{port}").geturl()
    return url
