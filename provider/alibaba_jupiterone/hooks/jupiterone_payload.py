"""Entities and relationships on their way to JupiterOne: checked, encoded once, packed by size."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

import msgspec

from alibaba_jupiterone.errors import GraphObjectError
from alibaba_jupiterone.graph.properties import MAX_VALUE_LENGTH, PROPERTY_NAME, limit_length

Kind = Literal["entities", "relationships"]

TRUNCATED = "TRUNCATED"
_TRUNCATED_SIZE = len(json.dumps(TRUNCATED))


def _as_plain(value: Any) -> Any:
    """A subclass of ``str``, ``int`` or ``float`` as its base type (the encoder takes the exact types only)."""
    for plain in (str, int, float):
        if isinstance(value, plain):
            return plain(value)
    raise TypeError(f"a {type(value).__name__} cannot be encoded as JSON")


# msgspec writes the compact UTF-8 JSON of the standard library's encoder, about five times faster
_ENCODER = msgspec.json.Encoder(enc_hook=_as_plain)
_KEPT_SCALAR_TYPES = frozenset({type(None), bool, int})
_allowed_names: set[str] = set()
"""Property names that passed the rule, so that the usual ones are checked once per process."""
_MAX_ALLOWED_NAMES = 4096  # tag names come from the account: remember no more than this many

_REQUIRED_STRINGS: dict[Kind, tuple[tuple[str, int], ...]] = {
    "entities": (("_key", 10), ("_type", 3), ("name", 0), ("displayName", 0)),
    "relationships": (("_key", 10), ("_type", 3), ("_fromEntityKey", 1), ("_toEntityKey", 1)),
}


@dataclass(frozen=True)
class Encoded:
    """One checked object's ``_key``, ``_type`` and JSON encoding (``size`` bytes); ``shrunk`` once raw data was cut.

    Only the encoding is kept, not the object: what waits to be sent costs its bytes alone.
    """

    key: str
    type: str
    body: bytes
    has_raw_data: bool
    shrunk: bool = False

    @property
    def size(self) -> int:
        return len(self.body)


def prepare(objects: Iterable[Any], kind: Kind, seen_keys: set[str]) -> Iterator[Encoded]:
    """Check each object against JupiterOne's rules, truncate long strings, and encode it.

    ``seen_keys`` holds the keys already uploaded in the same job; a repeated ``_key`` is an error.
    Each violation raises :class:`~alibaba_jupiterone.errors.GraphObjectError` naming the ``_key``
    (or the position) and the property.
    """
    for position, obj in enumerate(objects):
        if not isinstance(obj, dict):
            raise GraphObjectError(
                f"{kind} item {position} is a {type(obj).__name__}, not an object", key=f"#{position}"
            )
        checked = _checked(obj, kind, position)
        key = checked["_key"]
        if key in seen_keys:
            raise GraphObjectError(f"_key {key!r} appears twice in this sync job", key=key, property_name="_key")
        seen_keys.add(key)
        yield encode(checked)


def encode(value: dict[str, Any]) -> Encoded:
    """Encode a checked object as compact UTF-8 JSON."""
    body = _ENCODER.encode(value)
    return Encoded(value["_key"], value["_type"], body, bool(value.get("_rawData")))


def request_body(kind: Kind, batch: list[Encoded]) -> bytes:
    """The body of one upload request: ``{"<kind>": [...]}`` from the pre-encoded objects."""
    return b'{"%s":[%s]}' % (kind.encode(), b",".join(item.body for item in batch))


def batches(items: Iterable[Encoded], kind: Kind, max_bytes: int) -> Iterator[list[Encoded]]:
    """Pack objects, in order, into batches whose request body is at most ``max_bytes``.

    An object too large for a request of its own comes alone, for the caller to shrink or drop.
    """
    overhead = len(request_body(kind, []))
    batch: list[Encoded] = []
    size = overhead
    for item in items:
        if batch and size + 1 + item.size > max_bytes:
            yield batch
            batch, size = [], overhead
        size += item.size + (1 if batch else 0)
        batch.append(item)
    if batch:
        yield batch


def shrink_raw_data(item: Encoded, max_bytes: int) -> Encoded:
    """Replace the largest values inside ``_rawData`` with ``"TRUNCATED"`` until the object fits.

    Stops when it fits in ``max_bytes`` or no value is left whose replacement would save space;
    returns ``item`` itself when nothing could be cut.
    """
    if not item.has_raw_data:
        return item
    value = json.loads(item.body)
    leaves = sorted(
        (leaf for entry in value["_rawData"] for leaf in _leaves(entry, "rawData")),
        key=lambda leaf: leaf[2],
        reverse=True,
    )
    excess = item.size - max_bytes
    replaced = 0
    for container, index, size in leaves:
        if excess <= 0 or size <= _TRUNCATED_SIZE:
            break
        container[index] = TRUNCATED
        excess -= size - _TRUNCATED_SIZE
        replaced += 1
    return replace(encode(value), shrunk=True) if replaced else item


def _leaves(container: Any, index: Any) -> Iterator[tuple[Any, Any, int]]:
    """``(container, index, encoded size)`` of every scalar under ``container[index]``."""
    child = container[index]
    if isinstance(child, dict):
        for name in child:
            yield from _leaves(child, name)
    elif isinstance(child, list):
        for position in range(len(child)):
            yield from _leaves(child, position)
    else:
        yield container, index, len(json.dumps(child, ensure_ascii=False).encode())


def _checked(obj: dict[str, Any], kind: Kind, position: int) -> dict[str, Any]:
    """``obj`` itself when it may go as it is, else a copy with long strings cut; a violation raises."""
    key = obj.get("_key")
    label = key if isinstance(key, str) and key else f"#{position}"
    for name, minimum in _REQUIRED_STRINGS[kind]:
        value = obj.get(name)
        if not isinstance(value, str) or len(value) < minimum:
            need = f"a string of at least {minimum} characters" if minimum > 1 else "a string"
            raise GraphObjectError(
                f"{kind} {label}: '{name}' must be {need}, got {value!r:.80}", key=label, property_name=name
            )
    _check_class(obj.get("_class"), label)
    if _kept_as_is(obj):
        return obj
    # Something to cut or to refuse: property by property, so that the first violation is the one named.
    checked: dict[str, Any] = {}
    for name, value in obj.items():
        if not _allowed_name(name):
            raise GraphObjectError(
                f"{kind} {label}: property name {name!r} is not allowed (letters, digits, '.', ' ', '-', "
                "after an optional '_' or 'tag.')",
                key=label,
                property_name=str(name),
            )
        if name == "_rawData":
            checked[name] = _checked_raw_data(value, label)
        else:
            checked[name] = _checked_value(value, label, name)
    return checked


def _kept_as_is(obj: dict[str, Any]) -> bool:
    """Whether every property of ``obj`` is allowed and needs no cut: the usual case, told quickly.

    Only exact ``str``, ``int``, ``bool``, finite ``float``, ``None`` and lists of one of those
    (and a ``_rawData`` of the right shape) pass; anything else, valid or not, is left to the
    property-by-property check.
    """
    return (
        (obj.keys() <= _allowed_names or all(map(_allowed_name, obj)))
        and ("_rawData" not in obj or _is_raw_data(obj["_rawData"]))
        and _kept_values(obj)
    )


def _kept_values(obj: dict[str, Any]) -> bool:
    for name, value in obj.items():
        value_type = type(value)
        if value_type is str:
            if len(value) > MAX_VALUE_LENGTH:
                return False
        elif value_type in _KEPT_SCALAR_TYPES:
            continue
        elif value_type is list:
            if name != "_rawData" and not _kept_list(value):
                return False
        elif value_type is not float or not math.isfinite(value):
            return False
    return True


def _kept_list(values: list[Any]) -> bool:
    """Whether ``values`` is empty, or of exact ``str`` (none too long), ``int``, ``bool`` or finite ``float`` only."""
    item_types = set(map(type, values))
    if len(item_types) != 1:
        return not values
    (item_type,) = item_types
    if item_type is str:
        return max(map(len, values)) <= MAX_VALUE_LENGTH
    if item_type is float:
        return all(map(math.isfinite, values))
    return item_type is int or item_type is bool


def _allowed_name(name: Any) -> bool:
    """Whether ``name`` may name a property (remembered: the same names come back in every object)."""
    if name in _allowed_names:
        return True
    if not (isinstance(name, str) and PROPERTY_NAME.match(name)):
        return False
    if len(_allowed_names) < _MAX_ALLOWED_NAMES:
        _allowed_names.add(name)
    return True


def _check_class(value: Any, label: str) -> None:
    classes = [value] if isinstance(value, str) else value
    if not (
        isinstance(classes, list) and classes and all(isinstance(item, str) and len(item) >= 2 for item in classes)
    ):
        raise GraphObjectError(
            f"{label}: '_class' must be a string or a non-empty list of strings of at least 2 characters, "
            f"got {value!r:.80}",
            key=label,
            property_name="_class",
        )


def _checked_value(value: Any, label: str, name: str) -> Any:
    if isinstance(value, list):
        kinds = {_primitive_kind(item) for item in value}
        if None in kinds or len(kinds) > 1:
            raise GraphObjectError(
                f"{label}: property '{name}' must be an array of one primitive type, got {value!r:.80}",
                key=label,
                property_name=name,
            )
        return limit_length(value)
    if value is not None and _primitive_kind(value) is None:
        raise GraphObjectError(
            f"{label}: property '{name}' must be a string, number, boolean, null or array of one of those, "
            f"got {type(value).__name__}",
            key=label,
            property_name=name,
        )
    return limit_length(value)


def _checked_raw_data(value: Any, label: str) -> Any:
    if not _is_raw_data(value):
        raise GraphObjectError(
            f"{label}: '_rawData' must be a list of {{'name': ..., 'rawData': ...}}",
            key=label,
            property_name="_rawData",
        )
    return value


def _is_raw_data(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, dict) and isinstance(item.get("name"), str) and "rawData" in item for item in value
    )


def _primitive_kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number" if not isinstance(value, float) or math.isfinite(value) else None
    return "string" if isinstance(value, str) else None
