"""The real DAG through real Airflow (``dag.test()`` on a migrated SQLite database) against both sandboxes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from airflow.models.variable import Variable

from alibaba_jupiterone.pipeline.supersession import record_key
from alibaba_jupiterone.sandbox import Fault

DAGS_FOLDER = Path(__file__).resolve().parents[2] / "dags"
ACCOUNT = "Sandbox Account"
DAG_ID = "alibaba_cloud_jupiterone_sandbox_account"
SCOPE = "alibaba-cloud-sandbox"
FAST_RETRY = {"max_attempts": 2, "initial_delay": 0.01, "max_delay": 0.02}


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Migrate the metadata database of the tests' Airflow home once."""
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True, env=os.environ.copy()
    )


@pytest.fixture
def sync_dag(airflow_db, monkeypatch, tmp_path, ecs_sandbox_factory, jupiterone_sandbox):
    """Set up an account config and both connections, and give the account's DAG as Airflow loads it."""
    ecs = ecs_sandbox_factory("synthetic", 600, region_count=3, seed=21)

    def load(**account):
        config = tmp_path / "accounts.yaml"
        config.write_text(yaml.safe_dump({"accounts": [{"account_name": ACCOUNT, "scope": SCOPE, **account}]}))
        monkeypatch.setenv("ALIBABA_JUPITERONE_CONFIG", str(config))
        monkeypatch.setenv("AIRFLOW_CONN_ALIBABACLOUD_DEFAULT", ecs.connection_json(retry=FAST_RETRY))
        monkeypatch.setenv("AIRFLOW_CONN_JUPITERONE_DEFAULT", jupiterone_sandbox.connection_json())
        from airflow.dag_processing.dagbag import DagBag

        bag = DagBag(dag_folder=str(DAGS_FOLDER))
        assert bag.import_errors == {}
        return bag.get_dag(DAG_ID)

    load.ecs = ecs
    return load


def states(dag_run) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}


def keys(entities: list[dict]) -> set[str]:
    return {entity["_key"] for entity in entities}


def fleet_ids(ecs, regions=None) -> set[str]:
    return {i["InstanceId"] for region in regions or ecs.region_ids for i in ecs.instances(region)}


def test_a_full_sync_lands_every_instance(sync_dag, jupiterone_sandbox):
    dag = sync_dag(tag_with_account_name=True)

    run = dag.test()

    assert states(run) == dict.fromkeys(("gate", "fetch", "transform", "publish"), "success")
    stored = jupiterone_sandbox.entities(scope=SCOPE)
    assert keys(stored) == fleet_ids(sync_dag.ecs)
    assert {entity["tag.AccountName"] for entity in stored} == {ACCOUNT}
    (job,) = jupiterone_sandbox.jobs()
    assert (job["status"], job["numEntitiesCreated"]) == ("FINISHED", 600)
    recorded = json.loads(Variable.get(record_key(scope=SCOPE)))
    assert (recorded["dag_id"], recorded["run_id"]) == (DAG_ID, run.run_id), "the sync is recorded for the gate"


def test_when_every_region_fails_no_job_is_started(sync_dag, jupiterone_sandbox):
    dag = sync_dag()
    for region in sync_dag.ecs.region_ids:
        sync_dag.ecs.forbid_region(region)

    run = dag.test()

    assert str(run.state) == "failed"
    assert states(run)["fetch"] == "failed"
    assert states(run)["publish"] == "upstream_failed"
    assert jupiterone_sandbox.jobs() == []


def test_instances_terminated_between_runs_are_deleted_and_only_those(sync_dag, jupiterone_sandbox):
    dag = sync_dag()
    dag.test()
    ecs = sync_dag.ecs
    terminated = [i["InstanceId"] for i in ecs.instances(ecs.region_ids[0])[:7]]
    ecs.remove_instances(terminated)

    dag.test()

    second = jupiterone_sandbox.jobs()[-1]
    assert (second["numEntitiesDeleted"], second["numEntitiesCreated"]) == (7, 0)
    assert keys(jupiterone_sandbox.entities(scope=SCOPE)) == fleet_ids(ecs)


@pytest.mark.parametrize("breakage", ["failing", "forbidden"])
def test_a_region_that_fails_keeps_its_entities_and_fails_the_run(sync_dag, jupiterone_sandbox, breakage):
    dag = sync_dag()
    dag.test()
    ecs = sync_dag.ecs
    broken, elsewhere = [region for region in ecs.region_ids if ecs.instances(region)][:2]
    gone = [ecs.instances(broken)[0]["InstanceId"], ecs.instances(elsewhere)[0]["InstanceId"]]
    ecs.remove_instances(gone)
    launched = {**ecs.instances(elsewhere)[0], "InstanceId": "i-launchedbetweenruns01"}
    ecs.add_instances(elsewhere, [launched])
    if breakage == "failing":
        ecs.inject(Fault("error", region=broken, action="DescribeInstances", code="InternalError"))
    else:
        ecs.forbid_region(broken)
    before = keys(jupiterone_sandbox.entities(scope=SCOPE))

    run = dag.test()

    assert str(run.state) == "failed"
    assert states(run)["publish"] == "failed"
    second = jupiterone_sandbox.jobs()[-1]
    # partial types are per _type: no ECS instance is deleted anywhere while one region is missing
    assert (second["status"], second["numEntitiesCreated"], second["numEntitiesDeleted"]) == ("FINISHED", 1, 0)
    assert keys(jupiterone_sandbox.entities(scope=SCOPE)) == before | {launched["InstanceId"]}


def test_dry_run_publishes_nothing(sync_dag, jupiterone_sandbox):
    dag = sync_dag()

    run = dag.test(run_conf={"dry_run": True})

    assert states(run)["publish"] == "success"
    assert jupiterone_sandbox.requests == []
    (written,) = Path(os.environ["AIRFLOW_HOME"], "alibaba_jupiterone", "dry-runs", DAG_ID).glob(
        f"{run.run_id.replace(':', '_').replace('+', '_')}.jsonl"
    )
    entities = [json.loads(line) for line in written.read_text().splitlines()]
    assert keys(entities) == fleet_ids(sync_dag.ecs)


def test_a_subset_of_regions_from_the_trigger(sync_dag, jupiterone_sandbox):
    dag = sync_dag()
    wanted = [region for region in sync_dag.ecs.region_ids if sync_dag.ecs.instances(region)][:2]

    dag.test(run_conf={"regions": wanted})

    assert keys(jupiterone_sandbox.entities(scope=SCOPE)) == fleet_ids(sync_dag.ecs, wanted)


def test_no_secret_in_any_task_log(sync_dag, jupiterone_sandbox):
    sync_dag()
    ecs_secret = json.loads(os.environ["AIRFLOW_CONN_ALIBABACLOUD_DEFAULT"])["extra"]["access_key_secret"]
    api_key = jupiterone_sandbox.connection_fields()["password"]

    result = subprocess.run(
        [sys.executable, "-m", "airflow", "dags", "test", DAG_ID],
        check=False,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert len(jupiterone_sandbox.entities(scope=SCOPE)) == 600
    logs = [result.stdout, result.stderr]
    logs += [
        path.read_text(errors="replace")
        for path in Path(os.environ["AIRFLOW_HOME"], "logs").rglob("*")
        if path.is_file()
    ]
    for text in logs:
        assert ecs_secret not in text
        assert api_key not in text


def test_batches_travel_through_the_object_storage_xcom_backend(sync_dag, jupiterone_sandbox, tmp_path):
    sync_dag(batch_size=50)
    store = tmp_path / "xcom"
    environment = {
        **os.environ,
        "AIRFLOW__CORE__XCOM_BACKEND": "airflow.providers.common.io.xcom.backend.XComObjectStorageBackend",
        "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH": f"file://{store}",
        "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD": "1000",
    }

    result = subprocess.run(
        [sys.executable, "-m", "airflow", "dags", "test", DAG_ID],
        check=False,
        capture_output=True,
        text=True,
        env=environment,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert keys(jupiterone_sandbox.entities(scope=SCOPE)) == fleet_ids(sync_dag.ecs)
    stored = [path for path in store.rglob("*") if path.is_file()]
    assert len(stored) >= 2 * 600 // 50, "every record and entity batch went to object storage"
