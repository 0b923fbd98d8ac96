"""Skip a run whose sync is already superseded by a newer one."""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import BaseOperator, Variable
from airflow.sdk.exceptions import AirflowSkipException

from alibaba_jupiterone.operators.templated import as_bool
from alibaba_jupiterone.pipeline.supersession import record_key, superseded_by, sync_record


class SupersededSyncGateOperator(BaseOperator):
    """Let the run sync, or skip it (and so its downstream tasks) when a newer sync already finished.

    A scheduled or backfill run is skipped when the last successful sync of the same JupiterOne
    target (recorded by the publish operator or the one-task sync operator, in an Airflow Variable:
    see :func:`record_sync`) finished after the run's data interval ended; the skip names that sync.
    Manual runs and forced runs always sync. Pushes nothing to XCom.

    :param integration_instance_id: the JupiterOne integration instance synced (or ``scope``).
    :param scope: the JupiterOne scope synced (or ``integration_instance_id``).
    :param force: always sync (templated: ``"{{ params.force }}"``).
    """

    template_fields = ("integration_instance_id", "scope", "force")

    def __init__(
        self,
        *,
        integration_instance_id: str | None = None,
        scope: str | None = None,
        force: bool | str = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.integration_instance_id = integration_instance_id
        self.scope = scope
        self.force = force

    def execute(self, context: Any) -> None:
        key = record_key(integration_instance_id=self.integration_instance_id, scope=self.scope)
        last_sync = Variable.get(key, default=None, deserialize_json=True)
        dag_run = context["dag_run"]
        interval_end = context.get("data_interval_end")
        newer = superseded_by(
            last_sync, interval_end=interval_end, run_type=dag_run.run_type, force=as_bool(self.force, "force")
        )
        if newer is not None:
            raise AirflowSkipException(
                f"Superseded: run {newer['run_id']} of {newer['dag_id']} synced this target at "
                f"{newer['finished_at']}, after this run's interval ended ({interval_end}); nothing to do."
            )
        self.log.info("Syncing (%s run, last sync: %s)", dag_run.run_type, last_sync or "none recorded")


def record_sync(*, dag_id: str, run_id: str, integration_instance_id: str | None, scope: str | None) -> None:
    """Record that run ``run_id`` of ``dag_id`` synced its target now, for :class:`SupersededSyncGateOperator`."""
    key = record_key(integration_instance_id=integration_instance_id, scope=scope)
    record = sync_record(finished_at=pendulum.now("UTC"), dag_id=dag_id, run_id=run_id)
    Variable.set(key, record, serialize_json=True)
