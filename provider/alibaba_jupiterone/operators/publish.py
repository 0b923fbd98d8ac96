"""Publish: entities and relationships -> one JupiterOne sync job."""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException

from alibaba_jupiterone.hooks.jupiterone import JupiterOneHook
from alibaba_jupiterone.operators.batches import XComBatches
from alibaba_jupiterone.operators.gate import record_sync
from alibaba_jupiterone.operators.templated import as_bool
from alibaba_jupiterone.pipeline.manifest import Manifest
from alibaba_jupiterone.pipeline.publish import batches, partial_types, publish


class JupiterOnePublishOperator(BaseOperator):
    """Publish the transformed entities and relationships in one JupiterOne sync job (DIFF).

    Starts the job, uploads every entity batch the transform task pushed, then every relationship
    batch, finalizes with the types left out, and every relationship type touching them,
    as partial (so JupiterOne deletes nothing of theirs), waits for the result, logs and returns the
    summary (``job_id``, ``status``, ``entities``, ``relationships``, ``created``, ``updated``,
    ``deleted``, ``relationships_created``, ``relationships_deleted``, ``types``: ``_type`` -> count,
    ``failures``, ``partial_types``, ``dropped``, ``seconds``). A failure before finalize aborts the
    job with the reason. When something was left out the task then fails, without a retry, naming it
    (the summary is pushed under the XCom key ``summary`` first). A fully successful sync is recorded
    for :class:`~alibaba_jupiterone.operators.gate.SupersededSyncGateOperator`.

    With ``dry_run`` nothing is published: the entities and relationships are written to
    ``<dry_run_dir>/<dag_id>/<run_id>.jsonl`` (default ``dry_run_dir``:
    ``$AIRFLOW_HOME/alibaba_jupiterone/dry-runs``) and the summary says where.

    :param transformed: what the transform task returned (its ``output``).
    :param jupiterone_conn_id: the ``jupiterone`` connection.
    :param integration_instance_id: the JupiterOne integration instance to sync (or ``scope``).
    :param scope: the JupiterOne scope to sync (or ``integration_instance_id``).
    :param dry_run: write the entities to a JSON-lines file instead of publishing (templated).
    :param dry_run_dir: where dry runs write their files.
    :param wait_timeout: seconds to wait for JupiterOne to finish the job.
    """

    template_fields = ("transformed", "jupiterone_conn_id", "integration_instance_id", "scope", "dry_run")

    def __init__(
        self,
        *,
        transformed: Any,
        jupiterone_conn_id: str = "jupiterone_default",
        integration_instance_id: str | None = None,
        scope: str | None = None,
        dry_run: bool | str = False,
        dry_run_dir: str | None = None,
        wait_timeout: float = 900.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.transformed = transformed
        self.jupiterone_conn_id = jupiterone_conn_id
        self.integration_instance_id = integration_instance_id
        self.scope = scope
        self.dry_run = dry_run
        self.dry_run_dir = dry_run_dir
        self.wait_timeout = wait_timeout

    def execute(self, context: Any) -> dict:
        transformed = Manifest.from_dict(self.transformed)
        ti = context["ti"]
        load = XComBatches(ti).loader(transformed.producer)

        if as_bool(self.dry_run, "dry_run"):
            summary = self._dry_run(transformed, load, context)
        else:
            summary = publish(
                JupiterOneHook(self.jupiterone_conn_id),
                transformed,
                load=load,
                integration_instance_id=self.integration_instance_id,
                scope=self.scope,
                wait_timeout=self.wait_timeout,
                log=self.log,
            ).to_dict()
            self.log.info("Published: %s", json.dumps(summary))
        if transformed.failures:
            ti.xcom_push(key="summary", value=summary)
            raise AirflowFailException(
                f"{len(transformed.failures)} listing(s) left out, their types kept as they were in JupiterOne: "
                f"{transformed.describe_failures()}"
            )
        if not summary.get("dry_run"):
            record_sync(
                dag_id=self.dag_id,
                run_id=context["run_id"],
                integration_instance_id=self.integration_instance_id,
                scope=self.scope,
            )
        return summary

    def _dry_run(self, transformed: Manifest, load: Any, context: Any) -> dict:
        run_id = re.sub(r"[^A-Za-z0-9._-]+", "_", context["run_id"])
        folder = Path(
            self.dry_run_dir or Path(os.environ.get("AIRFLOW_HOME", "~/airflow"), "alibaba_jupiterone", "dry-runs")
        )
        path = folder.expanduser() / self.dag_id / f"{run_id}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as output:
            for entities in (True, False):
                for batch in batches(transformed, load, entities=entities):
                    output.writelines(json.dumps(item, ensure_ascii=False) + "\n" for item in batch)
        summary = {
            "dry_run": True,
            "path": str(path),
            "types": transformed.counts(),
            "failures": [asdict(failure) for failure in transformed.failures],
            "partial_types": partial_types(transformed.failed_types),
        }
        self.log.info("Dry run, nothing published: %s", json.dumps(summary))
        return summary
