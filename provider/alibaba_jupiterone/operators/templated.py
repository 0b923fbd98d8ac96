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
