"""The resource types the provider publishes, each declared once: what its entities are and how they are made.

Adding a type is one converter module (record + options -> properties, and the links its records
imply) and one :class:`ResourceType` in :data:`RESOURCE_TYPES`; the identity, ``tag.AccountName``,
``_rawData`` and value limits are applied here, the same way for every type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from alibaba_jupiterone.errors import MalformedRecordError
from alibaba_jupiterone.graph import account, ecs_instance, ram_group, ram_policy, ram_role, ram_user, vpc
from alibaba_jupiterone.graph.keys import KeyRule
from alibaba_jupiterone.graph.options import ConversionOptions
from alibaba_jupiterone.graph.properties import MAX_VALUE_LENGTH, limit_length
from alibaba_jupiterone.graph.relationships import Link

Converter = Callable[[dict[str, Any], ConversionOptions], dict[str, Any]]
"""Turns one raw record (already checked to have a key) into its entity's properties, identity aside."""

_UNLIMITED_TYPES = frozenset({int, float, bool, type(None)})
"""Types of the values :func:`limit_length` leaves as they are."""

Linker = Callable[[dict[str, Any], str], Iterable[Link]]
"""The links one raw record implies, given the record and its entity's ``_key``."""


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
    :param enrichments: the record's keys that other API calls added to the listed item; ``_rawData``
        gives each its own entry, so the ``default`` entry is the item as listed.
    :param linker: the links a record implies (none when ``None``).
    """

    resource: str
    type: str
    classes: tuple[str, ...]
    key: KeyRule
    converter: Converter
    listed_by: str
    regional: bool
    enrichments: tuple[str, ...] = ()
    linker: Linker | None = None

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
        for name, value in properties.items():  # only what limit_length would change: this loop is hot
            kind = type(value)
            if kind is str:
                if len(value) > MAX_VALUE_LENGTH:
                    entity[name] = limit_length(value)
            elif kind not in _UNLIMITED_TYPES and (kind is not list or not _short_texts(value)):
                entity[name] = limit_length(value)  # a list to cut, or a subclass of str or list
        if options.tag_with_account_name:
            # after the record's own tags: the configured name wins over a tag called "AccountName"
            entity["tag.AccountName"] = limit_length(options.account_name)
        if options.include_raw_data:
            entity["_rawData"] = self.raw_data(record)
        return entity

    def raw_data(self, record: dict[str, Any]) -> list[dict[str, Any]]:
        """The ``_rawData`` of ``record``: the listed item as ``default``, then each enrichment present by its key."""
        if not self.enrichments:
            return [{"name": "default", "rawData": record}]
        listed = {name: value for name, value in record.items() if name not in self.enrichments}
        return [
            {"name": "default", "rawData": listed},
            *({"name": name, "rawData": record[name]} for name in self.enrichments if record.get(name) is not None),
        ]

    def to_entities(
        self, records: Iterable[Any], options: ConversionOptions, *, region: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """The entities of one listing's records, in order; stops at the first malformed record."""
        for position, record in enumerate(records):
            yield self.to_entity(record, options, region=region, position=position)

    def links(
        self, record: dict[str, Any], key: str, *, region: str | None = None, position: int = 0
    ) -> Iterator[Link]:
        """The links ``record`` implies, each once; ``key`` is its entity's ``_key``.

        Each has that entity at one end; :meth:`Link.other_end` tells the type and key of the other,
        which is of a type before this one in :data:`RESOURCE_TYPES`.

        :raises MalformedRecordError: an item the record lists to link to has no usable key.
        """
        if self.linker is None:
            return
        try:
            found = dict.fromkeys(self.linker(record, key))
        except (TypeError, ValueError, AttributeError) as error:
            raise MalformedRecordError(
                f"{self.type} record {key} lists an entity it cannot link to: {error}", region=region, position=position
            ) from error
        yield from found


ACCOUNT = ResourceType(
    resource="Account",
    type="alibaba_cloud_account",
    classes=("Account",),
    key=account.KEY,
    converter=account.convert,
    listed_by="alibaba_jupiterone.hooks.alibaba_ram.AlibabaRamHook.get_account",
    regional=False,
)

RAM_POLICY = ResourceType(
    resource="RAM Policy",
    type="alibaba_cloud_ram_policy",
    classes=("Policy",),
    key=ram_policy.KEY,
    converter=ram_policy.convert,
    listed_by="alibaba_jupiterone.hooks.alibaba_ram.AlibabaRamHook.read_directory",
    regional=False,
    enrichments=ram_policy.ENRICHMENTS,
)

RAM_USER = ResourceType(
    resource="RAM User",
    type="alibaba_cloud_ram_user",
    classes=("User",),
    key=ram_user.KEY,
    converter=ram_user.convert,
    listed_by="alibaba_jupiterone.hooks.alibaba_ram.AlibabaRamHook.read_directory",
    regional=False,
    enrichments=ram_user.ENRICHMENTS,
    linker=ram_user.links,
)

RAM_GROUP = ResourceType(
    resource="RAM Group",
    type="alibaba_cloud_ram_group",
    classes=("UserGroup",),
    key=ram_group.KEY,
    converter=ram_group.convert,
    listed_by="alibaba_jupiterone.hooks.alibaba_ram.AlibabaRamHook.read_directory",
    regional=False,
    enrichments=ram_group.ENRICHMENTS,
    linker=ram_group.links,
)

RAM_ROLE = ResourceType(
    resource="RAM Role",
    type="alibaba_cloud_ram_role",
    classes=("AccessRole",),
    key=ram_role.KEY,
    converter=ram_role.convert,
    listed_by="alibaba_jupiterone.hooks.alibaba_ram.AlibabaRamHook.read_directory",
    regional=False,
    enrichments=ram_role.ENRICHMENTS,
    linker=ram_role.links,
)

VPC = ResourceType(
    resource="VPC",
    type="alibaba_cloud_vpc",
    classes=("Network",),
    key=vpc.KEY,
    converter=vpc.convert,
    listed_by="alibaba_jupiterone.hooks.alibaba_vpc.AlibabaVpcHook.iter_vpcs",
    regional=True,
)

ECS_INSTANCE = ResourceType(
    resource="ECS Instance",
    type="alibaba_cloud_ecs_instance",
    classes=("Host",),
    key=ecs_instance.KEY,
    converter=ecs_instance.convert,
    listed_by="alibaba_jupiterone.hooks.alibaba_ecs.AlibabaEcsHook.iter_instances",
    regional=True,
    linker=ecs_instance.links,
)

RESOURCE_TYPES: tuple[ResourceType, ...] = (ACCOUNT, RAM_POLICY, RAM_USER, RAM_GROUP, RAM_ROLE, VPC, ECS_INSTANCE)
"""Every resource type, each after the types its links point to (so convert them in this order to know,
when a link comes, whether its other end was synced), in the order of the docs' data model table."""


def resource_type(type_name: str) -> ResourceType:
    """The registered resource type whose ``_type`` is ``type_name``; ``KeyError`` naming the known ones."""
    for candidate in RESOURCE_TYPES:
        if candidate.type == type_name:
            return candidate
    raise KeyError(f"no resource type {type_name!r}; known: {', '.join(t.type for t in RESOURCE_TYPES)}")


def _short_texts(values: list[Any]) -> bool:
    """Whether ``values`` holds strings only, none longer than JupiterOne keeps (then nothing is cut)."""
    for value in values:  # noqa: SIM110 - a loop, not all() over a generator: this runs for every list of every entity
        if type(value) is not str or len(value) > MAX_VALUE_LENGTH:
            return False
    return True
