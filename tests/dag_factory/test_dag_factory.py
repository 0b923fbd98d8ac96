"""The DAG of an account: its tasks and their settings, its run settings, its params and its documentation."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from airflow.exceptions import ParamValidationError
from airflow.sdk import DAG
from airflow.serialization.serialized_objects import DagSerialization
from dag_factory_support import WriteConfig, account

from alibaba_jupiterone.dag_factory import AccountConfig, build_dag, build_dags
from alibaba_jupiterone.operators import (
    AlibabaCloudFetchOperator,
    AlibabaCloudToJupiterOneOperator,
    AlibabaCloudTransformOperator,
    JupiterOnePublishOperator,
    SupersededSyncGateOperator,
)

PRODUCTION = AccountConfig(
    account_name="Production EU",
    description="The EU production account.",
    polling_interval="ONE_WEEK",
    hour=6,
    day_of_week=3,
    tag_with_account_name=True,
    alibaba_cloud_conn_id="alibaba_prod_eu",
    jupiterone_conn_id="jupiterone_prod",
    scope="alibaba-prod-eu",
    regions=("eu-central-1", "eu-west-1"),
    resources=("alibaba_cloud_vpc", "alibaba_cloud_ecs_instance"),
    include_raw_data=False,
    batch_size=500,
)


def validate_trigger(dag: DAG, conf: dict[str, Any]) -> dict[str, Any]:
    """Check a manual run's conf as Airflow does when the run is triggered: against the serialized DAG's params."""
    return DagSerialization.from_dict(DagSerialization.to_dict(dag)).params.deep_merge(conf).validate()


def resolve(task: Any, value: Any, conf: dict[str, Any], dag: DAG) -> Any:
    """Render a task argument as the task runner does, in a run triggered with ``conf``."""
    context = {"dag_run": SimpleNamespace(conf=conf), "params": validate_trigger(dag, conf)}
    return task.render_template(value, context)


def test_one_dag_per_account_by_dag_id(write_config: WriteConfig) -> None:
    write_config([account("Production EU"), account("Staging")])

    dags = build_dags()

    assert list(dags) == ["alibaba_cloud_jupiterone_production_eu", "alibaba_cloud_jupiterone_staging"]
    assert [dag.dag_id for dag in dags.values()] == list(dags)


def test_without_a_configuration_file_there_is_the_default_dag() -> None:
    (dag,) = build_dags().values()

    assert dag.dag_id == "alibaba_cloud_jupiterone_default"
    assert dag.schedule == "0 0 * * *"
    assert dag.task_dict["fetch"].alibaba_cloud_conn_id == "alibabacloud_default"
    assert dag.task_dict["publish"].jupiterone_conn_id == "jupiterone_default"
    assert dag.task_dict["publish"].scope == "alibaba-cloud-default"


def test_the_tasks_run_gate_fetch_transform_publish_with_the_account_settings() -> None:
    dag = build_dag(PRODUCTION)
    gate, fetch, transform, publish = (dag.task_dict[task_id] for task_id in ("gate", "fetch", "transform", "publish"))

    assert isinstance(gate, SupersededSyncGateOperator)
    assert isinstance(fetch, AlibabaCloudFetchOperator)
    assert isinstance(transform, AlibabaCloudTransformOperator)
    assert isinstance(publish, JupiterOnePublishOperator)
    assert [sorted(task.downstream_task_ids) for task in (gate, fetch, transform, publish)] == [
        ["fetch"],
        ["transform"],
        ["publish"],
        [],
    ]
    assert (gate.scope, gate.integration_instance_id) == ("alibaba-prod-eu", None)
    assert (fetch.alibaba_cloud_conn_id, fetch.batch_size) == ("alibaba_prod_eu", 500)
    assert fetch.resource_types == ["alibaba_cloud_vpc", "alibaba_cloud_ecs_instance"]
    assert transform.fetched.operator is fetch
    assert (
        transform.account_name,
        transform.tag_with_account_name,
        transform.include_raw_data,
        transform.batch_size,
    ) == ("Production EU", True, False, 500)
    assert publish.transformed.operator is transform
    assert (publish.jupiterone_conn_id, publish.scope, publish.integration_instance_id) == (
        "jupiterone_prod",
        "alibaba-prod-eu",
        None,
    )


def test_a_streaming_account_syncs_in_one_task_after_the_gate_with_the_account_settings() -> None:
    dag = build_dag(replace(PRODUCTION, pipeline="streaming"))

    assert sorted(dag.task_dict) == ["gate", "sync"]
    gate, sync = dag.task_dict["gate"], dag.task_dict["sync"]
    assert isinstance(sync, AlibabaCloudToJupiterOneOperator)
    assert gate.downstream_task_ids == {"sync"}
    assert (sync.alibaba_cloud_conn_id, sync.jupiterone_conn_id) == ("alibaba_prod_eu", "jupiterone_prod")
    assert (sync.scope, sync.integration_instance_id) == ("alibaba-prod-eu", None)
    assert sync.resource_types == ["alibaba_cloud_vpc", "alibaba_cloud_ecs_instance"]
    assert (sync.account_name, sync.tag_with_account_name, sync.include_raw_data) == ("Production EU", True, False)
    assert "dry_run" not in dag.params, "one task publishes as it goes: there is no dry run"
    assert resolve(sync, sync.regions, {"regions": ["eu-west-1"]}, dag) == ["eu-west-1"]
    assert "`streaming`: the whole sync in one task" in dag.doc_md


def test_an_integration_instance_is_the_target_of_the_gate_and_the_publish_task() -> None:
    dag = build_dag(AccountConfig(account_name="Staging", integration_instance_id="8f2c1d5e"))

    for task_id in ("gate", "publish"):
        task = dag.task_dict[task_id]
        assert (task.integration_instance_id, task.scope) == ("8f2c1d5e", None)


def test_runs_never_overlap_nor_catch_up_and_tasks_retry_with_exponential_backoff() -> None:
    dag = build_dag(PRODUCTION)

    assert dag.max_active_runs == 1
    assert dag.catchup is False
    assert dag.start_date.tzinfo.name == "UTC"
    for task in dag.tasks:
        assert task.owner == "alibaba-jupiterone"
        assert task.retries == 2
        assert task.retry_delay == timedelta(minutes=1)
        assert task.retry_exponential_backoff == 2.0
        assert task.max_retry_delay == timedelta(minutes=30)


def test_the_dag_is_tagged_named_and_documented_for_the_ui() -> None:
    dag = build_dag(PRODUCTION)

    assert dag.tags == {"alibaba-cloud", "jupiterone"}
    assert dag.dag_display_name == "Alibaba Cloud to JupiterOne: Production EU"
    assert dag.description == "The EU production account."
    for shown in (
        "## Alibaba Cloud to JupiterOne: Production EU",
        "The EU production account.",
        "`ONE_WEEK`: cron `0 6 * * 3`, UTC",
        "scope `alibaba-prod-eu`",
        "`alibaba_prod_eu`",
        "`jupiterone_prod`",
        "`eu-central-1`, `eu-west-1`",
    ):
        assert shown in dag.doc_md


def test_the_documentation_of_a_manual_dag_without_regions() -> None:
    dag = build_dag(AccountConfig(account_name="Lab", integration_instance_id="8f2c1d5e", polling_interval="DISABLED"))

    assert dag.description is None
    for shown in ("`DISABLED`: manual trigger only", "integration instance `8f2c1d5e`", "every region the connection"):
        assert shown in dag.doc_md


def test_the_params_of_a_manual_run_default_to_a_normal_sync_of_the_configured_regions() -> None:
    dag = build_dag(PRODUCTION)

    assert dag.params.dump() == {"regions": ["eu-central-1", "eu-west-1"], "dry_run": False, "force": False}
    assert dag.render_template_as_native_obj is False
    regions = dag.params.get_param("regions").schema
    assert regions["type"] == "array"
    assert regions["examples"] == ["eu-central-1", "eu-west-1"]  # the trigger form's multi-select
    for name in ("dry_run", "force"):
        assert dag.params.get_param(name).schema["type"] == "boolean"
        assert dag.params.get_param(name).description


@pytest.mark.parametrize(
    "conf",
    [
        {"regions": ["eu-west-1"]},
        {"regions": ["eu-west-1", "eu-central-1"], "dry_run": True, "force": True},
        {"dry_run": True},
    ],
)
def test_a_manual_run_may_pick_a_subset_of_the_configured_regions(conf: dict[str, Any]) -> None:
    validate_trigger(build_dag(PRODUCTION), conf)


@pytest.mark.parametrize(
    "conf",
    [
        pytest.param({"regions": ["us-east-1"]}, id="region not configured"),
        pytest.param({"regions": []}, id="no region"),
        pytest.param({"regions": ["eu-west-1", "eu-west-1"]}, id="region twice"),
        pytest.param({"regions": "eu-west-1"}, id="regions not a list"),
        pytest.param({"dry_run": "yes"}, id="dry run not a boolean"),
        pytest.param({"force": 1}, id="force not a boolean"),
    ],
)
def test_a_manual_run_with_bad_params_is_refused(conf: dict[str, Any]) -> None:
    with pytest.raises(ParamValidationError):
        validate_trigger(build_dag(PRODUCTION), conf)


def test_without_configured_regions_a_manual_run_may_name_any_regions() -> None:
    dag = build_dag(AccountConfig(account_name="All", scope="all"))

    assert dag.params["regions"] == []
    assert validate_trigger(dag, {"regions": ["us-east-1", "cn-hangzhou"]})["regions"] == ["us-east-1", "cn-hangzhou"]
    with pytest.raises(ParamValidationError):
        validate_trigger(dag, {"regions": ["US East"]})


def test_the_run_params_reach_the_tasks_with_their_json_types() -> None:
    dag = build_dag(AccountConfig(account_name="2024", scope="s", regions=("eu-central-1", "eu-west-1")))
    gate, fetch, transform, publish = (dag.task_dict[task_id] for task_id in ("gate", "fetch", "transform", "publish"))
    manual = {"regions": ["eu-west-1"], "dry_run": True, "force": True}

    assert resolve(fetch, fetch.regions, manual, dag) == ["eu-west-1"]
    assert resolve(publish, publish.dry_run, manual, dag) is True
    assert resolve(gate, gate.force, manual, dag) is True
    assert resolve(fetch, fetch.regions, {}, dag) == ["eu-central-1", "eu-west-1"]
    assert resolve(publish, publish.dry_run, {}, dag) is False
    assert resolve(gate, gate.force, {}, dag) is False
    # A literal that looks like a number stays text: templates are not rendered as Python literals.
    assert resolve(transform, transform.account_name, manual, dag) == "2024"
