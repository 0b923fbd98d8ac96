"""VPC regions, the VPCs of each and their attributes: thread-safe state read as snapshots."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from alibaba_jupiterone.sandbox.alibaba.snapshots import json_copy

# the DescribeVpcs item fields DescribeVpcAttribute answers too (CenStatus, NatGatewayIds,
# RouterTableIds and AdvancedResource are DescribeVpcs-only in real answers)
_SHARED_FIELDS = (
    "CidrBlock",
    "CreationTime",
    "Description",
    "DhcpOptionsSetId",
    "DhcpOptionsSetStatus",
    "DnsHostnameStatus",
    "EnabledIpv6",
    "Ipv6CidrBlock",
    "Ipv6CidrBlocks",
    "IsDefault",
    "NetworkAclNum",
    "OwnerId",
    "RegionId",
    "ResourceGroupId",
    "SecondaryCidrBlocks",
    "Status",
    "Tags",
    "UserCidrs",
    "VRouterId",
    "VSwitchIds",
    "VpcId",
    "VpcName",
)


def derive_attribute(item: Mapping[str, Any]) -> dict:
    """The DescribeVpcAttribute answer (without ``RequestId``) a real VPC with this DescribeVpcs item gives.

    Shared fields are copied; ``CloudResources`` counts its NAT gateways, vSwitches, vRouter and
    route tables (zero counts left out, as real answers do); no IPv4 gateway, no ClassicLink.
    """
    attribute = {key: json_copy(item[key]) for key in _SHARED_FIELDS if key in item}
    counts = {
        "NatGateway": len(_listed(item, "NatGatewayIds", "NatGatewayIds")),
        "VSwitch": len(_listed(item, "VSwitchIds", "VSwitchId")),
        "VRouter": 1 if item.get("VRouterId") else 0,
        "RouteTable": len(_listed(item, "RouterTableIds", "RouterTableIds")),
    }
    resources = [{"ResourceCount": count, "ResourceType": kind} for kind, count in counts.items() if count]
    return {
        **attribute,
        "ClassicLinkEnabled": False,
        "CloudResources": {"CloudResourceSetType": resources},
        "SupportIpv4Gateway": False,
        "Ipv4GatewayId": "",
    }


def _listed(item: Mapping[str, Any], wrapper: str, key: str) -> list:
    value = item.get(wrapper)
    return list(value.get(key) or []) if isinstance(value, Mapping) else []


class Network:
    """The VPC product's regions, the DescribeVpcs items of each region, and explicit attribute answers.

    A VPC without an explicit attribute answer gets :func:`derive_attribute` of its item. Item
    lists are replaced, never changed in place, so a snapshot stays valid without copying.
    """

    def __init__(
        self,
        regions: Iterable[Mapping[str, Any]],
        vpcs: Mapping[str, Iterable[Mapping[str, Any]]],
        attributes: Mapping[str, Mapping[str, Any]],
    ) -> None:
        self.regions: list[dict] = json_copy(list(regions))
        region_ids = [region["RegionId"] for region in self.regions]
        if len(set(region_ids)) != len(region_ids):
            raise ValueError("duplicate RegionId in the VPC regions")
        self._vpcs: dict[str, tuple[dict, ...]] = dict.fromkeys(region_ids, ())
        self._attributes: dict[str, dict] = {}
        self._lock = threading.Lock()
        for region_id, items in vpcs.items():
            self.add(region_id, items)
        self.set_attributes(attributes)

    @property
    def region_ids(self) -> list[str]:
        """Region ids in DescribeRegions order."""
        return list(self._vpcs)

    def has_region(self, region_id: str) -> bool:
        """Whether ``region_id`` is one of the VPC product's regions."""
        return region_id in self._vpcs

    def view(self, region_id: str) -> tuple[dict, ...]:
        """The DescribeVpcs items of ``region_id`` (not to be modified)."""
        with self._lock:
            return self._vpcs[self._known(region_id)]

    def attribute(self, region_id: str, vpc_id: str) -> dict | None:
        """The DescribeVpcAttribute answer of ``vpc_id`` if it is a VPC of ``region_id`` (not to be modified)."""
        with self._lock:
            item = next((item for item in self._vpcs[self._known(region_id)] if item["VpcId"] == vpc_id), None)
            if item is None:
                return None
            return self._attributes.get(vpc_id) or derive_attribute(item)

    def vpc_ids(self) -> list[str]:
        """Every VPC id, region by region."""
        with self._lock:
            return [item["VpcId"] for items in self._vpcs.values() for item in items]

    def add(self, region_id: str, items: Iterable[Mapping[str, Any]]) -> None:
        """Append copies of DescribeVpcs ``items`` to ``region_id``; ``ValueError`` for a missing or known VpcId."""
        new = tuple(json_copy(list(items)))
        with self._lock:
            self._known(region_id)
            known = {item["VpcId"] for items in self._vpcs.values() for item in items}
            for item in new:
                vpc_id = item.get("VpcId") if isinstance(item, dict) else None
                if not vpc_id:
                    raise ValueError(f"a VPC of {region_id} has no VpcId: {item!r:.200}")
                if vpc_id in known:
                    raise ValueError(f"VPC {vpc_id} is given twice")
                known.add(vpc_id)
            self._vpcs[region_id] += new

    def set_attributes(self, attributes: Mapping[str, Mapping[str, Any]]) -> None:
        """Serve these DescribeVpcAttribute answers (by VpcId, copied); ``KeyError`` for an unknown VPC."""
        new = json_copy(dict(attributes))
        with self._lock:
            known = {item["VpcId"] for items in self._vpcs.values() for item in items}
            unknown = set(new) - known
            if unknown:
                raise KeyError(f"attributes of unknown VPCs: {sorted(unknown)}")
            for attribute in new.values():
                attribute.pop("RequestId", None)
            self._attributes.update(new)

    def remove(self, vpc_ids: Iterable[str]) -> None:
        """Remove the VPCs with these ids, wherever they are; ``KeyError`` if one is unknown."""
        doomed = set(vpc_ids)
        with self._lock:
            unknown = doomed.difference(item["VpcId"] for items in self._vpcs.values() for item in items)
            if unknown:
                raise KeyError(f"unknown VPC ids: {sorted(unknown)}")
            for region_id, items in self._vpcs.items():
                self._vpcs[region_id] = tuple(item for item in items if item["VpcId"] not in doomed)
            for vpc_id in doomed:
                self._attributes.pop(vpc_id, None)

    def _known(self, region_id: str) -> str:
        if region_id not in self._vpcs:
            raise KeyError(f"unknown VPC region {region_id!r}")
        return region_id
