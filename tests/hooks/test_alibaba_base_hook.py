"""What every Alibaba Cloud hook shares (AlibabaCloudBaseHook), through the real SDKs against the local sandbox."""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from airflow.sdk._shared.secrets_masker import redact
from alibabacloud_ram20150501.client import Client as RamClient
from alibabacloud_vpc20160428.client import Client as VpcClient
from alibabacloud_vpc20160428.models import DescribeVpcsRequest

from alibaba_jupiterone.errors import (
    AlibabaApiError,
    AlibabaAuthenticationError,
    AlibabaAuthorizationError,
    AlibabaUnavailableError,
    ConfigurationError,
)
from alibaba_jupiterone.hooks.alibaba_base import SDK_RUNTIME, generated_request
from alibaba_jupiterone.hooks.alibaba_ecs import AlibabaEcsHook
from alibaba_jupiterone.hooks.alibaba_failures import Failure
from alibaba_jupiterone.hooks.alibaba_ram import RAM, STS, AlibabaRamHook
from alibaba_jupiterone.hooks.alibaba_vpc import VPC, AlibabaVpcHook
from alibaba_jupiterone.hooks.retry import RetryPolicy
from alibaba_jupiterone.sandbox import DEFAULT_CREDENTIAL, AlibabaCloudSandbox, Fault

FAST_RETRY = RetryPolicy(max_attempts=5, max_elapsed=30, initial_delay=0.01, max_delay=0.05)
SECRET = DEFAULT_CREDENTIAL.access_key_secret


@pytest.fixture
def connect(monkeypatch: pytest.MonkeyPatch):
    """Point the default ``alibaba_cloud`` connection (an env var) at a sandbox; make hooks of it."""

    def connect(sandbox: AlibabaCloudSandbox, hook_class=AlibabaRamHook, *, policy=FAST_RETRY, **extra):
        monkeypatch.setenv("AIRFLOW_CONN_ALIBABACLOUD_DEFAULT", sandbox.connection_json(**extra))
        return hook_class(retry=policy)

    return connect


def test_a_raw_call_sends_what_the_typed_sdk_call_sends_and_keeps_every_field(alibaba_sandbox, connect):
    region_id = alibaba_sandbox.vpc_region_ids[0]
    hook = connect(alibaba_sandbox, AlibabaVpcHook)
    request = DescribeVpcsRequest(region_id=region_id, page_size=50, page_number=1)

    typed = hook.get_client(VPC, region_id).describe_vpcs_with_options(request, SDK_RUNTIME).body.to_map()
    raw = hook.call_json(VPC, region_id, generated_request(VpcClient.describe_vpcs_with_options, request))

    typed_call, raw_call = alibaba_sandbox.requests
    assert (raw_call.product, raw_call.action, raw_call.params) == (
        typed_call.product,
        typed_call.action,
        typed_call.params,
    )
    assert raw_call.params == {"RegionId": region_id, "PageSize": "50", "PageNumber": "1"}
    served = alibaba_sandbox.vpcs(region_id)
    assert raw["Vpcs"]["Vpc"] == served
    # The typed models drop fields the graph needs: the reason raw bodies are read.
    dropped = {"AdvancedResource", "NetworkAclNum"}
    assert all(dropped <= set(item) for item in raw["Vpcs"]["Vpc"])
    assert not any(dropped & set(item) for item in typed["Vpcs"]["Vpc"])


def test_generated_request_refuses_what_is_not_an_sdk_operation():
    with pytest.raises(TypeError, match="not a generated SDK operation"):
        generated_request(lambda client, runtime: None)


def test_the_endpoint_extra_receives_every_products_calls(alibaba_sandbox, connect):
    # Without the override the calls would go to *.aliyuncs.com, unreachable here.
    ecs = connect(alibaba_sandbox, AlibabaEcsHook)
    vpc = connect(alibaba_sandbox, AlibabaVpcHook)
    ram = connect(alibaba_sandbox, AlibabaRamHook)

    ecs_regions = ecs.list_regions()
    vpc_regions = vpc.list_regions()
    vpcs = list(vpc.iter_vpcs(vpc_regions[0]))
    account = ram.get_account()

    assert ecs_regions == alibaba_sandbox.region_ids
    assert vpcs
    assert account == alibaba_sandbox.account
    assert {r.product for r in alibaba_sandbox.requests} == {"ecs", "vpc", "ram", "sts"}
    clients = [ecs.get_conn(), vpc.get_conn(vpc_regions[0]), vpc.get_conn(), ram.get_client(RAM, None)]
    assert {client._endpoint for client in [*clients, ram.get_client(STS, None)]} == {alibaba_sandbox.endpoint}


def test_without_the_endpoint_extra_global_products_use_their_own_endpoints(monkeypatch):
    extra = {"access_key_id": "id-for-endpoint-test", "access_key_secret": "secret-for-endpoint-test"}
    monkeypatch.setenv("AIRFLOW_CONN_ALIBABACLOUD_DEFAULT", json.dumps({"conn_type": "alibaba_cloud", "extra": extra}))
    ram, vpc = AlibabaRamHook(), AlibabaVpcHook()

    assert ram.get_conn()._endpoint == "ram.aliyuncs.com"
    assert ram.get_client(STS, None)._endpoint == "sts.aliyuncs.com"
    # VPC's account-wide calls (DescribeRegions) go to its central endpoint.
    assert vpc.get_conn()._endpoint == "vpc.aliyuncs.com"


def test_clients_are_made_once_per_product_and_region(alibaba_sandbox, connect):
    hook = connect(alibaba_sandbox, AlibabaVpcHook)
    first, second = alibaba_sandbox.vpc_region_ids[:2]

    assert hook.get_conn(first) is hook.get_conn(first)
    assert hook.get_conn(first) is not hook.get_conn(second)
    assert isinstance(hook.get_client(RAM, None), RamClient)
    assert hook.get_client(RAM, None) is hook.get_client(RAM, None)


def test_the_connection_is_read_once(alibaba_sandbox, connect, monkeypatch):
    hook = connect(alibaba_sandbox)
    account = hook.get_account()
    monkeypatch.setenv("AIRFLOW_CONN_ALIBABACLOUD_DEFAULT", json.dumps({"conn_type": "alibaba_cloud", "extra": {}}))

    assert hook.get_account() == account
    assert hook.settings.endpoint == alibaba_sandbox.endpoint


def test_retry_policy_comes_from_the_argument_then_the_connection_then_the_defaults(alibaba_sandbox_factory, connect):
    sandbox = alibaba_sandbox_factory()
    sandbox.inject(Fault("throttle", product="ram", action="GetAccountAlias"))
    from_extra = connect(sandbox, policy=None, retry={"max_attempts": 2, "initial_delay": 0.01})
    from_argument = AlibabaRamHook(retry=RetryPolicy(max_attempts=3, initial_delay=0.01, max_delay=0.02))

    with pytest.raises(AlibabaUnavailableError, match="after 2 attempts"):
        from_extra.get_account()
    with pytest.raises(AlibabaUnavailableError, match="after 3 attempts"):
        from_argument.get_account()

    throttled = [r for r in sandbox.requests if r.action == "GetAccountAlias"]
    assert len(throttled) == 5
    assert connect(sandbox, policy=None).retry == RetryPolicy()


@pytest.mark.parametrize("value", [0, -1, 2.5, True])
def test_max_concurrent_calls_must_be_a_positive_integer(value):
    with pytest.raises(ConfigurationError, match="max_concurrent_calls"):
        AlibabaVpcHook(max_concurrent_calls=value)


@dataclass(frozen=True)
class Denial:
    """A denied action, a hook call that makes it, and the error expected."""

    spec: str
    call: Callable[[AlibabaRamHook, AlibabaVpcHook], object]
    product: str
    action: str
    region: str | None
    code: str


DENIALS = [
    Denial("ram:ListUsers", lambda ram, vpc: list(ram.iter_users()), "RAM", "ListUsers", None, "NoPermission"),
    Denial(
        "sts:GetCallerIdentity", lambda ram, vpc: ram.get_account(), "STS", "GetCallerIdentity", None, "NoPermission"
    ),
    Denial(
        "vpc:DescribeVpcAttribute@cn-beijing",
        lambda ram, vpc: list(vpc.iter_vpcs("cn-beijing")),
        "VPC",
        "DescribeVpcAttribute",
        "cn-beijing",
        "Forbidden.RAM",
    ),
    Denial("vpc:DescribeRegions", lambda ram, vpc: vpc.list_regions(), "VPC", "DescribeRegions", None, "Forbidden.RAM"),
]


@pytest.mark.parametrize("denial", DENIALS, ids=lambda denial: denial.spec)
def test_a_denied_call_fails_at_once_naming_product_action_and_region(alibaba_sandbox_factory, connect, denial):
    sandbox = alibaba_sandbox_factory(
        vpcs={"cn-beijing": [{"VpcId": f"vpc-denied{n}", "RegionId": "cn-beijing"} for n in range(3)]},
        denied=[denial.spec],
    )
    slow_retry = RetryPolicy(max_attempts=8, initial_delay=5)
    ram, vpc = connect(sandbox, policy=slow_retry), connect(sandbox, AlibabaVpcHook, policy=slow_retry)

    with pytest.raises(AlibabaAuthorizationError) as raised:
        denial.call(ram, vpc)

    error = raised.value
    expected = (denial.product, denial.action, denial.region, denial.code, 403)
    assert (error.product, error.action, error.region, error.code, error.status) == expected
    where = f"in {denial.region}" if denial.region else "(global)"
    assert f"{denial.product} {denial.action} {where}" in str(error)
    assert error.request_id in {r.request_id for r in sandbox.requests if r.action == denial.action}
    refused = [tuple(sorted(r.params.items())) for r in sandbox.requests if r.code == denial.code]
    assert len(refused) == len(set(refused)) >= 1, "a refused request is never retried"


@pytest.mark.parametrize(
    ("code", "error_type", "transient"),
    [
        ("NoPermission", AlibabaAuthorizationError, False),
        ("Forbidden.RAM", AlibabaAuthorizationError, False),
        ("Forbidden", AlibabaAuthorizationError, False),
        ("Forbbiden", AlibabaAuthorizationError, False),
        ("InvalidAccessKeyId.NotFound", AlibabaAuthenticationError, False),
        ("SignatureDoesNotMatch", AlibabaAuthenticationError, False),
        ("InvalidSecurityToken.Expired", AlibabaAuthenticationError, False),
        ("Throttling", AlibabaUnavailableError, True),
        ("Throttling.User", AlibabaUnavailableError, True),
        ("Throttling.Concurrent", AlibabaUnavailableError, True),
        ("ServiceUnavailable", AlibabaUnavailableError, True),
        ("EntityNotExist.Group", AlibabaApiError, False),
    ],
)
def test_error_codes_of_every_product_are_classified(code, error_type, transient):
    failure = Failure(code=code, status=400, request_id="REQ-1", message="the message")

    error = failure.to_error("RAM", "ListUsers", None, read_policy="AliyunRAMReadOnlyAccess")

    assert failure.transient is transient
    assert type(error) is error_type
    assert "RAM ListUsers (global)" in str(error)
    assert (error.product, error.action, error.code) == ("RAM", "ListUsers", code)


def test_an_authorization_error_names_the_products_read_only_policy():
    failure = Failure(code="Forbidden.RAM", status=403, request_id="REQ-2", message="not allowed")

    error = failure.to_error("VPC", "DescribeVpcs", "cn-beijing", read_policy="AliyunVPCReadOnlyAccess")

    assert "VPC DescribeVpcs in cn-beijing" in str(error)
    assert "AliyunVPCReadOnlyAccess" in str(error)


def test_secrets_never_reach_errors_or_logs(alibaba_sandbox_factory, connect, caplog, capfd):
    sandbox = alibaba_sandbox_factory("synthetic", 10, region_count=2, users=30, groups=3, roles=3, policies=5)
    sandbox.inject(Fault("throttle", product="ram", action="ListPoliciesForUser", times=3))
    sandbox.inject(Fault("throttle", product="vpc", action="DescribeVpcAttribute", times=2))
    sandbox.inject(Fault("drop", product="sts", times=1))
    with caplog.at_level(logging.DEBUG):
        ram = connect(sandbox)
        ram.read_directory()
        ram.get_account()
        vpc = connect(sandbox, AlibabaVpcHook)
        for region_id in vpc.list_regions():
            list(vpc.iter_vpcs(region_id))
        with pytest.raises(AlibabaAuthenticationError) as ram_error:
            connect(sandbox, access_key_secret=SECRET + "-wrong").get_account()
        with pytest.raises(AlibabaAuthenticationError) as vpc_error:
            connect(sandbox, AlibabaVpcHook, access_key_secret=SECRET + "-wrong").list_regions()
        errors = [ram_error.value, vpc_error.value]
        logging.getLogger("test").warning("hook settings: %r", ram.settings)

    captured = capfd.readouterr()
    assert "retry" in captured.out, "the retries were logged"
    assert redact(f"key {SECRET}") == "key ***", "the secret is registered with Airflow's masker"
    for text in (caplog.text, captured.out, captured.err, *map(str, errors), *map(repr, errors)):
        assert SECRET not in text


def test_per_item_calls_are_bounded_for_the_whole_hook(alibaba_sandbox_factory, connect):
    # Two listings at once on one hook share its bound: 2 x 12 calls of 0.1 s, at most 3 at a time.
    vpcs = {
        region_id: [{"VpcId": f"vpc-{region_id}-{n:02}", "RegionId": region_id} for n in range(12)]
        for region_id in ("cn-beijing", "cn-shanghai")
    }
    sandbox = alibaba_sandbox_factory(vpcs=vpcs)
    sandbox.inject(Fault("latency", product="vpc", action="DescribeVpcAttribute", delay=0.1))
    connect(sandbox, AlibabaVpcHook)
    hook = AlibabaVpcHook(retry=FAST_RETRY, max_concurrent_calls=3)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        listed = list(pool.map(lambda region_id: list(hook.iter_vpcs(region_id)), vpcs))
    elapsed = time.monotonic() - started

    assert [[v["VpcId"] for v in region] for region in listed] == [[v["VpcId"] for v in vpcs[r]] for r in vpcs]
    assert elapsed >= math.ceil(24 / 3) * 0.1 * 0.95, "never more than 3 calls at once"
    assert elapsed < 24 * 0.1, "the calls do overlap"
