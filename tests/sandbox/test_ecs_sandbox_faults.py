"""Fault injection in the ECS sandbox, as the official SDK experiences it."""

from __future__ import annotations

import time

import pytest
from alibabacloud_ecs20140526.models import DescribeInstancesRequest, DescribeRegionsRequest
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
from darabonba.exceptions import UnretryableException
from ecs_wire import make_instance, sdk_client

from alibaba_jupiterone.sandbox import Credential, EcsSandbox, Fault
from alibaba_jupiterone.sandbox.alibaba.faults import parse_fault


@pytest.fixture
def sandbox(sandbox: EcsSandbox) -> EcsSandbox:
    sandbox.add_instances("cn-hangzhou", [make_instance(n) for n in range(3)])
    return sandbox


def list_hangzhou(client) -> int:
    return len(client.describe_instances(DescribeInstancesRequest(region_id="cn-hangzhou")).body.instances.instance)


def test_throttle_the_first_n_requests(sandbox):
    sandbox.inject(Fault("throttle", region="cn-hangzhou", times=2))
    client = sdk_client(sandbox)

    for _ in range(2):
        with pytest.raises(ClientException) as raised:
            list_hangzhou(client)
        assert (raised.value.status_code, raised.value.code) == (400, "Throttling.User")
        assert raised.value.data["Message"] == "Request was denied due to user flow control."
    assert list_hangzhou(client) == 3
    assert [r.code for r in sandbox.requests] == ["Throttling.User", "Throttling.User", None]


def test_retry_after_makes_the_sdk_raise_throttling_exception(sandbox):
    sandbox.inject(Fault("throttle", code="Throttling.Api", retry_after_ms=1500, times=1))

    with pytest.raises(ThrottlingException) as raised:
        list_hangzhou(sdk_client(sandbox))

    assert (raised.value.code, raised.value.retry_after, raised.value.status_code) == ("Throttling.Api", 1500, 400)


@pytest.mark.parametrize(
    ("code", "status"), [(None, 503), ("InternalError", 500), ("UnknownError", 500), ("ServiceUnavailable", 503)]
)
def test_server_errors(sandbox, code, status):
    sandbox.inject(Fault("error", code=code, times=1))

    with pytest.raises(ServerException) as raised:
        list_hangzhou(sdk_client(sandbox))

    assert (raised.value.status_code, raised.value.code) == (status, code or "ServiceUnavailable")


def test_a_client_error_code_can_be_injected_too(sandbox):
    sandbox.inject(Fault("error", code="Throttling", retry_after_ms=200))

    with pytest.raises(ThrottlingException) as raised:
        list_hangzhou(sdk_client(sandbox))

    assert (raised.value.status_code, raised.value.code, raised.value.retry_after) == (400, "Throttling", 200)


def test_latency_delays_a_normal_answer(sandbox):
    sandbox.inject(Fault("latency", action="DescribeInstances", delay=0.3))
    client = sdk_client(sandbox)

    started = time.monotonic()
    assert list_hangzhou(client) == 3
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    client.describe_regions(DescribeRegionsRequest())
    assert time.monotonic() - started < 0.3


def test_timeout_outlasts_the_clients_read_timeout(sandbox):
    sandbox.inject(Fault("timeout", delay=5, times=1))
    client = sdk_client(sandbox, read_timeout=200)

    started = time.monotonic()
    with pytest.raises(UnretryableException, match=r"(?i)timed out"):
        list_hangzhou(client)

    assert time.monotonic() - started < 2
    assert list_hangzhou(client) == 3


def test_drop_closes_the_connection_without_an_answer(sandbox):
    sandbox.inject(Fault("drop", times=1))
    client = sdk_client(sandbox)

    with pytest.raises(UnretryableException, match=r"(?i)connection"):
        list_hangzhou(client)

    assert list_hangzhou(client) == 3
    assert [(r.status, r.code) for r in sandbox.requests] == [(None, None), (200, None)]


def test_rate_strikes_a_seeded_share_of_requests(ecs_sandbox_factory):
    def failures(seed: int) -> list[bool]:
        sandbox = ecs_sandbox_factory(regions=[{"RegionId": "cn-hangzhou"}], seed=seed)
        sandbox.inject(Fault("error", rate=0.5))
        client = sdk_client(sandbox)
        outcome = []
        for _ in range(40):
            try:
                list_hangzhou(client)
                outcome.append(False)
            except ServerException:
                outcome.append(True)
        return outcome

    first = failures(seed=1)

    assert 8 < sum(first) < 32
    assert failures(seed=1) == first


def test_faults_match_region_and_action(sandbox):
    sandbox.inject(Fault("throttle", region="cn-beijing", action="DescribeInstances"))
    sandbox.inject(Fault("error", action="DescribeRegions"))
    client = sdk_client(sandbox)

    assert list_hangzhou(client) == 3
    with pytest.raises(ClientException) as raised:
        client.describe_instances(DescribeInstancesRequest(region_id="cn-beijing"))
    assert raised.value.code == "Throttling.User"
    with pytest.raises(ServerException):
        client.describe_regions(DescribeRegionsRequest())

    sandbox.clear_faults()
    assert client.describe_regions(DescribeRegionsRequest()).status_code == 200


def test_a_regional_fault_spares_describe_regions_sent_without_region(sandbox):
    sandbox.inject(Fault("error", region="cn-hangzhou"))

    assert sdk_client(sandbox).describe_regions(DescribeRegionsRequest()).status_code == 200


def test_bad_credentials_fail_before_faults_apply(sandbox):
    sandbox.inject(Fault("drop", times=1))

    with pytest.raises(ClientException) as raised:
        list_hangzhou(sdk_client(sandbox, Credential("unknown", "secret")))
    assert raised.value.code == "InvalidAccessKeyId.NotFound"
    with pytest.raises(UnretryableException):
        list_hangzhou(sdk_client(sandbox))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "explode"},
        {"kind": "throttle", "times": 2, "rate": 0.5},
        {"kind": "throttle", "times": 0},
        {"kind": "error", "rate": 1.5},
        {"kind": "error", "code": "NoSuchCode"},
        {"kind": "latency", "code": "InternalError"},
        {"kind": "drop", "retry_after_ms": 100},
        {"kind": "timeout"},
    ],
)
def test_meaningless_faults_are_refused(kwargs):
    with pytest.raises(ValueError):  # noqa: PT011
        Fault(**kwargs)


def test_fault_specs_parse():
    assert parse_fault("throttle:cn-hangzhou:DescribeInstances,times=3,retry_after_ms=500") == Fault(
        "throttle", "cn-hangzhou", "DescribeInstances", times=3, retry_after_ms=500
    )
    assert parse_fault("error:*,code=InternalError,rate=0.25") == Fault("error", code="InternalError", rate=0.25)
    assert parse_fault("latency::DescribeRegions,delay=0.5") == Fault("latency", action="DescribeRegions", delay=0.5)
    with pytest.raises(ValueError, match="unknown fault option"):
        parse_fault("drop:*,often=yes")
