"""The resource types the provider publishes, each declared once: what its entities are and how they are made.

Adding a type is one converter module (record + options -> properties) and one :class:`ResourceType`
in :data:`RESOURCE_TYPES`; the identity, ``tag.AccountName``, ``_rawData`` and value limits are
applied here, the same way for every type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from alibaba_jupiterone.errors import MalformedRecordError
from alibaba_jupiterone.graph import ecs_instance
from alibaba_jupiterone.graph.options import ConversionOptions
from alibaba_jupiterone.graph.properties import MAX_VALUE_LENGTH, limit_length

Converter = Callable[[dict[str, Any], ConversionOptions], dict[str, Any]]
"""Turns one raw record (already checked to have a key) into its entity's properties, identity aside."""

MIN_KEY_LENGTH = 10
"""The data model's shortest ``_key``."""


@dataclass(frozen=True)
class KeyRule:
    """How a record gives its entity's ``_key``: ``prefix`` followed by the record's ``field``."""

    field: str
    prefix: str = ""

    def key_of(self, record: dict[str, Any]) -> str:
        """The ``_key`` of ``record``; ``ValueError`` when its ``field`` cannot make one."""
        value = record.get(self.field)
        if not isinstance(value, str) or not value:
            found = "none" if value is None else repr(value)
            raise ValueError(f"its {self.field} is not a non-empty string (found {found})")
        key = self.prefix + value
        if len(key) < MIN_KEY_LENGTH:
            raise ValueError(f"its key {key!r} is shorter than the {MIN_KEY_LENGTH} characters JupiterOne requires")
        return key


@dataclass(frozen=True)
class ResourceType:
    """One kind of resource in the graph.

    :param resource: its name for people, as in the data model table of the docs.
    :param type: the entities' ``_type``.
    :param classes: the entities' ``_class``.
    :param key: how a record gives its entity's ``_key``.
    :param converter: record + options -> the entity's other properties.
    :param listed_by: the dotted path of the hook method that yields the raw records.
    :param regional: ``True`` when listed region by region, ``False`` when listed once per account.
    """

    resource: str
    type: str
    classes: tuple[str, ...]
    key: KeyRule
    converter: Converter
    listed_by: str
    regional: bool

    def to_entity(
        self, record: Any, options: ConversionOptions, *, region: str | None = None, position: int = 0
    ) -> dict[str, Any]:
        """The entity of one raw record.

        :param region: the region whose listing returned the record, named by errors.
        :param position: the record's 0-based position in that listing, named by errors.
        :raises MalformedRecordError: the record is not an object, has no usable key, or holds
            values of types the API never returns.
        """
        if not isinstance(record, dict):
            raise MalformedRecordError(
                f"{self.type} record is a {type(record).__name__}, not an object", region=region, position=position
            )
        try:
            key = self.key.key_of(record)
        except ValueError as error:
            raise MalformedRecordError(
                f"{self.type} record has no usable key: {error}", region=region, position=position
            ) from None
        try:
            properties = self.converter(record, options)
        except (TypeError, ValueError, AttributeError) as error:
            raise MalformedRecordError(
                f"{self.type} record {key} cannot be converted: {error!r}", region=region, position=position
            ) from error
        entity = {"_key": key, "_type": self.type, "_class": list(self.classes)}
        entity.update(properties)
        for name, value in properties.items():  # only what limit_length could change: this loop is hot
            if isinstance(value, str):
                if len(value) > MAX_VALUE_LENGTH:
                    entity[name] = limit_length(value)
            elif isinstance(value, list):
                entity[name] = limit_length(value)
        if options.tag_with_account_name:
            # after the record's own tags: the configured name wins over a tag called "AccountName"
            entity["tag.AccountName"] = limit_length(options.account_name)
        if options.include_raw_data:
            entity["_rawData"] = [{"name": "default", "rawData": record}]
        return entity

    def to_entities(
        self, records: Iterable[Any], options: ConversionOptions, *, region: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """The entities of one listing's records, in order; stops at the first malformed record."""
        for position, record in enumerate(records):
            yield self.to_entity(record, options, region=region, position=position)


ECS_INSTANCE = ResourceType(
    resource="ECS Instance",
    type="alibaba_cloud_ecs_instance",
    classes=("Host",),
    key=KeyRule("InstanceId"),
    converter=ecs_instance.convert,
    listed_by="alibaba_jupiterone.hooks.alibaba_ecs.AlibabaEcsHook.iter_instances",
    regional=True,
)

RESOURCE_TYPES: tuple[ResourceType, ...] = (ECS_INSTANCE,)
"""Every resource type, in the order of the docs' data model table."""


def resource_type(type_name: str) -> ResourceType:
    """The registered resource type whose ``_type`` is ``type_name``; ``KeyError`` naming the known ones."""
    for candidate in RESOURCE_TYPES:
        if candidate.type == type_name:
            return candidate
    raise KeyError(f"no resource type {type_name!r}; known: {', '.join(t.type for t in RESOURCE_TYPES)}")
