"""``AlibabaCloudBaseHook``: what every Alibaba Cloud hook of this provider shares.

One connection, read once; one retry policy; one way to build SDK clients, to make a call and to
turn its failure into this provider's errors, whichever product (ECS, VPC, RAM, STS) is called.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from airflow.sdk import BaseHook
from airflow.sdk.log import mask_secret
from alibabacloud_tea_openapi.client import Client as OpenApiClient
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_openapi.utils_models import OpenApiRequest, Params
from darabonba.runtime import RuntimeOptions
from Tea.exceptions import TeaException

from alibaba_jupiterone import PACKAGE_NAME, __version__
from alibaba_jupiterone.errors import AlibabaApiError, AlibabaAuthorizationError, ConfigurationError, ProviderError
from alibaba_jupiterone.hooks.alibaba_failures import Failure, call_site
from alibaba_jupiterone.hooks.alibaba_settings import AlibabaSettings
from alibaba_jupiterone.hooks.retry import RetryPolicy

T = TypeVar("T")
R = TypeVar("R")

SDK_RUNTIME = RuntimeOptions()
"""The runtime options of every call: the SDK's defaults (the hooks retry by themselves)."""

DEFAULT_MAX_CONCURRENT_CALLS = 8


@dataclass(frozen=True)
class AlibabaProduct:
    """One Alibaba Cloud OpenAPI product, as the hooks call it.

    :param name: names the product in errors and logs (``VPC``).
    :param client_class: the generated SDK client (``alibabacloud_vpc20160428.client.Client``).
    :param endpoint: the product's one endpoint when it is global (``ram.aliyuncs.com``), or the
        endpoint of its account-wide calls (a regional product's DescribeRegions); ``None`` to let
        the SDK resolve it.
    :param read_policy: the system policy that grants read access, named when access is denied.
    """

    name: str
    client_class: type[OpenApiClient]
    endpoint: str | None = None
    read_policy: str | None = None


@dataclass(frozen=True)
class SdkRequest:
    """One API call exactly as a generated SDK client builds it, ready for ``client.call_api``."""

    params: Params
    request: OpenApiRequest

    @property
    def action(self) -> str:
        """The API action (``DescribeVpcs``)."""
        return self.params.action


class _RequestRecorder:
    """Stands in for a client, so that a generated ``*_with_options`` method only builds its request."""

    def __init__(self) -> None:
        self.built: SdkRequest | None = None

    def call_api(self, params: Params, request: OpenApiRequest, runtime: RuntimeOptions) -> dict[str, Any]:
        self.built = SdkRequest(params, request)
        return {}


def generated_request(operation: Callable[..., Any], *arguments: Any) -> SdkRequest:
    """The request a generated SDK operation would send, built by that operation's own code.

    ``operation`` is the unbound ``*_with_options`` method of a generated client (for example
    ``VpcClient.describe_vpcs_with_options``) and ``arguments`` its typed request, if it takes one.
    The typed answer models drop fields the API returns: sending this request with
    :meth:`AlibabaCloudBaseHook.call_json` gives the whole JSON body, and the request on the wire
    stays the one the typed call sends (same action, version, style and query).
    """
    recorder = _RequestRecorder()
    operation(recorder, *arguments, SDK_RUNTIME)
    if recorder.built is None:
        raise TypeError(f"{operation!r} did not build a request: it is not a generated SDK operation")
    return recorder.built


def listed_items(
    body: dict[str, Any], path: str, *, product: AlibabaProduct, action: str, region_id: str | None
) -> list[dict[str, Any]]:
    """The items an answer lists under ``path`` (``"Vpcs.Vpc"``): ``[]`` when absent or empty.

    Anything but a list of objects there raises :class:`~alibaba_jupiterone.errors.AlibabaApiError`
    naming the product, action and region.
    """
    container, item = path.split(".")
    wrapper = body.get(container) or {}
    items = (wrapper.get(item) if isinstance(wrapper, dict) else None) or []
    if not isinstance(wrapper, dict) or not isinstance(items, list) or not all(isinstance(e, dict) for e in items):
        raise AlibabaApiError(
            f"{call_site(product.name, action, region_id)} answered {path} that is not a list of objects",
            region=region_id,
            request_id=body.get("RequestId"),
            product=product.name,
            action=action,
        )
    return items


class AlibabaCloudBaseHook(BaseHook):
    """Base of the Alibaba Cloud hooks: connection, retries, SDK clients, errors and bounded concurrency.

    It uses an ``alibaba_cloud`` connection, the type of apache-airflow-providers-alibaba, whose
    extras are described by :class:`~alibaba_jupiterone.hooks.alibaba_settings.AlibabaSettings`;
    its ``endpoint`` extra, when set, receives the calls of every product. Throttling, 5xx answers,
    timeouts and dropped connections are retried as ``retry`` says; credential and permission
    failures raise :class:`~alibaba_jupiterone.errors.AlibabaAuthError` at once. Every error names
    the product, the action and the region (or "global"). The access key secret and STS token are
    masked in Airflow's logs.

    :param alibabacloud_conn_id: the Airflow connection to use.
    :param retry: how transient failures are retried (default: the connection's ``retry`` extra,
        else :class:`~alibaba_jupiterone.hooks.retry.RetryPolicy`'s defaults).
    :param max_concurrent_calls: the most per-item calls (one per listed item) this hook makes at
        once, all its listings together.
    """

    conn_name_attr = "alibabacloud_conn_id"
    default_conn_name = "alibabacloud_default"
    conn_type = "alibaba_cloud"
    hook_name = "Alibaba Cloud"

    def __init__(
        self,
        alibabacloud_conn_id: str = default_conn_name,
        *,
        retry: RetryPolicy | None = None,
        max_concurrent_calls: int = DEFAULT_MAX_CONCURRENT_CALLS,
    ) -> None:
        super().__init__()
        if isinstance(max_concurrent_calls, bool) or not isinstance(max_concurrent_calls, int):
            raise ConfigurationError(f"max_concurrent_calls must be an integer, got {max_concurrent_calls!r}.")
        if max_concurrent_calls < 1:
            raise ConfigurationError(f"max_concurrent_calls must be at least 1, got {max_concurrent_calls}.")
        self.alibabacloud_conn_id = alibabacloud_conn_id
        self.max_concurrent_calls = max_concurrent_calls
        self._retry = retry
        self._settings: AlibabaSettings | None = None
        self._settings_lock = threading.Lock()
        self._region_endpoints: dict[str, dict[str, str | None]] = {}
        self._clients: dict[tuple[str, str | None, str | None], OpenApiClient] = {}
        self._clients_lock = threading.Lock()
        self._call_slots = threading.BoundedSemaphore(max_concurrent_calls)

    @property
    def settings(self) -> AlibabaSettings:
        """The connection's checked settings (read once, secrets registered with the masker)."""
        with self._settings_lock:
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

    def get_client(self, product: AlibabaProduct, region_id: str | None) -> OpenApiClient:
        """The SDK client of ``product`` for ``region_id`` (``None``: the product's global endpoint).

        The endpoint is the connection's ``endpoint`` when set; else, for ``None``, the product's
        own; else the one the product's DescribeRegions gave for the region (see
        :meth:`remember_region_endpoints`); else the product's own, if it has one; else the SDK's
        resolution. Clients are made once per product, region and endpoint.
        """
        endpoint = self.endpoint_for(product, region_id)
        key = (product.name, region_id, endpoint)
        with self._clients_lock:
            if key not in self._clients:
                self._clients[key] = product.client_class(self._client_config(region_id, endpoint))
            return self._clients[key]

    def endpoint_for(self, product: AlibabaProduct, region_id: str | None) -> str | None:
        """The endpoint a call of ``product`` for ``region_id`` goes to (``None``: the SDK decides)."""
        if self.settings.endpoint:
            return self.settings.endpoint
        if region_id is None:
            return product.endpoint
        return self._region_endpoints.get(product.name, {}).get(region_id) or product.endpoint

    def remember_region_endpoints(self, product: AlibabaProduct, regions: Iterable[dict[str, Any]]) -> None:
        """Keep the ``RegionEndpoint`` of each of ``product``'s DescribeRegions ``Regions.Region[]`` items.

        They replace what an earlier DescribeRegions answer gave.
        """
        self._region_endpoints[product.name] = {
            region["RegionId"]: region.get("RegionEndpoint") or None
            for region in regions
            if isinstance(region.get("RegionId"), str)
        }

    def known_regions(self, product: AlibabaProduct) -> list[str] | None:
        """The regions of ``product``'s last DescribeRegions answer, in order; ``None`` before any."""
        endpoints = self._region_endpoints.get(product.name)
        return None if endpoints is None else list(endpoints)

    def check_region_allowed(self, region_id: str) -> None:
        """Raise :class:`~alibaba_jupiterone.errors.ConfigurationError` if the connection's ``regions``
        allow-list does not name ``region_id``."""
        allowed = self.settings.regions
        if allowed and region_id not in allowed:
            raise ConfigurationError(
                f"Region {region_id!r} is not in the connection's 'regions' allow-list ({', '.join(allowed)})."
            )

    def narrow_regions(self, product: AlibabaProduct, available: Sequence[str], *, strict: bool = True) -> list[str]:
        """The regions to read among those ``product``'s DescribeRegions listed: the allow-list, if any.

        An allow-listed region missing from ``available`` raises
        :class:`~alibaba_jupiterone.errors.ConfigurationError` naming it, or with ``strict=False`` is
        left out (for a connection whose allow-list serves several products).
        """
        allowed = self.settings.regions
        if not allowed:
            return list(available)
        unknown = [region_id for region_id in allowed if region_id not in available]
        if not strict:
            return [region_id for region_id in allowed if region_id in available]
        if unknown:
            raise ConfigurationError(
                f"Connection extra 'regions' names regions that {product.name} does not list for this account: "
                f"{', '.join(unknown)} (available: {', '.join(available)})."
            )
        return list(allowed)

    def call(self, product: AlibabaProduct, action: str, region_id: str | None, send: Callable[[], T]) -> T:
        """Run one SDK call under the retry policy; its failure raises this provider's error.

        :param action: names the call in logs and errors.
        :param region_id: the region called, ``None`` for a global call.
        """
        retrying = self.retry.retrying(
            is_transient=lambda exc: Failure.of(exc).transient,
            retry_after=lambda exc: Failure.of(exc).retry_after,
            describe=lambda exc: str(Failure.of(exc)),
            logger=self.log,
            what=call_site(product.name, action, region_id),
        )
        try:
            return retrying(send)
        except TeaException as exc:
            raise Failure.of(exc).to_error(
                product.name,
                action,
                region_id,
                attempts=retrying.statistics.get("attempt_number", 1),
                read_policy=product.read_policy,
            ) from exc

    def check_dry_run(self, product: AlibabaProduct, action: str, region_id: str, send: Callable[[], object]) -> None:
        """Make a ``DryRun`` call of ``action``: the API's ``DryRunOperation`` answer means "allowed".

        A ``Forbidden``-family answer raises :class:`~alibaba_jupiterone.errors.AlibabaAuthorizationError`.
        An answer that ignores ``DryRun`` and returns data also means "allowed".
        """

        def dry_run() -> None:
            try:
                send()
            except AlibabaCloudException as exc:
                if exc.code != "DryRunOperation":
                    raise

        self.call(product, f"{action} (DryRun)", region_id, dry_run)

    def test_regional_access(
        self, product: AlibabaProduct, listed: str, list_regions: Callable[[], list[str]], check: Callable[[str], None]
    ) -> tuple[bool, str]:
        """Airflow's Test button for a regional product: list its regions and ``check`` the permission in each.

        :param listed: what the permission is for, in the messages (``ECS instances``, ``VPCs``).
        """
        try:
            regions = list_regions()
            denied = self.denied_regions(regions, check)
        except ProviderError as exc:
            return False, str(exc)
        if denied:
            example = f" (for example the {product.read_policy} policy)" if product.read_policy else ""
            return False, (
                f"The credentials may not list {listed} in {len(denied)} of {len(regions)} regions: "
                f"{', '.join(denied)}; grant the RAM user read access to {product.name} there{example}."
            )
        return True, f"Connected: may list {listed} in {len(regions)} regions."

    def denied_regions(self, regions: Sequence[str], check: Callable[[str], None]) -> list[str]:
        """The regions for which ``check`` raises :class:`~alibaba_jupiterone.errors.AlibabaAuthorizationError`.

        The checks run concurrently (see :meth:`map_concurrently`); any other error is raised.
        """

        def denied(region_id: str) -> bool:
            try:
                check(region_id)
            except AlibabaAuthorizationError:
                return True
            return False

        return [region_id for region_id, no in zip(regions, self.map_concurrently(denied, regions), strict=True) if no]

    def call_json(self, product: AlibabaProduct, region_id: str | None, sdk_request: SdkRequest) -> dict[str, Any]:
        """Send ``sdk_request`` (see :func:`generated_request`) and return the answer's whole JSON body."""
        client = self.get_client(product, region_id)
        send = partial(client.call_api, sdk_request.params, sdk_request.request, SDK_RUNTIME)
        body = self.call(product, sdk_request.action, region_id, send).get("body")
        if not isinstance(body, dict):
            raise AlibabaApiError(
                f"{call_site(product.name, sdk_request.action, region_id)} answered {type(body).__name__}, "
                "not a JSON object",
                region=region_id,
                product=product.name,
                action=sdk_request.action,
            )
        return body

    def map_concurrently(self, function: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``[function(item) for item in items]``, computed at most ``max_concurrent_calls`` at a time.

        The bound holds for all the calls of this hook together, whichever thread asks (so
        ``function`` must not call this method itself). The results keep the order of ``items``.
        The first failure cancels the calls not yet started and is raised once the running ones end.
        """
        items = list(items)
        if len(items) <= 1:
            return [self._in_slot(function, item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.max_concurrent_calls, len(items))) as pool:
            futures = [pool.submit(self._in_slot, function, item) for item in items]
            done, pending = wait(futures, return_when=FIRST_EXCEPTION)
            for future in pending:
                future.cancel()
        failed = [future for future in futures if future in done and future.exception() is not None]
        if failed:
            raise failed[0].exception()
        return [future.result() for future in futures]

    def _in_slot(self, function: Callable[[T], R], item: T) -> R:
        with self._call_slots:
            return function(item)

    def _client_config(self, region_id: str | None, endpoint: str | None) -> Config:
        settings = self.settings
        config = Config(
            region_id=region_id or settings.region,
            endpoint=endpoint,
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
