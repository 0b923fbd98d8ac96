"""Fetch: Alibaba Cloud -> raw records, in XCom batches."""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException

from alibaba_jupiterone.errors import AlibabaAuthError, ConfigurationError
from alibaba_jupiterone.hooks.alibaba_settings import region_list
from alibaba_jupiterone.operators.batches import XComBatches
from alibaba_jupiterone.pipeline.fetch import fetch, plan
from alibaba_jupiterone.pipeline.listings import ALL_TYPES, AlibabaCloud


class AlibabaCloudFetchOperator(BaseOperator):
    """List the account's resources: the account and RAM once, ECS instances and VPCs region by region.

    Listings run concurrently; each ECS region's permission is checked before it is listed. Pushes each
    batch of at most ``batch_size`` raw records (the API's PascalCase dicts, see the README's data model)
    as an XCom value under the key ``records.<_type>.<scope>.<n>`` (:func:`~alibaba_jupiterone.operators.
    batches.decode_batch` reads one), and returns the manifest of those batches (``producer``,
    ``datasets``: ``type``, ``scope``, ``count``, batch ``keys``; ``failures``: ``types``, ``scope``,
    ``reason``) for the transform task. A listing that fails after the hooks' retries is left out and
    named in ``failures``; when every listing fails, the task fails without a retry.

    :param alibaba_cloud_conn_id: the ``alibaba_cloud`` connection.
    :param resource_types: the ``_type`` names to sync (a list or comma-separated string); empty means all.
    :param regions: regions to read (a list or comma-separated string); empty means every region the
        connection allows.
    :param batch_size: records per XCom value.
    :param max_concurrent_listings: listings (a region of a product, RAM, the account) read at the same time.
    """

    template_fields = ("alibaba_cloud_conn_id", "resource_types", "regions", "batch_size", "max_concurrent_listings")

    def __init__(
        self,
        *,
        alibaba_cloud_conn_id: str = "alibabacloud_default",
        resource_types: list[str] | str | None = None,
        regions: list[str] | str | None = None,
        batch_size: int = 250,
        max_concurrent_listings: int = 8,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.alibaba_cloud_conn_id = alibaba_cloud_conn_id
        self.resource_types = resource_types
        self.regions = regions
        self.batch_size = batch_size
        self.max_concurrent_listings = max_concurrent_listings

    def execute(self, context: Any) -> dict:
        try:
            resources = region_list(self.resource_types, "The operator's 'resource_types'", "_type names") or ALL_TYPES
            cloud = AlibabaCloud(self.alibaba_cloud_conn_id, resources)
            listings, failures = plan(cloud, region_list(self.regions, "The operator's 'regions'"))
        except (ConfigurationError, AlibabaAuthError) as error:
            raise AirflowFailException(str(error)) from error
        manifest = fetch(
            listings,
            store=XComBatches(context["ti"]).store,
            producer=self.task_id,
            batch_size=int(self.batch_size),
            max_concurrent_listings=int(self.max_concurrent_listings),
        )
        manifest.failures[:0] = failures
        for dataset in manifest.datasets:
            self.log.info("%s in %s: %d records", dataset.type, dataset.scope, dataset.count)
        for failure in manifest.failures:
            self.log.error("Left out %s", failure.describe())
        if not manifest.datasets:
            raise AirflowFailException(f"Every listing failed, nothing to sync: {manifest.describe_failures()}")
        return manifest.to_dict()
