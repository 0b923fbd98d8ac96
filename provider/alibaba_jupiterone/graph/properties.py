"""Small rules shared by every converter: reading raw records and shaping JupiterOne property values."""

from __future__ import annotations

import calendar
import ipaddress
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

MAX_VALUE_LENGTH = 4096
"""JupiterOne keeps at most this many characters of a string value."""

HOSTNAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9]$")
"""The data model's pattern for ``hostname`` (use with ``fullmatch``)."""

FQDN = re.compile(r"(?=^.{4,253}$)(^((?!-)[a-zA-Z0-9-]{0,62}[a-zA-Z0-9]\.)+[a-zA-Z]{2,63}$)")
"""The data model's pattern for each ``fqdn`` (use with ``fullmatch``)."""

MAC_ADDRESS = re.compile(r"^([0-9a-f]{2}:){5}([0-9a-f]{2})$")
"""The data model's pattern for each ``macAddresses`` item (use with ``fullmatch``)."""

PROPERTY_NAME = re.compile(r"^(_|tag\.)?[A-Za-z0-9. -]+$")
"""JupiterOne's rule for property names (use with ``match``)."""

_NOT_IN_PROPERTY_NAME = re.compile(r"[^A-Za-z0-9. -]")
_API_TIME_FORMATS = ("%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M:%SZ")
_EPOCH = datetime(1970, 1, 1)  # naive UTC, as the API's times are read
_MILLISECOND = timedelta(milliseconds=1)
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_CANONICAL_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
"""An IPv4 address written the way ``ipaddress`` writes it (no leading zeros): parsing it would change nothing."""
_CANONICAL_FULL_IPV6 = re.compile(r"(?:[1-9a-f][0-9a-f]{0,3}:){7}[1-9a-f][0-9a-f]{0,3}")
"""An IPv6 address of eight groups, none zero, as ``ipaddress`` writes it (lower case, no leading zeros)."""
_API_TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d))?Z")
"""The usual shape of an API time, read without ``strptime`` (which is slow); other shapes still go to it."""


def dig(value: Any, *path: str) -> Any:
    """``value[path[0]][path[1]]...``, or ``None`` where a level is missing, null or not an object."""
    for name in path:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def items(value: Any, *path: str) -> list[dict[str, Any]] | None:
    """The objects of the list at ``path`` (an API wrapper such as ``Tags.Tag``); ``None`` when there is no list."""
    found = dig(value, *path)
    if not isinstance(found, list):
        return None
    return [item for item in found if isinstance(item, dict)]


def present(record: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    """``{property: record[field]}`` for each ``property: field`` of ``fields`` whose value is not missing or null."""
    return {name: record[field] for name, field in fields.items() if record.get(field) is not None}


def timestamps(record: dict[str, Any], fields: dict[str, str]) -> dict[str, int]:
    """``{property: epoch ms}`` for each ``property: field`` of ``fields`` whose value is an API time."""
    found = {name: epoch_ms(record.get(field)) for name, field in fields.items()}
    return {name: moment for name, moment in found.items() if moment is not None}


def texts(value: Any) -> list[str]:
    """The strings of ``value``: itself when it is one, its string items when it is a list, else none."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def unique_or_none(values: Iterable[str]) -> list[str] | None:
    """``values`` without repeats, in their order, or ``None`` when empty (the data model's "else null")."""
    return list(dict.fromkeys(values)) or None


def limit_length(value: Any) -> Any:
    """``value`` with each string, alone or in a list, cut to :data:`MAX_VALUE_LENGTH` characters.

    A cut string ends with ``...``, as JupiterOne marks the values it truncates itself.
    """
    if isinstance(value, str):
        return value if len(value) <= MAX_VALUE_LENGTH else value[: MAX_VALUE_LENGTH - 3] + "..."
    if isinstance(value, list):  # short strings, the usual items, as they are
        return [
            item if isinstance(item, str) and len(item) <= MAX_VALUE_LENGTH else limit_length(item) for item in value
        ]
    return value


def tag_property(key: str) -> str:
    """The property name of a tag: ``tag.<key>``, each character a property name may not hold turned to ``-``."""
    return "tag." + _NOT_IN_PROPERTY_NAME.sub("-", key)


def epoch_ms(text: Any) -> int | None:
    """Epoch milliseconds of an API time (UTC, ``2024-04-14T22:32Z``, seconds allowed); ``None`` if not one."""
    if not isinstance(text, str):
        return None
    if usual := _API_TIME.fullmatch(text):
        year, month, day, hour, minute, second = usual.groups("0")
        try:
            moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
        except ValueError:
            return None
        return (moment - _EPOCH) // _MILLISECOND
    for time_format in _API_TIME_FORMATS:
        try:
            moment = datetime.strptime(text, time_format)
        except ValueError:
            continue
        return calendar.timegm(moment.timetuple()) * 1000
    return None


def ip_addresses(values: Iterable[str]) -> dict[str, int]:
    """The valid IP addresses among ``values``, normalised and without repeats, in order: text -> version (4 or 6).

    Anything else is left out: ``""``, masked addresses (``172.17.**.**``), and scoped IPv6
    addresses (``fe80::1%eth0``), which the data model's ``ipv6`` format refuses.
    """
    found: dict[str, int] = {}
    for value in dict.fromkeys(values):
        if not value:
            continue
        if _CANONICAL_IPV4.fullmatch(value):  # already as ipaddress would write it
            found[value] = 4
            continue
        if _CANONICAL_FULL_IPV6.fullmatch(value):  # an ECS interface's usual address: parsing it is slow
            found[value] = 6
            continue
        try:  # the version its text tells, rather than ip_address's try of IPv4 first
            address = ipaddress.IPv6Address(value) if ":" in value else ipaddress.IPv4Address(value)
        except ValueError:
            continue
        if not getattr(address, "scope_id", None):
            found[str(address)] = address.version
    return found
