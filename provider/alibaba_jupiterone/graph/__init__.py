"""Raw cloud records -> JupiterOne graph objects: pure conversion, no Airflow and no network.

Convert one listing with its resource type, then check the entities against the data model::

    from alibaba_jupiterone.graph import ECS_INSTANCE, ConversionOptions, validate_entity

    options = ConversionOptions(observed_on=1_700_000_000_000, account_name="prod", tag_with_account_name=True)
    for entity in ECS_INSTANCE.to_entities(hook.iter_instances(region), options, region=region):
        validate_entity(entity)
"""

from __future__ import annotations

from alibaba_jupiterone.graph.options import ConversionOptions
from alibaba_jupiterone.graph.registry import ECS_INSTANCE, RESOURCE_TYPES, KeyRule, ResourceType, resource_type
from alibaba_jupiterone.graph.validation import DATA_MODEL_VERSION, DataModel, validate_entity

__all__ = [
    "DATA_MODEL_VERSION",
    "ECS_INSTANCE",
    "RESOURCE_TYPES",
    "ConversionOptions",
    "DataModel",
    "KeyRule",
    "ResourceType",
    "resource_type",
    "validate_entity",
]
