"""What a fetch or transform step hands to the next one: where its batches are, and which regions failed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class RegionBatches:
    """The batches of one region: how many items in all, and the key of each batch."""

    count: int = 0
    keys: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    """The batches one step produced, by region, and the regions it had to leave out.

    It travels as a small JSON dict (:meth:`to_dict`); the batches themselves are stored apart,
    each under its key (in Airflow, one XCom value of the producing task per batch).

    :param producer: who stored the batches (in Airflow, the task id).
    :param resource_type: the ``_type`` of the entities the batches are, or will become.
    :param regions: region -> its batches, for every region that succeeded.
    :param failed: region -> why it was left out.
    """

    producer: str
    resource_type: str
    regions: dict[str, RegionBatches] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """Items in all the batches."""
        return sum(region.count for region in self.regions.values())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        """Read back what :meth:`to_dict` gave."""
        return cls(
            producer=data["producer"],
            resource_type=data["resource_type"],
            regions={region: RegionBatches(**batches) for region, batches in data["regions"].items()},
            failed=dict(data["failed"]),
        )


def batch_key(kind: str, region: str, number: int) -> str:
    """The key a batch is stored under, e.g. ``records.cn-hangzhou.00003``."""
    return f"{kind}.{region}.{number:05d}"
