"""``AlibabaVpcHook``: list Alibaba Cloud VPC regions and VPCs through the official SDK."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from typing import Any

from alibabacloud_vpc20160428.client import Client as VpcClient
from alibabacloud_vpc20160428.models import DescribeRegionsRequest, DescribeVpcAttributeRequest, DescribeVpcsRequest

from alibaba_jupiterone.errors import AlibabaApiError, ConfigurationError
from alibaba_jupiterone.hooks.alibaba_base import (
    DEFAULT_MAX_CONCURRENT_CALLS,
    SDK_RUNTIME,
    AlibabaCloudBaseHook,
    AlibabaProduct,
    generated_request,
    listed_items,
)
from alibaba_jupiterone.hooks.retry import RetryPolicy

VPC = AlibabaProduct("VPC", VpcClient, endpoint="vpc.aliyuncs.com", read_policy="AliyunVPCReadOnlyAccess")

PAGE_SIZE = 50
"""VPCs asked for per DescribeVpcs page (the API's maximum)."""


class AlibabaVpcHook(AlibabaCloudBaseHook):
    """Read-only access to Alibaba Cloud VPC through the official ``alibabacloud-vpc20160428`` SDK.

    The connection, retries and errors are those of
    :class:`~alibaba_jupiterone.hooks.alibaba_base.AlibabaCloudBaseHook`. Each region is called at
    the ``RegionEndpoint`` VPC's own DescribeRegions gives for it (the SDK's guess disagrees for
    several regions), unless the connection's ``endpoint`` extra sends every call elsewhere.

    :param alibabacloud_conn_id: the Airflow connection to use.
    :param retry: how transient failures are retried.
    :param max_concurrent_calls: the most DescribeVpcAttribute calls in flight at once.
    """

    hook_name = "Alibaba Cloud VPC"

    def __init__(
        self,
        alibabacloud_conn_id: str = AlibabaCloudBaseHook.default_conn_name,
        *,
        retry: RetryPolicy | None = None,
        max_concurrent_calls: int = DEFAULT_MAX_CONCURRENT_CALLS,
    ) -> None:
        super().__init__(alibabacloud_conn_id, retry=retry, max_concurrent_calls=max_concurrent_calls)
        self._regions_lock = threading.Lock()

    def get_conn(self, region_id: str | None = None) -> VpcClient:
        """The SDK client for ``region_id``, or for account-wide calls (``None``).

        A region's client calls the ``RegionEndpoint`` VPC's DescribeRegions gave for it (that call
        is made first when no answer is known yet); account-wide calls go to ``vpc.aliyuncs.com``.
        Either way the connection's ``endpoint`` extra, when set, replaces the endpoint.
        """
        if region_id is not None:
            self._require_endpoint(region_id)
        return self.get_client(VPC, region_id)

    def list_regions(self, *, strict: bool = True) -> list[str]:
        """The regions to read: those VPC's DescribeRegions lists, narrowed to the connection's allow-list.

        One DescribeRegions call, whose ``RegionEndpoint`` of each region is kept for its calls. An
        allow-listed region that VPC does not list raises
        :class:`~alibaba_jupiterone.errors.ConfigurationError` naming it; with ``strict=False`` it is
        left out.
        """
        self._describe_regions()
        return self.narrow_regions(VPC, self.known_regions(VPC) or [], strict=strict)

    def iter_vpcs(self, region_id: str) -> Iterator[dict[str, Any]]:
        """Yield every VPC of ``region_id``: its DescribeVpcs item merged with its DescribeVpcAttribute answer.

        Plain JSON dicts in the API's own PascalCase shape, read from the raw answers (the typed
        SDK models drop ``AdvancedResource`` and ``NetworkAclNum``); the attribute answer's fields,
        without its ``RequestId``, win. Pages of 50 by ``PageNumber`` until ``TotalCount`` VPCs are
        read; an empty page before that, or a ``TotalCount`` that changes between pages, raises
        :class:`~alibaba_jupiterone.errors.AlibabaApiError`. The DescribeVpcAttribute calls of a
        page run concurrently (at most ``max_concurrent_calls``); the listing's order is kept.
        """
        self.check_region_allowed(region_id)
        self._require_endpoint(region_id)
        total: int | None = None
        read = 0
        page_number = 1
        while True:
            request = DescribeVpcsRequest(region_id=region_id, page_size=PAGE_SIZE, page_number=page_number)
            body = self.call_json(VPC, region_id, generated_request(VpcClient.describe_vpcs_with_options, request))
            page_total = body.get("TotalCount")
            if isinstance(page_total, bool) or not isinstance(page_total, int) or page_total < 0:
                raise self._listing_error(region_id, f"answered TotalCount {page_total!r} on page {page_number}", body)
            if total is None:
                total = page_total
            elif page_total != total:
                raise self._listing_error(
                    region_id,
                    f"changed its TotalCount from {total} to {page_total} on page {page_number} (VPCs were created "
                    "or deleted during the listing; list the region again)",
                    body,
                )
            vpcs = listed_items(body, "Vpcs.Vpc", product=VPC, action="DescribeVpcs", region_id=region_id)
            if read < total and not vpcs:
                raise self._listing_error(
                    region_id, f"answered an empty page {page_number} after {read} of {total} VPCs", body
                )
            yield from self.map_concurrently(partial(self._with_attributes, region_id), vpcs)
            read += len(vpcs)
            if read >= total:
                return
            page_number += 1

    def check_permission(self, region_id: str) -> None:
        """Check that the credentials may list VPCs in ``region_id``, with a ``DryRun`` DescribeVpcs call.

        Raises :class:`~alibaba_jupiterone.errors.AlibabaAuthorizationError` when not allowed, as a
        denied DescribeVpcs (without ``DryRun``) itself does: an empty listing always means "no VPCs".
        """
        self.check_region_allowed(region_id)
        request = DescribeVpcsRequest(region_id=region_id, dry_run=True)
        send = partial(self.get_conn(region_id).describe_vpcs_with_options, request, SDK_RUNTIME)
        self.check_dry_run(VPC, "DescribeVpcs", region_id, send)

    def test_connection(self) -> tuple[bool, str]:
        """Airflow's Test button: list the regions and check permission to list VPCs in each."""
        return self.test_regional_access(VPC, "VPCs", self.list_regions, self.check_permission)

    def _describe_regions(self) -> None:
        request = DescribeRegionsRequest(accept_language="en-US")
        body = self.call_json(VPC, None, generated_request(VpcClient.describe_regions_with_options, request))
        self.remember_region_endpoints(
            VPC, listed_items(body, "Regions.Region", product=VPC, action="DescribeRegions", region_id=None)
        )

    def _require_endpoint(self, region_id: str) -> None:
        """Learn the regions' endpoints once, unless the ``endpoint`` extra replaces them all."""
        if self.settings.endpoint:
            return
        with self._regions_lock:
            if self.known_regions(VPC) is None:
                self._describe_regions()
        known = self.known_regions(VPC) or []
        if region_id not in known:
            raise ConfigurationError(
                f"VPC does not list region {region_id!r} for this account (available: {', '.join(known)})."
            )

    def _with_attributes(self, region_id: str, vpc: dict[str, Any]) -> dict[str, Any]:
        vpc_id = vpc.get("VpcId")
        if not isinstance(vpc_id, str) or not vpc_id:
            raise AlibabaApiError(
                f"VPC DescribeVpcs in {region_id} listed an item without a VpcId: {vpc!r}",
                region=region_id,
                product=VPC.name,
                action="DescribeVpcs",
            )
        request = DescribeVpcAttributeRequest(region_id=region_id, vpc_id=vpc_id)
        attributes = self.call_json(
            VPC, region_id, generated_request(VpcClient.describe_vpc_attribute_with_options, request)
        )
        attributes.pop("RequestId", None)
        return {**vpc, **attributes}

    def _listing_error(self, region_id: str, problem: str, body: dict[str, Any]) -> AlibabaApiError:
        return AlibabaApiError(
            f"VPC DescribeVpcs in {region_id} {problem}",
            region=region_id,
            request_id=body.get("RequestId"),
            product=VPC.name,
            action="DescribeVpcs",
        )
