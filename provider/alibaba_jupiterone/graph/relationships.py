"""The relationships between the provider's entities: their types, and the links records imply.

A record's converter knows the keys of the entities it points to (a group lists its members, an
instance names its VPC), so each resource type yields :class:`Link`\\ s beside its entity (see
``ResourceType.links``). A link always has the record's own entity at one end; whether the entity at
the other end exists is for the caller to check, against the entities it synced of the type
:meth:`Link.other_end` names. The account is linked to everything else by :func:`account_link`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

ACCOUNT_TYPE = "alibaba_cloud_account"
"""The ``_type`` of the account entity, at the start of every account ``HAS`` relationship."""


@dataclass(frozen=True)
class RelationshipType:
    """One kind of relationship: ``source`` entities ``relationship_class`` ``target`` entities.

    :param type: the relationships' ``_type``.
    :param relationship_class: their ``_class`` (upper case, as JupiterOne writes it).
    :param source: the ``_type`` of the entities they start from.
    :param target: the ``_type`` of the entities they point to.
    """

    type: str
    relationship_class: Literal["HAS", "ASSIGNED"]
    source: str
    target: str

    def __post_init__(self) -> None:
        if not self.relationship_class.isupper():
            raise ValueError(f"relationship class {self.relationship_class!r} of {self.type} is not upper case")

    def relationship(self, from_key: str, to_key: str) -> dict[str, Any]:
        """The relationship of this type from the entity keyed ``from_key`` to the one keyed ``to_key``."""
        return {
            "_key": f"{from_key}|{self.relationship_class.lower()}|{to_key}",
            "_type": self.type,
            "_class": self.relationship_class,
            "_fromEntityKey": from_key,
            "_toEntityKey": to_key,
            "displayName": self.relationship_class,
        }


@dataclass(frozen=True)
class Link:
    """A relationship a record implies: its type and the keys of the entities at both ends."""

    relationship: RelationshipType
    from_key: str
    to_key: str

    def other_end(self, own_type: str) -> tuple[str, str]:
        """``(_type, _key)`` of the end that is not the entity of type ``own_type`` (whose record made the link)."""
        if own_type == self.relationship.source:
            return self.relationship.target, self.to_key
        if own_type == self.relationship.target:
            return self.relationship.source, self.from_key
        raise ValueError(f"{self.relationship.type} has no {own_type} end")

    def to_relationship(self) -> dict[str, Any]:
        """The relationship itself, as JupiterOne takes it."""
        return self.relationship.relationship(self.from_key, self.to_key)


VPC_HAS_ECS_INSTANCE = RelationshipType(
    "alibaba_cloud_vpc_has_ecs_instance", "HAS", "alibaba_cloud_vpc", "alibaba_cloud_ecs_instance"
)
RAM_GROUP_HAS_USER = RelationshipType(
    "alibaba_cloud_ram_group_has_user", "HAS", "alibaba_cloud_ram_group", "alibaba_cloud_ram_user"
)
RAM_POLICY_ASSIGNED_USER = RelationshipType(
    "alibaba_cloud_ram_policy_assigned_user", "ASSIGNED", "alibaba_cloud_ram_policy", "alibaba_cloud_ram_user"
)
RAM_POLICY_ASSIGNED_GROUP = RelationshipType(
    "alibaba_cloud_ram_policy_assigned_group", "ASSIGNED", "alibaba_cloud_ram_policy", "alibaba_cloud_ram_group"
)
RAM_POLICY_ASSIGNED_ROLE = RelationshipType(
    "alibaba_cloud_ram_policy_assigned_role", "ASSIGNED", "alibaba_cloud_ram_policy", "alibaba_cloud_ram_role"
)

ACCOUNT_HAS: dict[str, RelationshipType] = {
    target: RelationshipType(f"{ACCOUNT_TYPE}_has_{target.removeprefix('alibaba_cloud_')}", "HAS", ACCOUNT_TYPE, target)
    for target in (
        "alibaba_cloud_ram_policy",
        "alibaba_cloud_ram_user",
        "alibaba_cloud_ram_group",
        "alibaba_cloud_ram_role",
        "alibaba_cloud_vpc",
        "alibaba_cloud_ecs_instance",
    )
}
"""The account ``HAS`` relationship type of each other entity ``_type``."""

RELATIONSHIP_TYPES: tuple[RelationshipType, ...] = (
    VPC_HAS_ECS_INSTANCE,
    RAM_GROUP_HAS_USER,
    RAM_POLICY_ASSIGNED_USER,
    RAM_POLICY_ASSIGNED_GROUP,
    RAM_POLICY_ASSIGNED_ROLE,
    *ACCOUNT_HAS.values(),
)
"""Every relationship type, in the order of the docs' relationships table."""


def relationship_type(type_name: str) -> RelationshipType:
    """The relationship type whose ``_type`` is ``type_name``; ``KeyError`` naming the known ones."""
    for candidate in RELATIONSHIP_TYPES:
        if candidate.type == type_name:
            return candidate
    raise KeyError(f"no relationship type {type_name!r}; known: {', '.join(t.type for t in RELATIONSHIP_TYPES)}")


def account_link(account_key: str, entity_type: str, entity_key: str) -> Link:
    """The account keyed ``account_key`` ``HAS`` the entity of ``entity_type`` keyed ``entity_key``.

    :raises KeyError: ``entity_type`` is not a type the account has (the account itself, or unknown).
    """
    try:
        relationship = ACCOUNT_HAS[entity_type]
    except KeyError:
        raise KeyError(f"the account has no {entity_type!r} entities; known: {', '.join(ACCOUNT_HAS)}") from None
    return Link(relationship, account_key, entity_key)


def relationship_types_touching(types: Iterable[str]) -> set[str]:
    """The ``_type`` of every relationship type with one of the entity ``types`` at either end.

    When a listing fails, these go to ``partialDatasets`` with the entity types, so that JupiterOne
    deletes none of the relationships it holds of them.
    """
    wanted = set(types)
    return {kind.type for kind in RELATIONSHIP_TYPES if kind.source in wanted or kind.target in wanted}
