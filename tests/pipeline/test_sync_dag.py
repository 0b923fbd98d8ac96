"""The real DAG, and the one-task sync, through real Airflow (``dag.test()`` on a migrated SQLite database) against
both sandboxes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from airflow.models.variable import Variable

from alibaba_jupiterone.graph import RELATIONSHIP_TYPES, relationship_types_touching
from alibaba_jupiterone.pipeline.supersession import record_key
from alibaba_jupiterone.sandbox import Fault

DAGS_FOLDER = Path(__file__).resolve().parents[2] / "dags"
ACCOUNT = "Sandbox Account"
DAG_ID = "alibaba_cloud_jupiterone_sandbox_account"
SCOPE = "alibaba-cloud-sandbox"
ACCOUNT_TYPE = "alibaba_cloud_account"
ECS_TYPE = "alibaba_cloud_ecs_instance"
VPC_TYPE = "alibaba_cloud_vpc"
FAST_RETRY = {"max_attempts": 2, "initial_delay": 0.01, "max_delay": 0.02}


@pytest.fixture
def sync_dag(airflow_db, monkeypatch, tmp_path, alibaba_sandbox_factory, jupiterone_sandbox):
    """Set up an account config and both connections, and give the account's DAG as Airflow loads it."""
    cloud = alibaba_sandbox_factory("synthetic", 600, region_count=3, seed=21, users=20, groups=4, roles=6, policies=10)

    def load(**account):
        config = tmp_path / "accounts.yaml"
        config.write_text(yaml.safe_dump({"accounts": [{"account_name": ACCOUNT, "scope": SCOPE, **account}]}))
        monkeypatch.setenv("ALIBABA_JUPITERONE_CONFIG", str(config))
        monkeypatch.setenv("AIRFLOW_CONN_ALIBABACLOUD_DEFAULT", cloud.connection_json(retry=FAST_RETRY))
        monkeypatch.setenv("AIRFLOW_CONN_JUPITERONE_DEFAULT", jupiterone_sandbox.connection_json())
        from airflow.dag_processing.dagbag import DagBag

        bag = DagBag(dag_folder=str(DAGS_FOLDER))
        assert bag.import_errors == {}
        return bag.get_dag(DAG_ID)

    load.cloud = cloud
    return load


def states(dag_run) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}


def stored(jupiterone_sandbox, *types: str) -> set[str]:
    """The keys of the entities and relationships of ``types`` stored in the scope."""
    objects = [*jupiterone_sandbox.entities(scope=SCOPE), *jupiterone_sandbox.relationships(scope=SCOPE)]
    return {item["_key"] for item in objects if item["_type"] in types}


def fleet_ids(cloud, regions=None) -> set[str]:
    return {i["InstanceId"] for region in regions or cloud.region_ids for i in cloud.instances(region)}


def world_keys(cloud) -> dict[str, set[str]]:
    """The entity keys the sandbox's world should give, by ``_type``."""
    ram = cloud.ram
    attached = {a.policy_name for a in ram.attachments}
    return {
        ACCOUNT_TYPE: {f"alibaba_cloud_account:{cloud.account['AccountId']}"},
        "alibaba_cloud_ram_policy": {f"alibaba_cloud_ram_policy:{name}" for name in attached},
        "alibaba_cloud_ram_user": {f"alibaba_cloud_ram_user:{u['UserName']}" for u in ram.users},
        "alibaba_cloud_ram_group": {f"alibaba_cloud_ram_group:{g['GroupName']}" for g in ram.groups},
        "alibaba_cloud_ram_role": {f"alibaba_cloud_ram_role:{r['RoleId']}" for r in ram.roles},
        "alibaba_cloud_vpc": {
            f"alibaba_cloud_vpc:{v['VpcId']}" for region in cloud.vpc_region_ids for v in cloud.vpcs(region)
        },
        "alibaba_cloud_ecs_instance": fleet_ids(cloud),
    }


def test_a_full_sync_lands_every_entity_and_relationship(sync_dag, jupiterone_sandbox):
    dag = sync_dag(tag_with_account_name=True)

    run = dag.test()

    assert states(run) == dict.fromkeys(("gate", "fetch", "transform", "publish"), "success")
    expected = world_keys(sync_dag.cloud)
    for type_name, keys in expected.items():
        assert stored(jupiterone_sandbox, type_name) == keys, type_name
    entities = jupiterone_sandbox.entities(scope=SCOPE)
    assert {entity["tag.AccountName"] for entity in entities} == {ACCOUNT}
    relationship_types = {r["_type"] for r in jupiterone_sandbox.relationships(scope=SCOPE)}
    assert relationship_types == {kind.type for kind in RELATIONSHIP_TYPES}
    others = sum(len(keys) for type_name, keys in expected.items() if type_name != ACCOUNT_TYPE)
    assert len(stored(jupiterone_sandbox, *(f"{ACCOUNT_TYPE}_has_{t[14:]}" for t in expected))) == others
    (job,) = jupiterone_sandbox.jobs()
    assert (job["status"], job["numEntitiesCreated"]) == ("FINISHED", len(entities))
    recorded = json.loads(Variable.get(record_key(scope=SCOPE)))
    assert (recorded["dag_id"], recorded["run_id"]) == (DAG_ID, run.run_id), "the sync is recorded for the gate"


def test_when_every_listing_fails_no_job_is_started(sync_dag, jupiterone_sandbox):
    dag = sync_dag(resources=[ECS_TYPE])
    for region in sync_dag.cloud.region_ids:
        sync_dag.cloud.forbid_region(region)

    run = dag.test()

    assert str(run.state) == "failed"
    assert states(run)["fetch"] == "failed"
    assert states(run)["publish"] == "upstream_failed"
    assert jupiterone_sandbox.jobs() == []


def test_instances_terminated_between_runs_are_deleted_with_their_relationships_and_only_those(
    sync_dag, jupiterone_sandbox
):
    dag = sync_dag()
    dag.test()
    cloud = sync_dag.cloud
    terminated = [i["InstanceId"] for i in cloud.instances(cloud.region_ids[0])[:7]]
    touching = {r["_key"] for r in jupiterone_sandbox.relationships(scope=SCOPE) if r["_toEntityKey"] in terminated}
    cloud.remove_instances(terminated)

    dag.test()

    second = jupiterone_sandbox.jobs()[-1]
    assert (second["numEntitiesDeleted"], second["numEntitiesCreated"]) == (7, 0)
    assert (second["numRelationshipsDeleted"], second["numRelationshipsCreated"]) == (len(touching), 0)
    assert len(touching) >= 7, "each instance at least HAS its account"
    assert stored(jupiterone_sandbox, ECS_TYPE) == fleet_ids(cloud)


def test_removing_a_user_from_a_group_deletes_exactly_that_edge(sync_dag, jupiterone_sandbox):
    dag = sync_dag()
    dag.test()
    cloud = sync_dag.cloud
    membership = cloud.ram.memberships[0]
    edge = f"alibaba_cloud_ram_group:{membership.group_name}|has|alibaba_cloud_ram_user:{membership.user_name}"
    before = stored(jupiterone_sandbox, *(kind.type for kind in RELATIONSHIP_TYPES))
    assert edge in before
    cloud.remove_user_from_group(membership.group_name, membership.user_name)

    run = dag.test()

    assert str(run.state) == "success"
    second = jupiterone_sandbox.jobs()[-1]
    assert (second["numEntitiesDeleted"], second["numRelationshipsDeleted"]) == (0, 1)
    assert stored(jupiterone_sandbox, *(kind.type for kind in RELATIONSHIP_TYPES)) == before - {edge}


def test_a_ram_outage_keeps_every_ram_entity_and_relationship_and_fails_the_run(sync_dag, jupiterone_sandbox):
    dag = sync_dag()
    dag.test()
    cloud = sync_dag.cloud
    ram_types = {
        "alibaba_cloud_ram_user",
        "alibaba_cloud_ram_group",
        "alibaba_cloud_ram_role",
        "alibaba_cloud_ram_policy",
    }
    kept_types = ram_types | relationship_types_touching(ram_types)
    kept = stored(jupiterone_sandbox, *kept_types)
    cloud.remove_users([cloud.ram.users[-1]["UserName"]])  # would be deleted, were RAM readable
    gone = cloud.instances(cloud.region_ids[0])[0]["InstanceId"]
    cloud.remove_instances([gone])
    cloud.deny("ram:ListUsers")

    run = dag.test()

    assert str(run.state) == "failed"
    assert states(run)["publish"] == "failed"
    assert stored(jupiterone_sandbox, *kept_types) == kept
    assert gone not in stored(jupiterone_sandbox, ECS_TYPE), "the rest of the account is still synced"
    second = jupiterone_sandbox.jobs()[-1]
    assert second["status"] == "FINISHED"
    summary = run.get_task_instance("publish").xcom_pull(task_ids="publish", key="summary")
    assert set(summary["partial_types"]) == kept_types
    assert "ListUsers" in summary["failures"][0]["reason"]


def test_a_vpc_region_outage_keeps_the_vpcs_and_their_instances_edges(sync_dag, jupiterone_sandbox):
    dag = sync_dag()
    dag.test()
    cloud = sync_dag.cloud
    down, other = cloud.vpc_region_ids[:2]
    kept = stored(jupiterone_sandbox, VPC_TYPE, "alibaba_cloud_vpc_has_ecs_instance")
    cloud.inject(Fault("error", region=down, action="DescribeVpcs", product="vpc"))
    removed_elsewhere = cloud.vpcs(other)[0]["VpcId"]
    cloud.remove_vpcs([removed_elsewhere], with_instances=True)

    run = dag.test()

    assert str(run.state) == "failed"
    assert stored(jupiterone_sandbox, VPC_TYPE, "alibaba_cloud_vpc_has_ecs_instance") == kept, (
        "partial types protect every VPC and VPC edge, even of the regions that were read"
    )
    assert stored(jupiterone_sandbox, ECS_TYPE) == fleet_ids(cloud)


@pytest.mark.parametrize("breakage", ["failing", "forbidden"])
def test_a_region_that_fails_keeps_its_instances_and_fails_the_run(sync_dag, jupiterone_sandbox, breakage):
    dag = sync_dag(resources=[ECS_TYPE])
    dag.test()
    cloud = sync_dag.cloud
    broken, elsewhere = [region for region in cloud.region_ids if cloud.instances(region)][:2]
    gone = [cloud.instances(broken)[0]["InstanceId"], cloud.instances(elsewhere)[0]["InstanceId"]]
    cloud.remove_instances(gone)
    launched = {**cloud.instances(elsewhere)[0], "InstanceId": "i-launchedbetweenruns01"}
    cloud.add_instances(elsewhere, [launched])
    if breakage == "failing":
        cloud.inject(Fault("error", region=broken, action="DescribeInstances", code="InternalError"))
    else:
        cloud.forbid_region(broken)
    before = stored(jupiterone_sandbox, ECS_TYPE)

    run = dag.test()

    assert str(run.state) == "failed"
    assert states(run)["publish"] == "failed"
    second = jupiterone_sandbox.jobs()[-1]
    # partial types are per _type: no ECS instance is deleted anywhere while one region is missing
    assert (second["status"], second["numEntitiesCreated"], second["numEntitiesDeleted"]) == ("FINISHED", 1, 0)
    assert stored(jupiterone_sandbox, ECS_TYPE) == before | {launched["InstanceId"]}


def test_dry_run_publishes_nothing(sync_dag, jupiterone_sandbox):
    dag = sync_dag()

    run = dag.test(run_conf={"dry_run": True})

    assert states(run)["publish"] == "success"
    assert jupiterone_sandbox.requests == []
    (written,) = Path(os.environ["AIRFLOW_HOME"], "alibaba_jupiterone", "dry-runs", DAG_ID).glob(
        f"{run.run_id.replace(':', '_').replace('+', '_')}.jsonl"
    )
    objects = [json.loads(line) for line in written.read_text().splitlines()]
    assert {o["_key"] for o in objects if o["_type"] == ECS_TYPE} == fleet_ids(sync_dag.cloud)
    first_relationship = next(i for i, o in enumerate(objects) if "_fromEntityKey" in o)
    assert all("_fromEntityKey" in o for o in objects[first_relationship:]), "entities first, then relationships"


def test_a_subset_of_regions_from_the_trigger(sync_dag, jupiterone_sandbox):
    dag = sync_dag()
    wanted = [region for region in sync_dag.cloud.region_ids if sync_dag.cloud.instances(region)][:2]

    dag.test(run_conf={"regions": wanted})

    assert stored(jupiterone_sandbox, ECS_TYPE) == fleet_ids(sync_dag.cloud, wanted)
    assert {v["region"] for v in jupiterone_sandbox.entities(scope=SCOPE) if v["_type"] == VPC_TYPE} <= set(wanted)


@pytest.mark.parametrize("pipeline", ["steps", "streaming"])
def test_no_secret_in_any_task_log(sync_dag, jupiterone_sandbox, pipeline):
    sync_dag(pipeline=pipeline)
    cloud_secret = json.loads(os.environ["AIRFLOW_CONN_ALIBABACLOUD_DEFAULT"])["extra"]["access_key_secret"]
    api_key = jupiterone_sandbox.connection_fields()["password"]

    result = subprocess.run(
        [sys.executable, "-m", "airflow", "dags", "test", DAG_ID],
        check=False,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert len(stored(jupiterone_sandbox, ECS_TYPE)) == 600
    logs = [result.stdout, result.stderr]
    logs += [
        path.read_text(errors="replace")
        for path in Path(os.environ["AIRFLOW_HOME"], "logs").rglob("*")
        if path.is_file()
    ]
    for text in logs:
        assert cloud_secret not in text
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
    assert stored(jupiterone_sandbox, ECS_TYPE) == fleet_ids(sync_dag.cloud)
    files = [path for path in store.rglob("*") if path.is_file()]
    assert len(files) >= 2 * 600 // 50, "every record and entity batch went to object storage"


def test_the_streaming_pipeline_lands_the_graph_the_steps_land(sync_dag, jupiterone_sandbox):
    sync_dag(tag_with_account_name=True).test()
    steps = {kind: stored_objects(jupiterone_sandbox, kind) for kind in ("entities", "relationships")}
    dag = sync_dag(tag_with_account_name=True, pipeline="streaming")

    run = dag.test()

    assert states(run) == {"gate": "success", "sync": "success"}
    for kind, before in steps.items():
        assert stored_objects(jupiterone_sandbox, kind) == before, kind
    second = jupiterone_sandbox.jobs()[-1]
    assert (second["numEntitiesCreated"], second["numEntitiesDeleted"], second["numRelationshipsDeleted"]) == (0, 0, 0)
    summary = run.get_task_instance("sync").xcom_pull(task_ids="sync")
    assert (summary["status"], summary["entities"]) == ("FINISHED", len(steps["entities"]))
    recorded = json.loads(Variable.get(record_key(scope=SCOPE)))
    assert recorded["run_id"] == run.run_id, "the sync is recorded for the gate"


def test_the_streaming_pipeline_keeps_what_an_outage_hides_and_fails(sync_dag, jupiterone_sandbox):
    dag = sync_dag(resources=[ECS_TYPE, VPC_TYPE], pipeline="streaming")
    dag.test()
    cloud = sync_dag.cloud
    broken, elsewhere = [region for region in cloud.region_ids if cloud.instances(region)][:2]
    hidden = cloud.instances(broken)[0]["InstanceId"]  # terminated, but its region cannot be read
    gone = cloud.instances(elsewhere)[0]["InstanceId"]
    cloud.remove_instances([hidden, gone])
    cloud.forbid_region(broken)
    before = stored(jupiterone_sandbox, ECS_TYPE)

    run = dag.test()

    assert states(run) == {"gate": "success", "sync": "failed"}
    assert stored(jupiterone_sandbox, ECS_TYPE) == before, "no instance is deleted while a region is missing"
    summary = run.get_task_instance("sync").xcom_pull(task_ids="sync", key="summary")
    assert ECS_TYPE in summary["partial_types"]
    assert [failure["scope"] for failure in summary["failures"]] == [broken]
    assert json.loads(Variable.get(record_key(scope=SCOPE)))["run_id"] != run.run_id, "a failed sync is not recorded"


def stored_objects(jupiterone_sandbox, kind: str) -> dict[str, dict]:
    """The entities or relationships stored in the scope, by key, without ``lastSeenOn``."""
    objects = getattr(jupiterone_sandbox, kind)(scope=SCOPE)
    return {item["_key"]: {k: v for k, v in item.items() if k != "lastSeenOn"} for item in objects}


def test_the_sync_task_fails_without_retry_on_a_bad_setting_before_any_job(sync_dag, jupiterone_sandbox):
    from airflow.sdk.exceptions import AirflowFailException

    from alibaba_jupiterone.operators import AlibabaCloudToJupiterOneOperator

    sync_dag()  # the connections
    task = AlibabaCloudToJupiterOneOperator(task_id="sync", scope=SCOPE, resource_types="alibaba_cloud_ecs_instanse")

    with pytest.raises(AirflowFailException, match=r"alibaba_cloud_ecs_instanse.*known: alibaba_cloud_account"):
        task.execute({})

    assert jupiterone_sandbox.jobs() == []
