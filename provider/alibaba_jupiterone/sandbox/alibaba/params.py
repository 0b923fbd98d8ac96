"""Request parameters as the actions read them: required values, numbers, flags and the paging styles."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from contextlib import suppress
from typing import Any, TypeVar

from alibaba_jupiterone.sandbox.alibaba.errors import GatewayError

T = TypeVar("T")

DEFAULT_MAX_ITEMS = 100
MAX_MAX_ITEMS = 1000


def required(params: Mapping[str, str], name: str) -> str:
    """The value of ``name``; ``Missing<name>`` when it is absent or empty."""
    value = params.get(name)
    if not value:
        raise GatewayError.missing(name)
    return value


def integer(params: Mapping[str, str], name: str, default: int) -> int:
    """``name`` as an integer (``default`` when absent or empty); ``InvalidParameter`` otherwise."""
    if not params.get(name):
        return default
    try:
        return int(params[name])
    except ValueError:
        raise GatewayError.invalid_parameter(name) from None


def flag(params: Mapping[str, str], name: str) -> bool:
    """``name`` as a boolean (``true``/``false``, any case; false when absent); ``InvalidParameter`` otherwise."""
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise GatewayError.invalid_parameter(name)
    return value == "true"


def page_token(scope: str, offset: int) -> str:
    """An opaque token standing for ``offset`` in the listing ``scope`` (``NextToken``, ``Marker``)."""
    return base64.urlsafe_b64encode(f"{scope}:{offset}".encode()).decode()


def offset_of(token: str, scope: str, name: str) -> int:
    """The offset a token of :func:`page_token` for ``scope`` stands for (``""`` is the start).

    Raises ``InvalidParameter`` naming the parameter ``name`` for anything else, such as the
    token of another listing.
    """
    if not token:
        return 0
    with suppress(ValueError):  # bad base64, UTF-8 or number
        token_scope, _, offset = base64.urlsafe_b64decode(token).decode().rpartition(":")
        if token_scope == scope and int(offset) >= 0:
            return int(offset)
    raise GatewayError.invalid_parameter(name)


def marker_page(items: Sequence[T], params: Mapping[str, str], scope: str) -> tuple[list[T], dict[str, Any]]:
    """One page by ``Marker``/``MaxItems`` (default 100, 1 to 1000) and its ``IsTruncated``/``Marker`` fields.

    ``Marker`` is only answered when the listing is truncated, as RAM does.
    """
    size = integer(params, "MaxItems", DEFAULT_MAX_ITEMS)
    if not 1 <= size <= MAX_MAX_ITEMS:
        raise GatewayError.invalid_parameter("MaxItems")
    offset = offset_of(params.get("Marker", ""), scope, "Marker")
    end = min(offset + size, len(items))
    page = list(items[offset:end])
    if end < len(items):
        return page, {"IsTruncated": True, "Marker": page_token(scope, end)}
    return page, {"IsTruncated": False}


def number_page(params: Mapping[str, str], default_size: int, max_size: int) -> tuple[int, int]:
    """``(PageNumber, PageSize)``, from 1 and 1 to ``max_size``; ``InvalidParameter`` outside."""
    number = integer(params, "PageNumber", 1)
    size = integer(params, "PageSize", default_size)
    if number < 1:
        raise GatewayError.invalid_parameter("PageNumber")
    if not 1 <= size <= max_size:
        raise GatewayError.invalid_parameter("PageSize")
    return number, size
