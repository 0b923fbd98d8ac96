"""How a raw record gives the ``_key`` of its entity, and the key of an entity it links to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MIN_KEY_LENGTH = 10
"""The data model's shortest ``_key``."""


@dataclass(frozen=True)
class KeyRule:
    """How a record gives its entity's ``_key``: ``prefix`` followed by the record's ``field``."""

    field: str
    prefix: str = ""

    def key_of(self, record: dict[str, Any]) -> str:
        """The ``_key`` of ``record``; ``ValueError`` when its ``field`` cannot make one."""
        return self.key_for(record.get(self.field))

    def key_for(self, value: Any) -> str:
        """The ``_key`` of the entity whose ``field`` is ``value`` (to link to it); ``ValueError`` if none."""
        if not isinstance(value, str) or not value:
            found = "none" if value is None else repr(value)
            raise ValueError(f"its {self.field} is not a non-empty string (found {found})")
        key = self.prefix + value
        if len(key) < MIN_KEY_LENGTH:
            raise ValueError(f"its key {key!r} is shorter than the {MIN_KEY_LENGTH} characters JupiterOne requires")
        return key
