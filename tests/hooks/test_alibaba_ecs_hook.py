"""AlibabaEcsHook through the real Alibaba Cloud SDK against the local ECS sandbox, over real HTTP."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections import Counter

import pytest
from airflow.sdk._shared.secrets_masker import redact
from alibabacloud_ecs20140526.models import DescribeInstancesResponseBody

from alibaba_jupiterone.errors import (
    AlibabaAuthenticationError,
    AlibabaAuthError,
    AlibabaAuthorizationError,
    AlibabaUnavailableError,
    ConfigurationError,
)
from alibaba_jupiterone.hooks.alibaba_ecs import AlibabaEcsHook
from alibaba_jupiterone.hooks.retry import RetryPolicy
from alibaba_jupiterone.sandbox import DEFAULT_CREDENTIAL, Credential, EcsSandbox, Fault
from alibaba_jupiterone.sandbox.ecs.synthetic import synthetic_fleet

FAST_RETRY = RetryPolicy(max_attempts=5, max_elapsed=30, initial_delay=0.01, max_delay=0.05)
SECRET = DEFAULT_CREDENTIAL.access_key_secret


@pytest.fixture
def connect(monkeypatch: pytest.MonkeyPatch):
    """Make a hook whose ``alibaba_cloud`` connection (an env var) points at a sandbox."""

    def connect(sandbox: EcsSandbox, retry: RetryPolicy = FAST_RETRY, **extra) -> AlibabaEcsHook:
        connection = {"conn_type": "alibaba_cloud", "extra": sandbox.connection_extra(**extra)}
        monkeypatch.setenv("AIRFLOW_CONN_ALIBABACLOUD_DEFAULT", json.dumps(connection))
        return AlibabaEcsHook(retry=retry)

    return connect


def sandbox_with(instances: dict[str, int], **kwargs) -> EcsSandbox:
    """A sandbox whose regions hold the given numbers of synthetic instances (the others none)."""
    _, fleet = synthetic_fleet(sum(instances.values()), region_count=29, seed=7)
    records = (record for region_records in fleet.values() for record in region_records)
    placed = {
        region_id: [{**next(records), "RegionId": region_id} for _ in range(count)]
        for region_id, count in instances.items()
    }
    return EcsSandbox(instances=placed, **kwargs)


def calls(sandbox: EcsSandbox, action: str = "DescribeInstances", region_id: str | None = None) -> list:
    return [r for r in sandbox.requests if r.action == action and region_id in (None, r.region_id)]


def test_lists_every_page_of_a_region_and_an_empty_region(connect):
    with sandbox_with({"cn-hangzhou": 237}) as sandbox:
        hook = connect(sandbox)

        instances = list(hook.iter_instances("cn-hangzhou"))
        empty = list(hook.iter_instances("cn-beijing"))

    assert [i["InstanceId"] for i in instances] == [i["InstanceId"] for i in sandbox.instances("cn-hangzhou")]
    assert len({i["InstanceId"] for i in instances}) == 237
    assert empty == []
    pages = calls(sandbox, region_id="cn-hangzhou")
    assert len(pages) == 3
    assert all(page.params["MaxResults"] == "100" for page in pages)
    assert "NextToken" not in pages[0].params
    assert len(calls(sandbox, region_id="cn-beijing")) == 1


def test_instances_are_plain_json_in_the_api_shape(connect, ecs_sandbox):
    region_id = next(r for r in ecs_sandbox.region_ids if ecs_sandbox.instances(r))
    hook = connect(ecs_sandbox)

    instances = list(hook.iter_instances(region_id))

    assert instances == ecs_sandbox.instances(region_id)
    assert json.loads(json.dumps(instances)) == instances


def test_instances_keep_every_field_the_api_returns(connect):
    # What the typed SDK model would change: a field it does not know, an explicit null, empty wrappers.
    _, fleet = synthetic_fleet(3, region_count=1, seed=2)
    first, second, third = next(iter(fleet.values()))
    served = [
        {**first, "FieldTheSdkModelLacks": {"Nested": [1, "two"]}, "Memory": None},
        {**second, "Tags": {}, "OperationLocks": {}, "NetworkInterfaces": {}},
        third,
    ]
    as_typed_model = DescribeInstancesResponseBody().from_map({"Instances": {"Instance": served}}).to_map()
    assert as_typed_model["Instances"]["Instance"][:2] != served[:2], "the records must show what the model changes"

    with EcsSandbox(instances={"cn-hangzhou": served}) as sandbox:
        listed = list(connect(sandbox).iter_instances("cn-hangzhou"))

    assert listed == served


def test_lists_twenty_regions_from_describe_regions(connect):
    with EcsSandbox.synthetic(300, region_count=20, seed=3) as sandbox:
        hook = connect(sandbox)

        regions = hook.list_regions()
        listed = {region_id: list(hook.iter_instances(region_id)) for region_id in regions}

    assert regions == sandbox.region_ids
    assert len(regions) == 20
    assert sum(len(items) for items in listed.values()) == 300
    assert len(calls(sandbox, "DescribeRegions")) == 1


def test_lists_exactly_a_5000_instance_fleet_despite_throttling(connect):
    with EcsSandbox.synthetic(5000, region_count=20, seed=11) as sandbox:
        throttled_regions = sandbox.region_ids[::4]
        for region_id in throttled_regions:
            sandbox.inject(Fault("throttle", region=region_id, action="DescribeInstances", times=2))
        hook = connect(sandbox)

        listed = [i["InstanceId"] for region_id in hook.list_regions() for i in hook.iter_instances(region_id)]
        fleet = [i["InstanceId"] for region_id in sandbox.region_ids for i in sandbox.instances(region_id)]

    assert len(listed) == len(set(listed)) == 5000
    assert sorted(listed) == sorted(fleet)
    throttled = [r.region_id for r in calls(sandbox) if r.code == "Throttling.User"]
    assert Counter(throttled) == dict.fromkeys(throttled_regions, 2)


def test_regions_come_from_the_api_not_a_fixed_list(connect):
    regions = [{"RegionId": "xx-new-1", "LocalName": "New", "RegionEndpoint": "ecs.xx-new-1.aliyuncs.com"}]
    with EcsSandbox(regions=regions) as sandbox:
        assert connect(sandbox).list_regions() == ["xx-new-1"]


@pytest.mark.parametrize("allow_list", [["us-east-1", "cn-beijing"], "us-east-1, cn-beijing"])
def test_allow_list_narrows_the_regions(connect, ecs_sandbox, allow_list):
    hook = connect(ecs_sandbox, regions=allow_list)

    assert hook.list_regions() == ["us-east-1", "cn-beijing"]
    with pytest.raises(ConfigurationError, match="cn-shanghai"):
        next(hook.iter_instances("cn-shanghai"))


def test_an_allow_listed_region_that_does_not_exist_is_named(connect, ecs_sandbox):
    hook = connect(ecs_sandbox, regions=["cn-hangzhou", "mars-north-1"])

    with pytest.raises(ConfigurationError, match="mars-north-1") as raised:
        hook.list_regions()
    assert "cn-hangzhou" not in str(raised.value).split("(available")[0]


def test_endpoint_override_serves_every_region(connect):
    # The sandbox's regions carry their real endpoints (ecs.<region>.aliyuncs.com), unreachable here:
    # listing succeeds only because every call goes to the endpoint override.
    with EcsSandbox.synthetic(120, region_count=29, seed=5) as sandbox:
        hook = connect(sandbox)
        total = sum(len(list(hook.iter_instances(region_id))) for region_id in hook.list_regions())

    assert total == 120
    assert {r.region_id for r in calls(sandbox)} == set(sandbox.region_ids)


def test_without_override_each_region_uses_its_own_endpoint(monkeypatch):
    extra = {"access_key_id": "id-for-endpoint-test", "access_key_secret": "secret-for-endpoint-test"}
    monkeypatch.setenv("AIRFLOW_CONN_ALIBABACLOUD_DEFAULT", json.dumps({"conn_type": "alibaba_cloud", "extra": extra}))
    hook = AlibabaEcsHook()

    # No DescribeRegions answer yet: the SDK's own resolution, one client per region.
    assert hook.get_conn("eu-central-1")._endpoint == "ecs.eu-central-1.aliyuncs.com"
    assert hook.get_conn("cn-hangzhou")._endpoint == "ecs-cn-hangzhou.aliyuncs.com"
    assert hook.get_conn("eu-central-1") is hook.get_conn("eu-central-1")


def test_sts_credentials(connect):
    sts = Credential("STS.sandbox-temporary-id", "sandbox-temporary-secret", security_token="sandbox-sts-token-1")
    with sandbox_with({"cn-shanghai": 12}, credentials=[sts]) as sandbox:
        assert len(list(connect(sandbox, credential=sts).iter_instances("cn-shanghai"))) == 12

        wrong = connect(sandbox, credential=sts, security_token="sandbox-sts-token-2")
        with pytest.raises(AlibabaAuthenticationError, match="InvalidSecurityToken"):
            list(wrong.iter_instances("cn-shanghai"))


def test_expired_sts_token_fails_with_a_hint(connect):
    sts = Credential("STS.sandbox-expired-id", "sandbox-expired-secret", security_token="old-token", token_expired=True)
    with (
        EcsSandbox(credentials=[sts]) as sandbox,
        pytest.raises(AlibabaAuthenticationError, match="issue a new one") as raised,
    ):
        connect(sandbox, credential=sts).list_regions()
    assert raised.value.code == "InvalidSecurityToken.Expired"
    assert len(sandbox.requests) == 1


def test_throttling_is_retried_until_it_succeeds(connect, capsys):
    with sandbox_with({"cn-hangzhou": 150, "eu-central-1": 30}) as sandbox:
        sandbox.inject(Fault("throttle", region="cn-hangzhou", action="DescribeInstances", times=3))
        sandbox.inject(Fault("throttle", region="eu-central-1", times=2, retry_after_ms=300, code="Throttling"))
        hook = connect(sandbox, retry=RetryPolicy(initial_delay=0.01, max_delay=1))

        hangzhou = list(hook.iter_instances("cn-hangzhou"))
        frankfurt = list(hook.iter_instances("eu-central-1"))

    assert len(hangzhou) == 150
    assert len(frankfurt) == 30
    assert Counter(r.code for r in calls(sandbox, region_id="cn-hangzhou")) == {"Throttling.User": 3, None: 2}
    retries = [line for line in capsys.readouterr().out.splitlines() if "retry" in line]
    assert len(retries) == 5, "each retry is logged"
    assert sum("cn-hangzhou" in line and "Throttling.User" in line for line in retries) == 3
    # x-acs-retry-after is honoured as given, without backoff or jitter.
    assert sum("eu-central-1" in m and "in 0.3 s" in m for m in retries) == 2


@pytest.mark.parametrize(
    "fault",
    [
        Fault("error", times=2, code="ServiceUnavailable"),
        Fault("error", times=2, code="InternalError"),
        Fault("drop", times=2),
        Fault("timeout", times=1, delay=1.5),
    ],
    ids=["503", "500", "dropped-connection", "read-timeout"],
)
def test_transient_failures_are_retried(connect, fault):
    with sandbox_with({"ap-southeast-1": 40}) as sandbox:
        sandbox.inject(fault)
        hook = connect(sandbox, read_timeout=500)

        assert len(list(hook.iter_instances("ap-southeast-1"))) == 40
    assert len(calls(sandbox)) == fault.times + 1


def test_permanent_throttling_gives_up_after_max_attempts(connect):
    with sandbox_with({"cn-hangzhou": 5}) as sandbox:
        sandbox.inject(Fault("throttle", region="cn-hangzhou"))
        hook = connect(sandbox, retry=RetryPolicy(max_attempts=4, initial_delay=0.01, max_delay=0.02))

        with pytest.raises(AlibabaUnavailableError, match="after 4 attempts") as raised:
            list(hook.iter_instances("cn-hangzhou"))

    assert raised.value.code == "Throttling.User"
    assert raised.value.region == "cn-hangzhou"
    assert raised.value.request_id
    assert len(calls(sandbox)) == 4


def test_permanent_throttling_gives_up_within_the_time_budget(connect):
    policy = RetryPolicy(max_attempts=1000, max_elapsed=1.0, initial_delay=0.05, max_delay=0.5)
    with sandbox_with({"cn-hangzhou": 5}) as sandbox:
        sandbox.inject(Fault("throttle", region="cn-hangzhou", retry_after_ms=250))
        hook = connect(sandbox, retry=policy)

        started = time.monotonic()
        with pytest.raises(AlibabaUnavailableError, match="after 4 attempts"):
            list(hook.iter_instances("cn-hangzhou"))
        elapsed = time.monotonic() - started

    # Three waits of 250 ms fit into the second; a fourth would end past it, so it is not started.
    assert len(calls(sandbox)) == 4
    assert elapsed < policy.max_elapsed + 1


def test_region_without_permission_is_detected(connect):
    with sandbox_with({"cn-hangzhou": 3, "cn-beijing": 4}, forbidden_regions=["cn-beijing"]) as sandbox:
        hook = connect(sandbox)

        hook.check_permission("cn-hangzhou")
        # Listing answers an empty list, as real ECS does for a RAM user without permission...
        assert list(hook.iter_instances("cn-beijing")) == []
        # ...which only the DryRun check tells from an empty region.
        with pytest.raises(AlibabaAuthorizationError, match="cn-beijing") as raised:
            hook.check_permission("cn-beijing")

    assert raised.value.code == "Forbidden.RAM"
    assert raised.value.status == 403
    assert isinstance(raised.value, AlibabaAuthError)
    assert [r.params.get("DryRun") for r in calls(sandbox, region_id="cn-beijing")] == [None, "True"]


@pytest.mark.parametrize(
    ("extra", "code", "hint"),
    [
        ({"access_key_secret": "not-the-secret"}, "SignatureDoesNotMatch", "access_key_secret"),
        ({"access_key_id": "unknown-key-id"}, "InvalidAccessKeyId.NotFound", "access_key_id"),
    ],
    ids=["bad-secret", "unknown-key-id"],
)
def test_bad_credentials_fail_fast_without_retries(connect, ecs_sandbox, extra, code, hint):
    hook = connect(ecs_sandbox, retry=RetryPolicy(max_attempts=8, initial_delay=1), **extra)

    started = time.monotonic()
    with pytest.raises(AlibabaAuthenticationError) as raised:
        hook.list_regions()

    assert time.monotonic() - started < 1, "an authentication failure must not wait for a retry"
    assert len(ecs_sandbox.requests) == 1
    error = raised.value
    assert error.code == code
    assert error.region == "cn-hangzhou"
    assert error.request_id == ecs_sandbox.requests[0].request_id
    assert hint in str(error)
    assert "string to sign" not in str(error)
    assert "not-the-secret" not in str(error)
    assert SECRET not in str(error)


def test_test_connection_reports_success_and_each_failure(connect):
    with sandbox_with({"cn-hangzhou": 2}, forbidden_regions=["us-east-1", "eu-central-1"]) as sandbox:
        assert connect(sandbox, regions=["cn-hangzhou", "cn-beijing"]).test_connection() == (
            True,
            "Connected: may list ECS instances in 2 regions.",
        )

        ok, message = connect(sandbox).test_connection()
        assert not ok
        assert "2 of 29 regions" in message
        assert "us-east-1" in message
        assert "eu-central-1" in message

        ok, message = connect(sandbox, access_key_id="unknown-key-id").test_connection()
        assert not ok
        assert "InvalidAccessKeyId.NotFound" in message

        ok, message = connect(sandbox, access_key_secret="wrong-secret-value").test_connection()
        assert not ok
        assert "SignatureDoesNotMatch" in message
        assert "wrong-secret-value" not in message


def test_secret_never_reaches_the_logs(connect, caplog, capfd):
    with sandbox_with({"cn-hangzhou": 120}, forbidden_regions=["cn-beijing"]) as sandbox:
        sandbox.inject(Fault("throttle", region="cn-hangzhou", times=2))
        sandbox.inject(Fault("drop", region="us-east-1", times=1))
        with caplog.at_level(logging.DEBUG):
            hook = connect(sandbox)
            hook.test_connection()
            for region_id in hook.list_regions():
                list(hook.iter_instances(region_id))
            bad = connect(sandbox, access_key_secret=SECRET + "-wrong")
            with pytest.raises(AlibabaAuthenticationError) as raised:
                bad.list_regions()
            logging.getLogger("test").warning("hook settings: %r", hook.settings)

    captured = capfd.readouterr()
    assert "retry" in captured.out
    assert redact(f"key {SECRET}") == "key ***", "the secret is registered with Airflow's masker"
    for text in (caplog.text, captured.out, captured.err, str(raised.value), repr(raised.value)):
        assert SECRET not in text


def test_default_credential_chain_reads_the_environment(ecs_sandbox):
    # The credentials library reads its variables when imported: a fresh interpreter, as a worker is.
    extra = {"endpoint": ecs_sandbox.endpoint, "protocol": "http"}
    environment = {
        **os.environ,
        "AIRFLOW_CONN_ALIBABACLOUD_DEFAULT": json.dumps({"conn_type": "alibaba_cloud", "extra": extra}),
        "ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_CREDENTIAL.access_key_id,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": DEFAULT_CREDENTIAL.access_key_secret,
    }
    script = "from alibaba_jupiterone.hooks.alibaba_ecs import AlibabaEcsHook; print(AlibabaEcsHook().list_regions())"

    result = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True)

    assert repr(ecs_sandbox.region_ids) in result.stdout.splitlines()
    assert [r.access_key_id for r in ecs_sandbox.requests] == [DEFAULT_CREDENTIAL.access_key_id]


def test_recorded_responses_come_back_unchanged(connect, shared_fixtures):
    recording = shared_fixtures / "graph-alibaba-cloud" / "recordings" / "fetch-ecs-instances_256277370.har"
    recorded: dict[str, list[dict]] = {}
    for entry in json.loads(recording.read_text())["log"]["entries"]:
        query = {item["name"]: item["value"] for item in entry["request"]["queryString"]}
        if query.get("Action") == "DescribeInstances":
            body = json.loads(entry["response"]["content"]["text"])
            recorded[query["RegionId"]] = body["Instances"]["Instance"]

    with EcsSandbox.from_files(recording) as sandbox:
        hook = connect(sandbox)
        listed = {region_id: list(hook.iter_instances(region_id)) for region_id in hook.list_regions()}

    assert listed == recorded
    assert sum(len(items) for items in listed.values()) == 4


def test_the_connection_can_set_the_retry_policy(monkeypatch, ecs_sandbox):
    extra = ecs_sandbox.connection_extra(retry={"max_attempts": 2, "initial_delay": 0.01})
    monkeypatch.setenv("AIRFLOW_CONN_ALIBABACLOUD_DEFAULT", json.dumps({"conn_type": "alibaba_cloud", "extra": extra}))
    ecs_sandbox.inject(Fault("throttle"))

    with pytest.raises(AlibabaUnavailableError, match="after 2 attempts"):
        AlibabaEcsHook().list_regions()

    assert len(ecs_sandbox.requests) == 2
