"""The whole sync in one task: Alibaba Cloud -> JupiterOne, each page converted and uploaded as it arrives."""

from __future__ import annotations

import time
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException

from alibaba_jupiterone.errors import AlibabaAuthError, ConfigurationError
from alibaba_jupiterone.graph import ConversionOptions
from alibaba_jupiterone.hooks.alibaba_settings import region_list
from alibaba_jupiterone.hooks.jupiterone import JupiterOneHook
from alibaba_jupiterone.operators.gate import record_sync
from alibaba_jupiterone.pipeline.listings import ALL_TYPES, AlibabaCloud
from alibaba_jupiterone.pipeline.manifest import Failure
from alibaba_jupiterone.pipeline.stream import sync


class AlibabaCloudToJupiterOneOperator(BaseOperator):
    """Sync the account to JupiterOne in one task, streaming (:func:`~alibaba_jupiterone.pipeline.stream.sync`).

    The same listings, converter, checks and DIFF sync job as the fetch, transform and publish tasks,
    without the batches in XCom between them: while the largest region is still being listed, the pages
    already read are converted and on their way to JupiterOne, so a sync takes about the time of its
    longest listing (see the README's Performance section). Returns the summary the publish task returns.
    What failed is left out as in the three tasks (its types, and every relationship type touching them,
    are partial, so JupiterOne deletes nothing of them); the task then fails, without a retry, naming it,
    after pushing the summary under the XCom key ``summary``. A fully successful sync is recorded for
    :class:`~alibaba_jupiterone.operators.gate.SupersededSyncGateOperator`.

    What it gives up for speed: a retry runs the whole sync again, and no batch is left in XCom to look at.

    :param alibaba_cloud_conn_id: the ``alibaba_cloud`` connection.
    :param jupiterone_conn_id: the ``jupiterone`` connection.
    :param integration_instance_id: the JupiterOne integration instance to sync (or ``scope``).
    :param scope: the JupiterOne scope to sync (or ``integration_instance_id``).
    :param resource_types: the ``_type`` names to sync (a list or comma-separated string); empty means all.
    :param regions: regions to read (a list or comma-separated string); empty means every region the
        connection allows.
    :param account_name: the account name (``tag.AccountName`` when ``tag_with_account_name``).
    :param tag_with_account_name: add ``tag.AccountName`` to every entity.
    :param include_raw_data: keep each record as the entity's ``_rawData``.
    :param max_concurrent_listings: listings (a region of a product, RAM, the account) read at the same time.
    :param wait_timeout: seconds to wait for JupiterOne to finish the job.
    """

    template_fields = (
        "alibaba_cloud_conn_id",
        "jupiterone_conn_id",
        "integration_instance_id",
        "scope",
        "resource_types",
        "regions",
        "account_name",
        "tag_with_account_name",
        "include_raw_data",
        "max_concurrent_listings",
    )

    def __init__(
        self,
        *,
        alibaba_cloud_conn_id: str = "alibabacloud_default",
        jupiterone_conn_id: str = "jupiterone_default",
        integration_instance_id: str | None = None,
        scope: str | None = None,
        resource_types: list[str] | str | None = None,
        regions: list[str] | str | None = None,
        account_name: str | None = None,
        tag_with_account_name: bool = False,
        include_raw_data: bool = True,
        max_concurrent_listings: int = 8,
        wait_timeout: float = 900.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.alibaba_cloud_conn_id = alibaba_cloud_conn_id
        self.jupiterone_conn_id = jupiterone_conn_id
        self.integration_instance_id = integration_instance_id
        self.scope = scope
        self.resource_types = resource_types
        self.regions = regions
        self.account_name = account_name
        self.tag_with_account_name = tag_with_account_name
        self.include_raw_data = include_raw_data
        self.max_concurrent_listings = max_concurrent_listings
        self.wait_timeout = wait_timeout

    def execute(self, context: Any) -> dict:
        options = ConversionOptions(
            observed_on=int(time.time() * 1000),
            account_name=self.account_name,
            tag_with_account_name=bool(self.tag_with_account_name),
            include_raw_data=bool(self.include_raw_data),
        )
        try:
            resources = region_list(self.resource_types, "The operator's 'resource_types'", "_type names") or ALL_TYPES
            summary = sync(
                AlibabaCloud(self.alibaba_cloud_conn_id, resources),
                JupiterOneHook(self.jupiterone_conn_id),
                options,
                regions=region_list(self.regions, "The operator's 'regions'"),
                integration_instance_id=self.integration_instance_id,
                scope=self.scope,
                max_concurrent_listings=int(self.max_concurrent_listings),
                wait_timeout=self.wait_timeout,
                log=self.log,
            )
        except (ConfigurationError, AlibabaAuthError) as error:
            raise AirflowFailException(str(error)) from error
        self.log.info("Synced: %s", summary.describe())
        if summary.failures:
            context["ti"].xcom_push(key="summary", value=summary.to_dict())
            left_out = "; ".join(Failure(**failure).describe() for failure in summary.failures)
            raise AirflowFailException(
                f"{len(summary.failures)} listing(s) left out, their types kept as they were in JupiterOne: {left_out}"
            )
        record_sync(
            dag_id=self.dag_id,
            run_id=context["run_id"],
            integration_instance_id=self.integration_instance_id,
            scope=self.scope,
        )
        return summary.to_dict()
