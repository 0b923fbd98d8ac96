"""Fetch: Alibaba Cloud -> raw records, in XCom batches."""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException

from alibaba_jupiterone.errors import AlibabaAuthError, ConfigurationError
from alibaba_jupiterone.graph import ECS_INSTANCE
from alibaba_jupiterone.hooks.alibaba_ecs import AlibabaEcsHook
from alibaba_jupiterone.hooks.alibaba_settings import region_list
from alibaba_jupiterone.pipeline.fetch import fetch


class AlibabaCloudFetchOperator(BaseOperator):
    """List every ECS instance of the account, regions read concurrently.

    Each region's permission is checked before it is listed. Pushes each batch of at most
    ``batch_size`` raw instance records (the API's PascalCase dicts) as an XCom value under the key
    ``records.<region>.<n>``, and returns the manifest of those batches (``producer``,
    ``resource_type``, ``regions``: region -> ``count`` and batch ``keys``, ``failed``: region ->
    error) for the transform task. A region that fails after the hook's retries is left out and
    named in ``failed``; when every region fails, the task fails without a retry.

    :param alibaba_cloud_conn_id: the ``alibaba_cloud`` connection.
    :param regions: regions to read (a list or comma-separated string); empty means every region the
        connection allows.
    :param batch_size: records per XCom value.
    :param max_concurrent_regions: regions read at the same time.
    """

    template_fields = ("alibaba_cloud_conn_id", "regions", "batch_size", "max_concurrent_regions")

    def __init__(
        self,
        *,
        alibaba_cloud_conn_id: str = "alibabacloud_default",
        regions: list[str] | str | None = None,
        batch_size: int = 250,
        max_concurrent_regions: int = 8,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.alibaba_cloud_conn_id = alibaba_cloud_conn_id
        self.regions = regions
        self.batch_size = batch_size
        self.max_concurrent_regions = max_concurrent_regions

    def execute(self, context: Any) -> dict:
        hook = AlibabaEcsHook(self.alibaba_cloud_conn_id)
        try:
            regions = self._regions(hook)
        except (ConfigurationError, AlibabaAuthError) as error:
            raise AirflowFailException(str(error)) from error
        ti = context["ti"]
        manifest = fetch(
            hook,
            regions,
            ECS_INSTANCE,
            store=lambda key, batch: ti.xcom_push(key=key, value=batch),
            producer=self.task_id,
            batch_size=int(self.batch_size),
            max_concurrent_regions=int(self.max_concurrent_regions),
        )
        for region, batches in manifest.regions.items():
            self.log.info("%s: %d instances in %d batches", region, batches.count, len(batches.keys))
        for region, error in manifest.failed.items():
            self.log.error("%s left out: %s", region, error)
        if not manifest.regions:
            raise AirflowFailException(
                f"Every region failed, nothing to sync: {'; '.join(f'{r}: {e}' for r, e in manifest.failed.items())}"
            )
        return manifest.to_dict()

    def _regions(self, hook: AlibabaEcsHook) -> list[str]:
        """The regions the connection allows, narrowed to the ones asked for."""
        available = hook.list_regions()
        wanted = region_list(self.regions, "The operator's 'regions'")
        unknown = [region for region in wanted if region not in available]
        if unknown:
            raise ConfigurationError(
                f"Regions asked for are not available to the connection: {', '.join(unknown)} "
                f"(available: {', '.join(available)})."
            )
        return list(wanted) or available
