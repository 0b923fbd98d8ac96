"""Read operator arguments that may arrive rendered from a template as text."""

from __future__ import annotations

from typing import Any

from alibaba_jupiterone.errors import ConfigurationError

_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0", "")


def as_bool(value: Any, name: str) -> bool:
    """``value`` as a boolean: a bool, or its text (``"True"``, ``"false"``, ...) as a template renders it."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ConfigurationError(f"{name} must be true or false, got {value!r}.")


def as_names(value: Any, name: str) -> tuple[str, ...]:
    """``value`` as names: a list, or a comma-separated string; blanks and repeats dropped, order kept."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise ConfigurationError(f"{name} must be a list of names or a comma-separated string, got {value!r}.")
    return tuple(dict.fromkeys(item.strip() for item in items if item.strip()))
