"""When a run's sync is superseded: a sync of the same target finished after the run's interval ended.

A sync is a snapshot of the account as it is now, so an older interval gains nothing from running
after a newer sync: a backfill over many past intervals costs at most one sync.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

RECORD_PREFIX = "alibaba_jupiterone.last_sync"


def record_key(*, integration_instance_id: str | None = None, scope: str | None = None) -> str:
    """The name under which the last successful sync of a JupiterOne target is recorded."""
    if (integration_instance_id is None) == (scope is None):
        raise ValueError("exactly one of integration_instance_id and scope names a sync target")
    target = f"instance.{integration_instance_id}" if integration_instance_id is not None else f"scope.{scope}"
    return f"{RECORD_PREFIX}.{target}"


def sync_record(*, finished_at: datetime, dag_id: str, run_id: str) -> dict[str, Any]:
    """What is recorded of a successful sync."""
    return {"finished_at": finished_at.isoformat(), "dag_id": dag_id, "run_id": run_id}


def superseded_by(
    last_sync: dict[str, Any] | None, *, interval_end: datetime | None, run_type: str, force: bool
) -> dict[str, Any] | None:
    """The recorded sync that makes this run's sync pointless, or ``None`` when the run must sync.

    Manual runs and forced runs always sync; so does a run with no interval or no recorded sync.
    """
    if force or run_type == "manual" or interval_end is None or not last_sync:
        return None
    finished_at = datetime.fromisoformat(last_sync["finished_at"])
    return last_sync if finished_at > interval_end else None
