"""Raw cloud records -> JupiterOne graph objects: pure conversion, no Airflow and no network.

Convert one listing with its resource type, check the entities against the data model, and make the
relationships its records imply::

    from alibaba_jupiterone.graph import VPC, ConversionOptions, validate_entity, validate_relationship

    options = ConversionOptions(observed_on=1_700_000_000_000, account_name="prod", tag_with_account_name=True)
    for position, record in enumerate(hook.iter_vpcs(region)):
        entity = VPC.to_entity(record, options, region=region, position=position)
        validate_entity(entity)
        for link in VPC.links(record, entity["_key"], region=region, position=position):
            relationship = link.to_relationship()
            validate_relationship(relationship)

Convert the types in the order of :data:`RESOURCE_TYPES`: every link points to a type that comes
before its own, whose synced keys then tell whether the other end (:meth:`Link.other_end`) exists.
"""

from __future__ import annotations

from alibaba_jupiterone.graph.keys import KeyRule
from alibaba_jupiterone.graph.options import ConversionOptions
from alibaba_jupiterone.graph.registry import (
    ACCOUNT,
    ECS_INSTANCE,
    RAM_GROUP,
    RAM_POLICY,
    RAM_ROLE,
    RAM_USER,
    RESOURCE_TYPES,
    VPC,
    ResourceType,
    resource_type,
)
from alibaba_jupiterone.graph.relationships import (
    RELATIONSHIP_TYPES,
    Link,
    RelationshipType,
    account_link,
    relationship_type,
    relationship_types_touching,
)
from alibaba_jupiterone.graph.validation import DATA_MODEL_VERSION, DataModel, validate_entity, validate_relationship

__all__ = [
    "ACCOUNT",
    "DATA_MODEL_VERSION",
    "ECS_INSTANCE",
    "RAM_GROUP",
    "RAM_POLICY",
    "RAM_ROLE",
    "RAM_USER",
    "RELATIONSHIP_TYPES",
    "RESOURCE_TYPES",
    "VPC",
    "ConversionOptions",
    "DataModel",
    "KeyRule",
    "Link",
    "RelationshipType",
    "ResourceType",
    "account_link",
    "relationship_type",
    "relationship_types_touching",
    "resource_type",
    "validate_entity",
    "validate_relationship",
]
