"""What a fetch or transform step hands to the next one: where its batches are, and what it had to leave out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

GLOBAL = "global"
"""The scope of what is listed once per account (the account, RAM), as opposed to a region id."""


@dataclass
class Dataset:
    """The batches of one ``_type`` from one scope (a region id, or :data:`GLOBAL`).

    :param type: the ``_type`` of the entities or relationships the batches are, or will become.
    :param scope: the region whose listing gave them, or :data:`GLOBAL`.
    :param count: items in all the batches.
    :param keys: the key of each batch, in order.
    """

    type: str
    scope: str
    count: int = 0
    keys: list[str] = field(default_factory=list)


@dataclass
class Failure:
    """Something a step had to leave out: which types of which scope, and why.

    JupiterOne must keep what it holds of these types: they are sent as partial datasets.
    """

    types: list[str]
    scope: str
    reason: str

    def describe(self) -> str:
        """One line naming the scope, the types and the reason."""
        return f"{self.scope} ({', '.join(self.types)}): {self.reason}"


@dataclass
class Manifest:
    """The batches one step produced, dataset by dataset, and what it had to leave out.

    It travels as a small JSON dict (:meth:`to_dict`); the batches themselves are stored apart,
    each under its key (in Airflow, one XCom value of the producing task per batch).

    :param producer: who stored the batches (in Airflow, the task id).
    :param datasets: the complete datasets, in the order they were made.
    :param failures: what was left out, and why.
    """

    producer: str
    datasets: list[Dataset] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Items in all the datasets."""
        return sum(dataset.count for dataset in self.datasets)

    @property
    def failed_types(self) -> set[str]:
        """Every ``_type`` some failure left incomplete."""
        return {type_name for failure in self.failures for type_name in failure.types}

    def counts(self) -> dict[str, int]:
        """Items by ``_type``."""
        totals: dict[str, int] = {}
        for dataset in self.datasets:
            totals[dataset.type] = totals.get(dataset.type, 0) + dataset.count
        return totals

    def describe_failures(self) -> str:
        """The failures on one line, ``""`` when there are none."""
        return "; ".join(failure.describe() for failure in self.failures)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        """Read back what :meth:`to_dict` gave."""
        return cls(
            producer=data["producer"],
            datasets=[Dataset(**dataset) for dataset in data["datasets"]],
            failures=[Failure(**failure) for failure in data["failures"]],
        )


def batch_key(kind: str, type_name: str, scope: str, number: int) -> str:
    """The key a batch is stored under, e.g. ``records.alibaba_cloud_vpc.cn-hangzhou.00003``."""
    return f"{kind}.{type_name}.{scope}.{number:05d}"
