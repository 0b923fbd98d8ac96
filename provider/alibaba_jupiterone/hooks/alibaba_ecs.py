"""``AlibabaEcsHook``: list Alibaba Cloud regions and ECS instances through the official SDK."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from airflow.sdk import BaseHook
from airflow.sdk.log import mask_secret
from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_ecs20140526.models import DescribeInstancesRequest, DescribeRegionsRequest
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from alibabacloud_tea_openapi.models import Config
from darabonba.runtime import RuntimeOptions
from Tea.exceptions import TeaException

from alibaba_jupiterone import PACKAGE_NAME, __version__
from alibaba_jupiterone.errors import AlibabaApiError, AlibabaAuthorizationError, ConfigurationError, ProviderError
from alibaba_jupiterone.hooks.alibaba_failures import Failure
from alibaba_jupiterone.hooks.alibaba_settings import AlibabaSettings
from alibaba_jupiterone.hooks.retry import RetryPolicy

T = TypeVar("T")

PAGE_SIZE = 100
"""Instances asked for per DescribeInstances page (the API's maximum)."""


class AlibabaEcsHook(BaseHook):
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

    conn_name_attr = "alibabacloud_conn_id"
    default_conn_name = "alibabacloud_default"
    conn_type = "alibaba_cloud"
    hook_name = "Alibaba Cloud ECS"

    def __init__(self, alibabacloud_conn_id: str = default_conn_name, *, retry: RetryPolicy | None = None) -> None:
        super().__init__()
        self.alibabacloud_conn_id = alibabacloud_conn_id
        self._retry = retry
        self._settings: AlibabaSettings | None = None
        self._region_endpoints: dict[str, str] = {}
        self._clients: dict[str, EcsClient] = {}

    @property
    def settings(self) -> AlibabaSettings:
        """The connection's checked settings (read once, secrets registered with the masker)."""
        if self._settings is None:
            connection = self.get_connection(self.alibabacloud_conn_id)
            settings = AlibabaSettings.from_extra(connection.extra_dejson)
            for secret in (settings.access_key_secret, settings.security_token):
                if secret:
                    mask_secret(secret)
            self._settings = settings
        return self._settings

    @property
    def retry(self) -> RetryPolicy:
        """How this hook retries transient failures."""
        return self._retry or self.settings.retry or RetryPolicy()

    def get_conn(self, region_id: str | None = None) -> EcsClient:
        """The SDK client for ``region_id`` (default: the connection's ``region``).

        Each region is served by its own endpoint: the connection's ``endpoint`` when set, else the
        one DescribeRegions gave (after :meth:`list_regions`), else the SDK's resolution.
        """
        region_id = region_id or self.settings.region
        if region_id not in self._clients:
            self._clients[region_id] = EcsClient(self._client_config(region_id))
        return self._clients[region_id]

    def list_regions(self) -> list[str]:
        """The regions to read: those DescribeRegions lists, narrowed to the connection's allow-list.

        One DescribeRegions call. An allow-listed region that the account cannot see raises
        :class:`~alibaba_jupiterone.errors.ConfigurationError` naming it.
        """
        region = self.settings.region
        request = DescribeRegionsRequest(accept_language="en-US")
        send = partial(self.get_conn(region).describe_regions_with_options, request, _RUNTIME)
        body = self._call("DescribeRegions", region, send).body.to_map()
        listed = (body.get("Regions") or {}).get("Region") or []
        self._region_endpoints = {item["RegionId"]: item.get("RegionEndpoint") for item in listed}
        allowed = self.settings.regions
        if not allowed:
            return list(self._region_endpoints)
        unknown = [region_id for region_id in allowed if region_id not in self._region_endpoints]
        if unknown:
            raise ConfigurationError(
                f"Connection extra 'regions' names regions this account does not have: {', '.join(unknown)} "
                f"(available: {', '.join(self._region_endpoints)})."
            )
        return list(allowed)

    def iter_instances(self, region_id: str) -> Iterator[dict[str, Any]]:
        """Yield every ECS instance of ``region_id``, as the API's own PascalCase dicts.

        The items of DescribeInstances ``Instances.Instance[]``, plain JSON-compatible values, read
        in pages of 100 by ``NextToken`` until the token comes back empty.
        """
        self._check_allowed(region_id)
        client = self.get_conn(region_id)
        token: str | None = None
        page = 0
        while True:
            request = DescribeInstancesRequest(region_id=region_id, max_results=PAGE_SIZE, next_token=token)
            send = partial(client.describe_instances_with_options, request, _RUNTIME)
            body = self._call("DescribeInstances", region_id, send).body
            page += 1
            for instance in body.instances.instance if body.instances and body.instances.instance else ():
                yield instance.to_map()
            if not body.next_token:
                return
            if body.next_token == token:
                raise AlibabaApiError(
                    f"DescribeInstances in {region_id} returned the same NextToken twice (page {page})",
                    region=region_id,
                    request_id=body.request_id,
                )
            token = body.next_token

    def check_permission(self, region_id: str) -> None:
        """Check that the credentials may list instances in ``region_id``, with a ``DryRun`` call.

        Real ECS answers an empty list, not an error, to a RAM user without permission; this is the
        way to tell "no instances" from "not allowed". Raises
        :class:`~alibaba_jupiterone.errors.AlibabaAuthorizationError` when not allowed.
        """
        self._check_allowed(region_id)
        client = self.get_conn(region_id)
        request = DescribeInstancesRequest(region_id=region_id, dry_run=True)

        def dry_run() -> None:
            try:
                client.describe_instances_with_options(request, _RUNTIME)
            except AlibabaCloudException as exc:
                if exc.code != "DryRunOperation":
                    raise

        self._call("DescribeInstances (DryRun)", region_id, dry_run)

    def test_connection(self) -> tuple[bool, str]:
        """Airflow's Test button: list the regions and check permission to list instances in each."""
        try:
            regions = self.list_regions()
            with ThreadPoolExecutor(max_workers=8) as pool:
                denied = [
                    region_id
                    for region_id, allowed in zip(regions, pool.map(self._permitted, regions), strict=True)
                    if not allowed
                ]
        except ProviderError as exc:
            return False, str(exc)
        if denied:
            return False, (
                f"The credentials may not list ECS instances in {len(denied)} of {len(regions)} regions: "
                f"{', '.join(denied)}; grant the RAM user read access to ECS there."
            )
        return True, f"Connected: may list ECS instances in {len(regions)} regions."

    def _permitted(self, region_id: str) -> bool:
        try:
            self.check_permission(region_id)
        except AlibabaAuthorizationError:
            return False
        return True

    def _check_allowed(self, region_id: str) -> None:
        allowed = self.settings.regions
        if allowed and region_id not in allowed:
            raise ConfigurationError(
                f"Region {region_id!r} is not in the connection's 'regions' allow-list ({', '.join(allowed)})."
            )

    def _client_config(self, region_id: str) -> Config:
        settings = self.settings
        config = Config(
            region_id=region_id,
            endpoint=settings.endpoint or self._region_endpoints.get(region_id),
            protocol=settings.protocol,
            read_timeout=settings.read_timeout,
            connect_timeout=settings.connect_timeout,
            user_agent=f"{PACKAGE_NAME}/{__version__}",
        )
        if settings.access_key_id:
            config.access_key_id = settings.access_key_id
            config.access_key_secret = settings.access_key_secret
            config.security_token = settings.security_token
        else:
            from alibabacloud_credentials.client import Client as CredentialClient

            config.credential = CredentialClient()
        return config

    def _call(self, action: str, region_id: str, send: Callable[[], T]) -> T:
        """Run one SDK call under the retry policy; failures become the project's errors."""
        retrying = self.retry.retrying(
            is_transient=lambda exc: Failure.of(exc).transient,
            retry_after=lambda exc: Failure.of(exc).retry_after,
            describe=lambda exc: str(Failure.of(exc)),
            logger=self.log,
            what=f"{action} in {region_id}",
        )
        try:
            return retrying(send)
        except TeaException as exc:
            failure = Failure.of(exc)
            raise failure.to_error(action, region_id, attempts=retrying.statistics.get("attempt_number", 1)) from exc


_RUNTIME = RuntimeOptions()
