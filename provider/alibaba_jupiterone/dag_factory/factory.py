"""One Airflow DAG per configured account: ``gate >> fetch >> transform >> publish``, or ``gate >> sync``."""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import DAG, BaseOperator, Param

from alibaba_jupiterone.dag_factory.config import REGION_PATTERN, AccountConfig, load_config
from alibaba_jupiterone.operators import (
    AlibabaCloudFetchOperator,
    AlibabaCloudToJupiterOneOperator,
    AlibabaCloudTransformOperator,
    JupiterOnePublishOperator,
    SupersededSyncGateOperator,
)

OWNER = "alibaba-jupiterone"
TAGS = ("alibaba-cloud", "jupiterone")
START_DATE = pendulum.datetime(2024, 1, 1, tz="UTC")
"""A fixed past date; being in UTC, it also makes the cron schedules UTC."""

DEFAULT_ARGS = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    # A multiplier since Airflow 3.2: True would count as 1, a constant delay.
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=30),
}

_DOC_MD = """\
## Alibaba Cloud to JupiterOne: {account.account_name}

{account.description}

| setting | value |
|---|---|
| polling interval | `{account.polling_interval}`: {schedule} |
| JupiterOne target | {target} |
| Alibaba Cloud connection | `{account.alibaba_cloud_conn_id}` |
| JupiterOne connection | `{account.jupiterone_conn_id}` |
| regions | {regions} |
| resources | {resources} |
| tag with account name | {account.tag_with_account_name} |
| include raw data | {account.include_raw_data} |
| pipeline | `{account.pipeline}`: {pipeline} |

Runs never overlap, and a run that a newer sync has superseded is skipped. Trigger with parameters to read
some of the regions, {dry_run}or to force a superseded run.
"""
_PIPELINE_DOC = {
    "steps": "fetch, transform and publish, in XCom batches of {account.batch_size}",
    "streaming": "the whole sync in one task, each page converted and uploaded as it arrives",
}
_DRY_RUN_DOC = "to make a dry run (the entities go to a JSON-lines file, nothing is published) "


def build_dags(config_path: str | os.PathLike[str] | None = None) -> dict[str, DAG]:
    """The DAGs of the good accounts of the account configuration, by DAG id.

    Reads the configuration file and nothing else: no connection, no Airflow metadata database. Accounts with
    problems are left out; :meth:`~alibaba_jupiterone.dag_factory.config.Configuration.raise_for_errors`
    reports them.

    :param config_path: see :func:`~alibaba_jupiterone.dag_factory.config.load_config`.
    :raises ConfigurationError: when the configuration file cannot be used at all.
    """
    return {account.dag_id: build_dag(account) for account in load_config(config_path).accounts}


def build_dag(account: AccountConfig) -> DAG:
    """The sync DAG of one account, with the ``regions``, ``dry_run`` (``steps`` only) and ``force`` params of manual
    runs."""
    with DAG(
        dag_id=account.dag_id,
        dag_display_name=f"Alibaba Cloud to JupiterOne: {account.account_name}",
        description=account.description or None,
        doc_md=_doc_md(account),
        schedule=account.schedule,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=list(TAGS),
        params=_params(account),
    ) as dag:
        # dag.param() resolves to the run's value with its JSON type (a bool, a list), where a template would
        # need native rendering, which would also turn an account named "2024" into an int.
        gate = SupersededSyncGateOperator(task_id="gate", force=dag.param("force"), **_target(account))
        if account.pipeline == "streaming":
            gate >> _one_task_sync(account, dag)
        else:
            gate >> _steps(account, dag)
    return dag


def _steps(account: AccountConfig, dag: DAG) -> BaseOperator:
    """``fetch >> transform >> publish``, the batches in XCom between them; returns ``fetch``, the first."""
    fetch = AlibabaCloudFetchOperator(
        task_id="fetch",
        alibaba_cloud_conn_id=account.alibaba_cloud_conn_id,
        resource_types=list(account.resources),
        regions=dag.param("regions"),
        batch_size=account.batch_size,
    )
    transform = AlibabaCloudTransformOperator(
        task_id="transform",
        fetched=fetch.output,
        account_name=account.account_name,
        tag_with_account_name=account.tag_with_account_name,
        include_raw_data=account.include_raw_data,
        batch_size=account.batch_size,
    )
    publish = JupiterOnePublishOperator(
        task_id="publish",
        transformed=transform.output,
        jupiterone_conn_id=account.jupiterone_conn_id,
        dry_run=dag.param("dry_run"),
        **_target(account),
    )
    fetch >> transform >> publish
    return fetch


def _one_task_sync(account: AccountConfig, dag: DAG) -> BaseOperator:
    """The whole sync in one task, streaming."""
    return AlibabaCloudToJupiterOneOperator(
        task_id="sync",
        alibaba_cloud_conn_id=account.alibaba_cloud_conn_id,
        jupiterone_conn_id=account.jupiterone_conn_id,
        resource_types=list(account.resources),
        regions=dag.param("regions"),
        account_name=account.account_name,
        tag_with_account_name=account.tag_with_account_name,
        include_raw_data=account.include_raw_data,
        **_target(account),
    )


def _target(account: AccountConfig) -> dict[str, str | None]:
    """The JupiterOne target's arguments: ``integration_instance_id`` and ``scope`` (one of them ``None``)."""
    return {"integration_instance_id": account.integration_instance_id, "scope": account.scope}


def _params(account: AccountConfig) -> dict[str, Param]:
    """The params of a manual run, checked by Airflow against their JSON schema when the run is triggered.

    A streaming DAG has no ``dry_run``: its one task publishes as it goes.
    """
    params = {
        "regions": _regions_param(account.regions),
        "dry_run": Param(
            False,
            type="boolean",
            title="Dry run",
            description="Fetch, transform and validate; write the entities to a JSON-lines file and print the "
            "summary. Nothing is published.",
        ),
        "force": Param(
            False,
            type="boolean",
            title="Force",
            description="Sync even when a newer sync has already finished.",
        ),
    }
    if account.pipeline == "streaming":
        del params["dry_run"]
    return params


def _regions_param(configured: tuple[str, ...]) -> Param:
    """A subset of the configured regions; any regions when none are configured (empty: all of them)."""
    if not configured:
        return Param(
            [],
            type="array",
            items={"type": "string", "pattern": REGION_PATTERN},
            uniqueItems=True,
            title="Regions",
            description="Region ids to read, one per line. Empty: every region the connection allows.",
        )
    return Param(
        list(configured),
        type="array",
        items={"type": "string", "enum": list(configured)},
        examples=list(configured),  # what the trigger form offers in its multi-select
        minItems=1,
        uniqueItems=True,
        title="Regions",
        description="The configured regions to read.",
    )


def _doc_md(account: AccountConfig) -> str:
    if account.integration_instance_id:
        target = f"integration instance `{account.integration_instance_id}`"
    else:
        target = f"scope `{account.scope}`"
    schedule = f"cron `{account.schedule}`, UTC" if account.schedule else "manual trigger only"
    regions = ", ".join(f"`{region}`" for region in account.regions) or "every region the connection allows"
    resources = ", ".join(f"`{name}`" for name in account.resources)
    return _DOC_MD.format(
        account=account,
        schedule=schedule,
        target=target,
        regions=regions,
        resources=resources,
        pipeline=_PIPELINE_DOC[account.pipeline].format(account=account),
        dry_run=_DRY_RUN_DOC if account.pipeline == "steps" else "",
    )
