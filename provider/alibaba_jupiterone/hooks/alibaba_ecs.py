"""``AlibabaEcsHook``: list Alibaba Cloud regions and ECS instances through the official SDK."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_ecs20140526.models import DescribeInstancesRequest, DescribeRegionsRequest

from alibaba_jupiterone.errors import AlibabaApiError
from alibaba_jupiterone.hooks.alibaba_base import (
    SDK_RUNTIME,
    AlibabaCloudBaseHook,
    AlibabaProduct,
    generated_request,
    listed_items,
)
from alibaba_jupiterone.hooks.retry import RetryPolicy

ECS = AlibabaProduct("ECS", EcsClient, read_policy="AliyunECSReadOnlyAccess")

PAGE_SIZE = 100
"""Instances asked for per DescribeInstances page (the API's maximum)."""


class AlibabaEcsHook(AlibabaCloudBaseHook):
    """Read-only access to Alibaba Cloud ECS through the official ``alibabacloud-ecs20140526`` SDK.

    It uses an ``alibaba_cloud`` connection, the type of apache-airflow-providers-alibaba, whose
    extras are described by :class:`~alibaba_jupiterone.hooks.alibaba_settings.AlibabaSettings`.
    Throttling, 5xx answers, timeouts and dropped connections are retried as ``retry`` says;
    credential and permission failures raise :class:`~alibaba_jupiterone.errors.AlibabaAuthError`
    at once. The access key secret and STS token are masked in Airflow's logs.

    :param alibabacloud_conn_id: the Airflow connection to use.
    :param retry: how transient failures are retried (default: the connection's ``retry`` extra,
        else :class:`~alibaba_jupiterone.hooks.retry.RetryPolicy`'s defaults).
    """

    hook_name = "Alibaba Cloud ECS"

    def __init__(
        self,
        alibabacloud_conn_id: str = AlibabaCloudBaseHook.default_conn_name,
        *,
        retry: RetryPolicy | None = None,
    ) -> None:
        super().__init__(alibabacloud_conn_id, retry=retry)

    def get_conn(self, region_id: str | None = None) -> EcsClient:
        """The SDK client for ``region_id`` (default: the connection's ``region``).

        Each region is served by its own endpoint: the connection's ``endpoint`` when set, else the
        one DescribeRegions gave (after :meth:`list_regions`), else the SDK's resolution.
        """
        return self.get_client(ECS, region_id or self.settings.region)

    def list_regions(self, *, strict: bool = True) -> list[str]:
        """The regions to read: those DescribeRegions lists, narrowed to the connection's allow-list.

        One DescribeRegions call. An allow-listed region that the account cannot see raises
        :class:`~alibaba_jupiterone.errors.ConfigurationError` naming it; with ``strict=False`` it is
        left out.
        """
        region = self.settings.region
        request = DescribeRegionsRequest(accept_language="en-US")
        send = partial(self.get_conn(region).describe_regions_with_options, request, SDK_RUNTIME)
        body = self.call(ECS, "DescribeRegions", region, send).body.to_map()
        self.remember_region_endpoints(ECS, (body.get("Regions") or {}).get("Region") or [])
        return self.narrow_regions(ECS, self.known_regions(ECS) or [], strict=strict)

    def iter_instances(self, region_id: str) -> Iterator[dict[str, Any]]:
        """Yield every ECS instance of ``region_id``, as the API's own PascalCase dicts.

        The items of DescribeInstances ``Instances.Instance[]`` exactly as the API returns them
        (read from the raw JSON answers: every field is kept, including those the typed SDK model
        does not know), in pages of 100 by ``NextToken`` until the token comes back empty. An
        answer whose ``Instances.Instance`` is not a list of objects, or whose ``NextToken`` is not
        a string or repeats the one sent, raises :class:`~alibaba_jupiterone.errors.AlibabaApiError`
        naming the region.
        """
        self.check_region_allowed(region_id)
        token: str | None = None
        page = 0
        while True:
            request = DescribeInstancesRequest(region_id=region_id, max_results=PAGE_SIZE, next_token=token)
            body = self.call_json(ECS, region_id, generated_request(EcsClient.describe_instances_with_options, request))
            page += 1
            yield from listed_items(
                body, "Instances.Instance", product=ECS, action="DescribeInstances", region_id=region_id
            )
            next_token = body.get("NextToken")
            if not next_token:
                return
            if not isinstance(next_token, str) or next_token == token:
                problem = "the same NextToken twice" if next_token == token else f"NextToken {next_token!r}"
                raise AlibabaApiError(
                    f"ECS DescribeInstances in {region_id} returned {problem} (page {page})",
                    region=region_id,
                    request_id=body.get("RequestId"),
                    product=ECS.name,
                    action="DescribeInstances",
                )
            token = next_token

    def check_permission(self, region_id: str) -> None:
        """Check that the credentials may list instances in ``region_id``, with a ``DryRun`` call.

        Real ECS answers an empty list, not an error, to a RAM user without permission; this is the
        way to tell "no instances" from "not allowed". Raises
        :class:`~alibaba_jupiterone.errors.AlibabaAuthorizationError` when not allowed.
        """
        self.check_region_allowed(region_id)
        request = DescribeInstancesRequest(region_id=region_id, dry_run=True)
        send = partial(self.get_conn(region_id).describe_instances_with_options, request, SDK_RUNTIME)
        self.check_dry_run(ECS, "DescribeInstances", region_id, send)

    def test_connection(self) -> tuple[bool, str]:
        """Airflow's Test button: list the regions and check permission to list instances in each."""
        return self.test_regional_access(ECS, "ECS instances", self.list_regions, self.check_permission)
