"""ECS regions and instances: thread-safe state that request handlers read as snapshots."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from alibaba_jupiterone.sandbox.alibaba.snapshots import json_copy


class Fleet:
    """Regions, the instances of each, and the regions the caller may not read.

    Instance lists are replaced, never changed in place, so a snapshot stays valid without copying.
    """

    def __init__(
        self,
        regions: Iterable[Mapping[str, Any]],
        instances: Mapping[str, Iterable[Mapping[str, Any]]],
        forbidden_regions: Iterable[str],
    ) -> None:
        self.regions: list[dict] = json_copy(list(regions))
        region_ids = [region["RegionId"] for region in self.regions]
        if len(set(region_ids)) != len(region_ids):
            raise ValueError("duplicate RegionId in regions")
        self._instances: dict[str, tuple[dict, ...]] = dict.fromkeys(region_ids, ())
        self._forbidden: set[str] = set()
        self._lock = threading.Lock()
        for region_id, records in instances.items():
            self.add(region_id, records)
        for region_id in forbidden_regions:
            self.forbid(region_id)

    @property
    def region_ids(self) -> list[str]:
        """Region ids in DescribeRegions order."""
        return list(self._instances)

    def view(self, region_id: str) -> tuple[tuple[dict, ...], bool]:
        """The instances of ``region_id`` (not to be modified) and whether the region is forbidden."""
        with self._lock:
            return self._instances[self._known(region_id)], region_id in self._forbidden

    def count(self) -> int:
        """Number of instances over all regions."""
        with self._lock:
            return sum(map(len, self._instances.values()))

    def add(self, region_id: str, records: Iterable[Mapping[str, Any]]) -> None:
        """Append copies of ``records`` to ``region_id``."""
        new = tuple(json_copy(list(records)))
        with self._lock:
            self._instances[self._known(region_id)] += new

    def remove(self, instance_ids: Iterable[str]) -> None:
        """Remove the instances with these ids, wherever they are; ``KeyError`` if one is unknown."""
        doomed = set(instance_ids)
        with self._lock:
            unknown = doomed.difference(r.get("InstanceId") for rs in self._instances.values() for r in rs)
            if unknown:
                raise KeyError(f"unknown instance ids: {sorted(unknown)}")
            for region_id, records in self._instances.items():
                self._instances[region_id] = tuple(r for r in records if r.get("InstanceId") not in doomed)

    def instance_ids_in(self, vpc_ids: Iterable[str]) -> list[str]:
        """Ids of the instances whose ``VpcAttributes.VpcId`` is one of ``vpc_ids``."""
        wanted = set(vpc_ids)
        with self._lock:
            return [
                record["InstanceId"]
                for records in self._instances.values()
                for record in records
                if isinstance(record.get("VpcAttributes"), Mapping) and record["VpcAttributes"].get("VpcId") in wanted
            ]

    def forbid(self, region_id: str) -> None:
        """Make ``region_id`` unreadable: listings come back empty, DryRun answers ``Forbidden.RAM``."""
        with self._lock:
            self._forbidden.add(self._known(region_id))

    def allow(self, region_id: str) -> None:
        """Undo :meth:`forbid`."""
        with self._lock:
            self._forbidden.discard(self._known(region_id))

    def has_region(self, region_id: str) -> bool:
        """Whether ``region_id`` is one of the sandbox's regions."""
        return region_id in self._instances

    def _known(self, region_id: str) -> str:
        if region_id not in self._instances:
            raise KeyError(f"unknown region {region_id!r}")
        return region_id
