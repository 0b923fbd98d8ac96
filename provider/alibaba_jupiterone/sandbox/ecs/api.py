"""The ECS actions the sandbox serves: DescribeRegions and DescribeInstances (paging, filters, DryRun)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from contextlib import suppress

from alibaba_jupiterone.sandbox.ecs.filters import instance_filter
from alibaba_jupiterone.sandbox.ecs.fleet import Fleet
from alibaba_jupiterone.sandbox.ecs.gateway_errors import GatewayError

API_VERSION = "2014-05-26"
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100


def answer(fleet: Fleet, action: str | None, version: str | None, params: Mapping[str, str]) -> dict:
    """The response body (without ``RequestId``) of ``action``; ``GatewayError`` for an error answer."""
    handler = _ACTIONS.get(action or "") if version == API_VERSION else None
    if handler is None:
        raise GatewayError("InvalidApi.NotFound")
    return handler(fleet, params)


def describe_regions(fleet: Fleet, params: Mapping[str, str]) -> dict:
    """Every region, whatever ``AcceptLanguage``, ``InstanceChargeType`` or ``ResourceType`` say."""
    return {"Regions": {"Region": fleet.regions}}


def describe_instances(fleet: Fleet, params: Mapping[str, str]) -> dict:
    """One page of the region's instances that pass the filters; empty in a forbidden region."""
    region_id = params.get("RegionId")
    if not region_id:
        raise GatewayError("MissingRegionId")
    if not fleet.has_region(region_id):
        raise GatewayError("InvalidRegionId.NotFound")
    keep = instance_filter(params)
    offset, size = _page(params, region_id)
    records, forbidden = fleet.view(region_id)
    if _flag(params, "DryRun"):
        raise GatewayError("Forbidden.RAM" if forbidden else "DryRunOperation")
    if forbidden:
        records = ()
    matched = records if keep is None else [record for record in records if keep(record)]
    end = min(offset + size, len(matched))
    return {
        "TotalCount": len(matched),
        "PageNumber": offset // size + 1,
        "PageSize": size,
        "NextToken": _next_token(region_id, end) if end < len(matched) else "",
        "Instances": {"Instance": list(matched[offset:end])},
    }


def _page(params: Mapping[str, str], region_id: str) -> tuple[int, int]:
    """``(offset, size)``: ``MaxResults``/``NextToken`` when either is sent, else ``PageNumber``/``PageSize``."""
    if "MaxResults" in params or "NextToken" in params:
        size = min(max(_integer(params, "MaxResults", DEFAULT_PAGE_SIZE), DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
        return _offset_of(params.get("NextToken", ""), region_id), size
    number = _integer(params, "PageNumber", 1)
    size = _integer(params, "PageSize", DEFAULT_PAGE_SIZE)
    if number < 1:
        raise GatewayError.invalid_parameter("PageNumber")
    if size < 1:
        raise GatewayError.invalid_parameter("PageSize")
    size = min(size, MAX_PAGE_SIZE)
    return (number - 1) * size, size


def _integer(params: Mapping[str, str], name: str, default: int) -> int:
    if not params.get(name):
        return default
    try:
        return int(params[name])
    except ValueError:
        raise GatewayError.invalid_parameter(name) from None


def _flag(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise GatewayError.invalid_parameter(name)
    return value == "true"


def _next_token(region_id: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{region_id}:{offset}".encode()).decode()


def _offset_of(token: str, region_id: str) -> int:
    """The offset a token of ours stands for (``""`` is the start); ``InvalidParameter`` otherwise."""
    if not token:
        return 0
    with suppress(ValueError):  # bad base64, UTF-8 or number
        token_region, _, offset = base64.urlsafe_b64decode(token).decode().rpartition(":")
        if token_region == region_id and int(offset) >= 0:
            return int(offset)
    raise GatewayError.invalid_parameter("NextToken")


_ACTIONS: dict[str, Callable[[Fleet, Mapping[str, str]], dict]] = {
    "DescribeRegions": describe_regions,
    "DescribeInstances": describe_instances,
}
