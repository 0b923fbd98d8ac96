"""The region list the ECS sandbox answers DescribeRegions with."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files


def default_regions(count: int | None = None) -> list[dict]:
    """Return DescribeRegions items (``RegionId``, ``LocalName``, ``RegionEndpoint``).

    The real list comes first (as a real account sees it); a ``count`` beyond it is filled with
    made-up regions of the same shape. ``None`` means the real list.
    """
    real = [dict(region) for region in _real_regions()]
    if count is None:
        return real
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    extra = [_made_up_region(number) for number in range(1, count - len(real) + 1)]
    return real[:count] + extra


@cache
def _real_regions() -> tuple[dict, ...]:
    """The 29 regions a real account lists, shipped as package data."""
    text = (files(__package__) / "data" / "regions.json").read_text(encoding="utf-8")
    return tuple(json.loads(text))


def _made_up_region(number: int) -> dict:
    region_id = f"sandbox-extra-{number}"
    return {"RegionId": region_id, "LocalName": f"沙箱扩展{number}", "RegionEndpoint": f"ecs.{region_id}.aliyuncs.com"}
