"""The region list the VPC product answers its own DescribeRegions with (not ECS's)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files
from typing import Any


def default_vpc_regions() -> list[dict]:
    """The 28 regions a real account's VPC DescribeRegions lists (``RegionId``, ``RegionEndpoint``, ``LocalName``).

    Several regions answer the central endpoint ``vpc.aliyuncs.com``; ECS's ``cn-wuhan-lr`` is absent.
    """
    return [dict(region) for region in _real_regions()]


def vpc_regions_for(regions: Iterable[Mapping[str, Any]]) -> list[dict]:
    """One VPC region per given (ECS) region, in their order: the real VPC entry, else a made-up one."""
    real = {region["RegionId"]: region for region in _real_regions()}
    return [dict(real.get(region["RegionId"]) or made_up_vpc_region(region["RegionId"], region)) for region in regions]


def made_up_vpc_region(region_id: str, like: Mapping[str, Any] | None = None) -> dict:
    """A VPC region entry for a region the real list lacks (its ``LocalName`` taken from ``like`` if any)."""
    local_name = (like or {}).get("LocalName") or region_id
    return {"RegionId": region_id, "RegionEndpoint": f"vpc.{region_id}.aliyuncs.com", "LocalName": local_name}


@cache
def _real_regions() -> tuple[dict, ...]:
    """The list recorded from a real account, shipped as package data."""
    text = (files(__package__) / "data" / "regions.json").read_text(encoding="utf-8")
    return tuple(json.loads(text))
