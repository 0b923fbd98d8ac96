"""The VPC actions the sandbox serves: its own DescribeRegions, DescribeVpcs and DescribeVpcAttribute."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from alibaba_jupiterone.sandbox.alibaba.calls import Call, Handler
from alibaba_jupiterone.sandbox.alibaba.errors import GatewayError
from alibaba_jupiterone.sandbox.alibaba.params import flag, number_page, required

if TYPE_CHECKING:
    from alibaba_jupiterone.sandbox.alibaba.world import World

API_VERSION = "2016-04-28"
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 50
MAX_VPC_IDS = 20


def describe_regions(world: World, call: Call) -> dict:
    """The VPC product's regions, whatever ``AcceptLanguage`` or ``ProductType`` say."""
    return {"Regions": {"Region": world.network.regions}}


def describe_vpcs(world: World, call: Call) -> dict:
    """One page (``PageNumber``/``PageSize``, at most 50) of the region's VPCs that pass the filters."""
    params = call.params
    region_id = _region(world, params)
    number, size = number_page(params, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    keep = _vpc_filter(params)
    _dry_run(params)
    matched = [item for item in world.network.view(region_id) if keep(item)]
    offset = (number - 1) * size
    return {
        "TotalCount": len(matched),
        "PageNumber": number,
        "PageSize": size,
        "Vpcs": {"Vpc": matched[offset : offset + size]},
    }


def describe_vpc_attribute(world: World, call: Call) -> dict:
    """The whole attribute answer of one VPC of the region, fields the SDK model drops included."""
    params = call.params
    region_id = _region(world, params)
    vpc_id = required(params, "VpcId")
    _dry_run(params)
    attribute = world.network.attribute(region_id, vpc_id)
    if attribute is None:
        raise GatewayError.not_found("InvalidVpcId.NotFound", vpc_id)
    return attribute


def _region(world: World, params: Mapping[str, str]) -> str:
    region_id = required(params, "RegionId")
    if not world.network.has_region(region_id):
        raise GatewayError("InvalidRegionId.NotFound")
    return region_id


def _dry_run(params: Mapping[str, str]) -> None:
    # a denied caller never gets here: the gateway answers Forbidden.RAM first
    if flag(params, "DryRun"):
        raise GatewayError("DryRunOperation")


def _vpc_filter(params: Mapping[str, str]) -> Callable[[Mapping[str, Any]], bool]:
    """``VpcId`` (comma-separated, up to 20), ``VpcName``, ``IsDefault`` and ``ResourceGroupId``."""
    checks: list[Callable[[Mapping[str, Any]], bool]] = []
    if params.get("VpcId"):
        vpc_ids = {vpc_id.strip() for vpc_id in params["VpcId"].split(",") if vpc_id.strip()}
        if len(vpc_ids) > MAX_VPC_IDS:
            raise GatewayError.invalid_parameter("VpcId")
        checks.append(lambda item: item.get("VpcId") in vpc_ids)
    if params.get("VpcName"):
        checks.append(lambda item: item.get("VpcName") == params["VpcName"])
    if params.get("IsDefault"):
        is_default = flag(params, "IsDefault")
        checks.append(lambda item: item.get("IsDefault") is is_default)
    if params.get("ResourceGroupId"):
        checks.append(lambda item: item.get("ResourceGroupId") == params["ResourceGroupId"])
    return lambda item: all(check(item) for check in checks)


ACTIONS: dict[str, Handler] = {
    "DescribeRegions": describe_regions,
    "DescribeVpcs": describe_vpcs,
    "DescribeVpcAttribute": describe_vpc_attribute,
}
