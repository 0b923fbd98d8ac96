"""The ECS actions the sandbox serves: DescribeRegions and DescribeInstances (paging, filters, DryRun)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from alibaba_jupiterone.sandbox.alibaba.calls import Call, Handler
from alibaba_jupiterone.sandbox.alibaba.ecs.filters import instance_filter
from alibaba_jupiterone.sandbox.alibaba.errors import GatewayError
from alibaba_jupiterone.sandbox.alibaba.params import flag, integer, offset_of, page_token, required

if TYPE_CHECKING:
    from alibaba_jupiterone.sandbox.alibaba.world import World

API_VERSION = "2014-05-26"
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100


def describe_regions(world: World, call: Call) -> dict:
    """Every region, whatever ``AcceptLanguage``, ``InstanceChargeType`` or ``ResourceType`` say."""
    return {"Regions": {"Region": world.fleet.regions}}


def describe_instances(world: World, call: Call) -> dict:
    """One page of the region's instances that pass the filters; empty in a forbidden region."""
    params = call.params
    region_id = required(params, "RegionId")
    if not world.fleet.has_region(region_id):
        raise GatewayError("InvalidRegionId.NotFound")
    keep = instance_filter(params)
    offset, size = _page(params, region_id)
    records, forbidden = world.fleet.view(region_id)
    if flag(params, "DryRun"):
        raise GatewayError("Forbidden.RAM" if forbidden else "DryRunOperation")
    if forbidden:
        records = ()
    matched = records if keep is None else [record for record in records if keep(record)]
    end = min(offset + size, len(matched))
    return {
        "TotalCount": len(matched),
        "PageNumber": offset // size + 1,
        "PageSize": size,
        "NextToken": page_token(region_id, end) if end < len(matched) else "",
        "Instances": {"Instance": list(matched[offset:end])},
    }


def _page(params: Mapping[str, str], region_id: str) -> tuple[int, int]:
    """``(offset, size)``: ``MaxResults``/``NextToken`` when either is sent, else ``PageNumber``/``PageSize``."""
    if "MaxResults" in params or "NextToken" in params:
        size = min(max(integer(params, "MaxResults", DEFAULT_PAGE_SIZE), DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
        return offset_of(params.get("NextToken", ""), region_id, "NextToken"), size
    number = integer(params, "PageNumber", 1)
    size = integer(params, "PageSize", DEFAULT_PAGE_SIZE)
    if number < 1:
        raise GatewayError.invalid_parameter("PageNumber")
    if size < 1:
        raise GatewayError.invalid_parameter("PageSize")
    size = min(size, MAX_PAGE_SIZE)
    return (number - 1) * size, size


ACTIONS: dict[str, Handler] = {
    "DescribeRegions": describe_regions,
    "DescribeInstances": describe_instances,
}
