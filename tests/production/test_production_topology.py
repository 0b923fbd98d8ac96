"""The DAG in Airflow's production topology, without Docker: PostgreSQL as the metadata database, a real
scheduler, DAG processor and API server with LocalExecutor, both sandboxes. One topology serves a scheduled
run, a run triggered through the REST API and a backfill."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pendulum
from airflow_topology import Production, answers_ok

README = Path(__file__).resolve().parents[2] / "README.md"
SYNC_TASKS = ("gate", "fetch", "transform", "publish")
FINISHED = ("success", "failed")


def test_scheduled_triggered_and_backfilled_runs_in_the_production_topology(production: Production, timings):
    api, dag_id, jupiterone, ecs = production.api, production.account.dag_id, production.jupiterone, production.ecs
    scope = production.account.scope

    production.wait(
        lambda: api.call("GET", f"/dags/{dag_id}", expect=(200, 404)), f"the DAG processor to load {dag_id}"
    )

    # What the health checks of docker-compose.yaml ask, the real components answer.
    assert api.is_healthy()
    production.wait(lambda: answers_ok(production.scheduler_health_url), "the scheduler's health check")
    production.airflow.run("jobs", "check", "--job-type", "DagProcessorJob", "--local")

    # Unpausing makes the latest interval of the account's schedule due at once: the scheduler starts it.
    api.call("PATCH", f"/dags/{dag_id}", json={"is_paused": False})
    (scheduled,) = finished_runs(production, "scheduled", count=1)

    assert scheduled["state"] == "success", production.airflow.log_tail("scheduler")
    logical_date = pendulum.parse(scheduled["logical_date"])
    assert (logical_date.hour, logical_date.minute) == (production.account.hour, 0), "the account's schedule"
    assert task_states(production, scheduled) == dict.fromkeys(SYNC_TASKS, "success")
    assert instance_ids(jupiterone.entities(scope=scope)) == fleet(ecs)
    assert len(jupiterone.jobs()) == 1

    # A triggered run always syncs: instances terminated since the scheduled run leave the graph.
    region = next(region for region in ecs.region_ids if ecs.instances(region))
    terminated = [instance["InstanceId"] for instance in ecs.instances(region)[:5]]
    ecs.remove_instances(terminated)
    triggered_at = time.monotonic()
    run = api.call("POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": None})
    triggered = production.wait(lambda: finished(production, run["dag_run_id"]), "the triggered run to finish")
    timings["triggered run, trigger to success"] = time.monotonic() - triggered_at

    assert (triggered["state"], triggered["run_type"]) == ("success", "manual")
    assert task_states(production, triggered) == dict.fromkeys(SYNC_TASKS, "success")
    assert instance_ids(jupiterone.entities(scope=scope)) == fleet(ecs)
    assert jupiterone.jobs()[-1]["numEntitiesDeleted"] == len(terminated) == 5

    # A backfill of the three days before: both syncs finished after those intervals, so each run is superseded.
    production.airflow.run(
        "backfill",
        "create",
        "--dag-id",
        dag_id,
        "--from-date",
        (logical_date - timedelta(days=3)).isoformat(),
        "--to-date",
        (logical_date - timedelta(days=1)).isoformat(),
    )
    backfilled = finished_runs(production, "backfill", count=3)

    states = [task_states(production, run) for run in backfilled]
    assert sum(tasks["publish"] == "success" for tasks in states) <= 1, "a backfill costs at most one sync"
    assert states == [dict.fromkeys(SYNC_TASKS, "skipped")] * 3, "here none: both syncs are newer"
    assert len(jupiterone.jobs()) == 2
    assert {run["state"] for run in backfilled} == {"success"}
    assert sorted(pendulum.parse(run["logical_date"]) for run in backfilled) == [
        logical_date - timedelta(days=days) for days in (3, 2, 1)
    ]

    # The least-privilege RAM policy of the README allows exactly what the provider called (STS's
    # GetCallerIdentity needs no permission).
    called = {f"{request.product}:{request.action}" for request in ecs.requests}
    assert called - {"sts:GetCallerIdentity"} == readme_ram_policy_actions()
    assert "sts:GetCallerIdentity" in called


def finished_runs(production: Production, run_type: str, *, count: int) -> list[dict]:
    """Wait until the DAG has ``count`` runs of ``run_type`` and all of them have finished."""

    def done() -> list[dict] | None:
        path = f"/dags/{production.account.dag_id}/dagRuns"
        runs = production.api.call("GET", path, params={"run_type": run_type})["dag_runs"]
        return runs if len(runs) == count and all(run["state"] in FINISHED for run in runs) else None

    return production.wait(done, f"{count} finished {run_type} run(s)")


def finished(production: Production, run_id: str) -> dict | None:
    """The run, once it has finished."""
    path = f"/dags/{production.account.dag_id}/dagRuns/{quote(run_id)}"
    run = production.api.call("GET", path)
    return run if run["state"] in FINISHED else None


def task_states(production: Production, run: dict) -> dict[str, str]:
    """Each task's state in the run, by task id."""
    path = f"/dags/{run['dag_id']}/dagRuns/{quote(run['dag_run_id'])}/taskInstances"
    return {ti["task_id"]: ti["state"] for ti in production.api.call("GET", path)["task_instances"]}


def readme_ram_policy_actions() -> set[str]:
    """The actions of the RAM policy in README's "Running in production"."""
    section = README.read_text().split("\n## Running in production\n", 1)[1].split("\n## ", 1)[0]
    policy = json.loads(re.search(r"```json\n(.*?)```", section, re.DOTALL).group(1))
    return {action for statement in policy["Statement"] for action in statement["Action"]}


def instance_ids(entities: list[dict]) -> set[str]:
    return {entity["_key"] for entity in entities if entity["_type"] == "alibaba_cloud_ecs_instance"}


def fleet(ecs) -> set[str]:
    return {instance["InstanceId"] for region in ecs.region_ids for instance in ecs.instances(region)}
