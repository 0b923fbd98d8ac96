"""JupiterOneHook over real HTTP against the local JupiterOne sandbox."""

from __future__ import annotations

import json
import time

import pytest
from airflow.sdk._shared.secrets_masker import redact

from alibaba_jupiterone.errors import (
    ConfigurationError,
    GraphObjectError,
    JupiterOneApiError,
    JupiterOneSyncJobError,
    JupiterOneUnavailableError,
)
from alibaba_jupiterone.hooks.jupiterone import JupiterOneHook
from alibaba_jupiterone.hooks.retry import RetryPolicy
from alibaba_jupiterone.sandbox import JupiterOneFault, JupiterOneSandbox

FAST_RETRY = RetryPolicy(max_attempts=5, max_elapsed=30, initial_delay=0.01, max_delay=0.05)
SCOPE = "alibaba-cloud-test"


def entity(index: int, entity_type: str = "sandbox_test_host", raw_bytes: int = 1000, **properties) -> dict:
    return {
        "_key": f"test-entity-{index:06d}",
        "_type": entity_type,
        "_class": ["Host"],
        "name": f"host {index}",
        "displayName": f"host {index}",
        "index": index,
        **properties,
        "_rawData": [{"name": "default", "rawData": {"InstanceId": f"i-{index}", "Blob": "x" * raw_bytes}}],
    }


def relationship(from_index: int, to_index: int) -> dict:
    from_key, to_key = entity(from_index)["_key"], entity(to_index)["_key"]
    return {
        "_key": f"{from_key}|has|{to_key}",
        "_type": "sandbox_test_host_has_host",
        "_class": "HAS",
        "_fromEntityKey": from_key,
        "_toEntityKey": to_key,
        "displayName": "HAS",
    }


@pytest.fixture
def connect(monkeypatch: pytest.MonkeyPatch):
    """Make a hook whose ``jupiterone`` connection (an env var) points at a sandbox."""

    def connect(sandbox: JupiterOneSandbox, retry: RetryPolicy = FAST_RETRY, **kwargs) -> JupiterOneHook:
        fields = sandbox.connection_fields()
        overrides = {name: kwargs.pop(name) for name in ("login", "password", "host") if name in kwargs}
        monkeypatch.setenv("AIRFLOW_CONN_JUPITERONE_DEFAULT", json.dumps({**fields, **overrides}))
        return JupiterOneHook(retry=retry, **kwargs)

    return connect


def sync(hook: JupiterOneHook, entities: list[dict], relationships: list[dict] = (), partial_types=()) -> dict:
    """One whole DIFF job in ``SCOPE``: start, upload, finalize, wait."""
    job_id = hook.start_sync_job(scope=SCOPE)["id"]
    hook.upload_entities(job_id, entities)
    hook.upload_relationships(job_id, relationships)
    hook.finalize_sync_job(job_id, partial_types)
    return hook.wait_for_sync_job(job_id, timeout=30, poll_interval=0.02)


def keys(objects: list[dict]) -> set[str]:
    return {item["_key"] for item in objects}


def uploads(sandbox: JupiterOneSandbox, endpoint: str = "entities") -> list:
    return [r for r in sandbox.requests if r.endpoint == endpoint]


def test_12345_entities_land_exactly_once_in_requests_of_at_most_5mb(connect, jupiterone_sandbox):
    hook = connect(jupiterone_sandbox)
    entities = [entity(i, raw_bytes=1200) for i in range(12_345)]
    job_id = hook.start_sync_job(scope=SCOPE)["id"]

    summary = hook.upload_entities(job_id, entities)
    hook.finalize_sync_job(job_id)
    job = hook.wait_for_sync_job(job_id, timeout=60, poll_interval=0.02)

    requests = uploads(jupiterone_sandbox)
    assert summary.objects == 12_345
    assert summary.requests == len(requests) >= 4
    assert max(r.body_bytes for r in requests) <= 5_000_000
    assert summary.bytes == sum(r.body_bytes for r in requests)
    assert sum(r.objects for r in requests) == 12_345, "every entity is sent once"
    assert len({r.correlation_id for r in requests}) == len(requests)
    assert keys(jupiterone_sandbox.entities(scope=SCOPE)) == keys(entities)
    assert (job["status"], job["numEntitiesUploaded"], job["numEntitiesCreated"]) == ("FINISHED", 12_345, 12_345)


def test_a_batch_over_the_servers_limit_is_split_without_loss(connect):
    with JupiterOneSandbox(max_request_bytes=60_000) as sandbox:
        hook = connect(sandbox, max_request_bytes=250_000)
        entities = [entity(i, raw_bytes=2000) for i in range(300)]
        job_id = hook.start_sync_job(scope=SCOPE)["id"]

        summary = hook.upload_entities(job_id, entities)

        accepted = [r for r in uploads(sandbox) if r.status == 200]
        assert {r.status for r in uploads(sandbox)} == {200, 413}
        assert summary.objects == 300
        assert (summary.shrunk, summary.dropped) == (0, [])
        assert sum(r.objects for r in accepted) == 300
        assert max(r.body_bytes for r in accepted) <= 60_000


def test_an_entity_too_large_alone_loses_its_raw_data_then_is_dropped_and_reported(connect):
    with JupiterOneSandbox(max_request_bytes=100_000) as sandbox:
        hook = connect(sandbox, max_request_bytes=500_000)
        huge_raw = entity(1, raw_bytes=150_000)
        huge_properties = entity(2, entity_type="sandbox_wide_host", **{f"field {n}": "y" * 4000 for n in range(40)})
        job_id = hook.start_sync_job(scope=SCOPE)["id"]

        summary = hook.upload_entities(job_id, [entity(0), huge_raw, huge_properties, entity(3)])
        hook.finalize_sync_job(job_id, summary.partial_types)
        hook.wait_for_sync_job(job_id, timeout=30, poll_interval=0.02)

        stored = {item["_key"]: item for item in sandbox.entities(scope=SCOPE)}
    assert summary.objects == 3
    assert summary.shrunk == 1
    assert [item["_key"] for item in summary.dropped] == [huge_properties["_key"]]
    assert summary.dropped[0]["bytes"] > 100_000
    assert summary.partial_types == ["sandbox_wide_host"]
    assert set(stored) == {entity(i)["_key"] for i in (0, 1, 3)}
    assert stored[huge_raw["_key"]]["_rawData"][0]["rawData"]["Blob"] == "TRUNCATED"
    assert stored[huge_raw["_key"]]["_rawData"][0]["rawData"]["InstanceId"] == "i-1"


def test_an_entity_over_our_own_limit_is_shrunk_before_sending(connect, jupiterone_sandbox):
    hook = connect(jupiterone_sandbox, max_request_bytes=50_000)
    job_id = hook.start_sync_job(scope=SCOPE)["id"]

    summary = hook.upload_entities(job_id, [entity(7, raw_bytes=80_000)])

    assert (summary.objects, summary.shrunk, summary.requests) == (1, 1, 1)
    assert [r.status for r in uploads(jupiterone_sandbox)] == [200], "never sent over the limit"


@pytest.mark.parametrize(
    "fault",
    [
        JupiterOneFault("status", endpoint="entities", status=429, times=2),
        JupiterOneFault("status", endpoint="entities", status=502, times=1),
        JupiterOneFault("status", endpoint="entities", status=503, times=2),
        JupiterOneFault("status", endpoint="entities", status=504, times=1),
        JupiterOneFault("drop", endpoint="entities", times=2),
        JupiterOneFault("slow", endpoint="entities", times=1, delay=1.5),
    ],
    ids=["429", "502", "503", "504", "dropped-connection", "read-timeout"],
)
def test_transient_failures_are_retried(connect, jupiterone_sandbox, fault):
    jupiterone_sandbox.inject(fault)
    hook = connect(jupiterone_sandbox, timeout=(5, 0.5))
    job_id = hook.start_sync_job(scope=SCOPE)["id"]

    summary = hook.upload_entities(job_id, [entity(i) for i in range(20)])

    assert summary.objects == 20
    assert len(uploads(jupiterone_sandbox)) == fault.times + 1
    assert len({r.correlation_id for r in uploads(jupiterone_sandbox)}) == 1, "a retry is the same request"


def test_retry_after_is_honoured(connect, jupiterone_sandbox, capsys):
    jupiterone_sandbox.inject(JupiterOneFault("status", endpoint="start", status=429, times=1, retry_after=1))
    hook = connect(jupiterone_sandbox, retry=RetryPolicy(initial_delay=0.01, max_delay=5))

    hook.start_sync_job(scope=SCOPE)

    assert any("retry 1 of 7 in 1.0 s" in line for line in capsys.readouterr().out.splitlines())


def test_persistent_503_gives_up_within_the_budget(connect, jupiterone_sandbox):
    jupiterone_sandbox.inject(JupiterOneFault("status", endpoint="start", status=503))
    hook = connect(jupiterone_sandbox, retry=RetryPolicy(max_attempts=3, initial_delay=0.01, max_delay=0.02))

    with pytest.raises(JupiterOneUnavailableError) as raised:
        hook.start_sync_job(scope=SCOPE)

    assert raised.value.status == 503
    assert raised.value.endpoint == "POST /persister/synchronization/jobs"
    assert len(jupiterone_sandbox.requests) == 3


@pytest.mark.parametrize(("field", "value"), [("password", "not-the-api-key"), ("login", "another-account")])
def test_unauthorized_fails_fast_with_a_clear_error(connect, jupiterone_sandbox, field, value):
    hook = connect(jupiterone_sandbox, retry=RetryPolicy(initial_delay=1), **{field: value})

    started = time.monotonic()
    with pytest.raises(JupiterOneApiError) as raised:
        hook.start_sync_job(scope=SCOPE)

    assert time.monotonic() - started < 1
    assert len(jupiterone_sandbox.requests) == 1
    assert raised.value.status == 401
    assert raised.value.code
    assert "POST /persister/synchronization/jobs" in str(raised.value)
    assert "not-the-api-key" not in str(raised.value)


def test_upload_after_finalize_is_fatal_at_once(connect, jupiterone_sandbox):
    hook = connect(jupiterone_sandbox)
    job_id = hook.start_sync_job(scope=SCOPE)["id"]
    hook.finalize_sync_job(job_id)

    with pytest.raises(JupiterOneApiError) as raised:
        hook.upload_entities(job_id, [entity(i) for i in range(5)])

    assert raised.value.code == "JOB_NOT_AWAITING_UPLOADS"
    assert len(uploads(jupiterone_sandbox)) == 1


def test_second_diff_job_deletes_exactly_what_is_missing(connect, jupiterone_sandbox):
    hook = connect(jupiterone_sandbox)
    first = sync(hook, [entity(i) for i in range(10)], [relationship(0, 1), relationship(1, 2)])

    second = sync(hook, [entity(i) for i in range(2, 12)], [relationship(2, 3)])

    assert first["numEntitiesCreated"] == 10
    assert (second["numEntitiesCreated"], second["numEntitiesDeleted"]) == (2, 2)
    assert second["numRelationshipsDeleted"] == 2
    assert keys(jupiterone_sandbox.entities(scope=SCOPE)) == {entity(i)["_key"] for i in range(2, 12)}
    assert keys(jupiterone_sandbox.relationships(scope=SCOPE)) == {relationship(2, 3)["_key"]}


def test_partial_types_keep_their_old_data(connect, jupiterone_sandbox):
    hook = connect(jupiterone_sandbox)
    sync(hook, [entity(1), entity(2, entity_type="sandbox_other_host")])

    job = sync(hook, [entity(3)], partial_types=["sandbox_other_host"])

    assert job["numEntitiesDeleted"] == 1
    assert keys(jupiterone_sandbox.entities(scope=SCOPE)) == {entity(2)["_key"], entity(3)["_key"]}


def test_abort_and_a_job_never_finalized_leave_the_graph_untouched(connect, jupiterone_sandbox):
    hook = connect(jupiterone_sandbox)
    sync(hook, [entity(i) for i in range(3)])
    before = jupiterone_sandbox.entities(scope=SCOPE)

    aborted = hook.start_sync_job(scope=SCOPE)["id"]
    hook.upload_entities(aborted, [entity(9)])
    assert hook.abort_sync_job(aborted, "fetch failed in cn-hangzhou")["status"] == "ABORTED"
    abandoned = hook.start_sync_job(scope=SCOPE)["id"]
    hook.upload_entities(abandoned, [entity(8)])

    assert hook.wait_for_sync_job(aborted, timeout=5)["status"] == "ABORTED"
    assert hook.get_sync_job(abandoned)["status"] == "AWAITING_UPLOADS"
    assert jupiterone_sandbox.entities(scope=SCOPE) == before


def test_integration_instance_jobs_are_their_own_graph(connect, jupiterone_sandbox):
    hook = connect(jupiterone_sandbox)
    sync(hook, [entity(1)])
    job_id = hook.start_sync_job(integration_instance_id="instance-1234")["id"]
    hook.upload_entities(job_id, [entity(2)])
    hook.finalize_sync_job(job_id)
    hook.wait_for_sync_job(job_id, timeout=30, poll_interval=0.02)

    assert keys(jupiterone_sandbox.entities(integration_instance_id="instance-1234")) == {entity(2)["_key"]}
    assert keys(jupiterone_sandbox.entities(scope=SCOPE)) == {entity(1)["_key"]}


def test_a_failed_finalize_raises_and_changes_nothing(connect, jupiterone_sandbox):
    hook = connect(jupiterone_sandbox)
    sync(hook, [entity(1)])
    jupiterone_sandbox.inject(JupiterOneFault("fail_finalize"))

    with pytest.raises(JupiterOneSyncJobError, match="ERROR_UNEXPECTED_FAILURE") as raised:
        sync(hook, [entity(2)])

    assert raised.value.job["status"] == "ERROR_UNEXPECTED_FAILURE"
    assert keys(jupiterone_sandbox.entities(scope=SCOPE)) == {entity(1)["_key"]}


def test_waiting_gives_up_after_its_timeout(connect):
    with JupiterOneSandbox(finalize_delay=30) as sandbox:
        hook = connect(sandbox)
        job_id = hook.start_sync_job(scope=SCOPE)["id"]
        hook.finalize_sync_job(job_id)

        with pytest.raises(JupiterOneSyncJobError, match="still FINALIZE_PENDING"):
            hook.wait_for_sync_job(job_id, timeout=0.3, poll_interval=0.05)


def test_objects_are_checked_before_upload(connect, jupiterone_sandbox):
    hook = connect(jupiterone_sandbox)
    job_id = hook.start_sync_job(scope=SCOPE)["id"]

    with pytest.raises(GraphObjectError, match="'displayName'") as raised:
        hook.upload_entities(job_id, [entity(1), {**entity(2), "displayName": None}])
    assert raised.value.key == entity(2)["_key"]

    hook.upload_entities(job_id, [entity(3)])
    with pytest.raises(GraphObjectError, match="twice"):
        hook.upload_entities(job_id, [entity(3)])


def test_long_strings_are_truncated_to_4096_characters(connect, jupiterone_sandbox):
    hook = connect(jupiterone_sandbox)
    sync(hook, [entity(1, description="z" * 10_000, aliases=["a" * 5000, "b"])])

    (stored,) = jupiterone_sandbox.entities(scope=SCOPE)
    assert len(stored["description"]) == 4096
    assert stored["description"].endswith("...")
    assert [len(alias) for alias in stored["aliases"]] == [4096, 1]


def test_start_needs_exactly_one_of_scope_and_instance(connect, jupiterone_sandbox):
    hook = connect(jupiterone_sandbox)

    with pytest.raises(ValueError, match="exactly one"):
        hook.start_sync_job()
    with pytest.raises(ValueError, match="exactly one"):
        hook.start_sync_job(scope=SCOPE, integration_instance_id="instance-1")
    assert jupiterone_sandbox.requests == []


def test_test_connection(connect, jupiterone_sandbox):
    assert connect(jupiterone_sandbox).test_connection() == (True, "Connected to JupiterOne account sandbox-account.")

    ok, message = connect(jupiterone_sandbox, password="a-wrong-api-key").test_connection()
    assert not ok
    assert "refused" in message
    assert "a-wrong-api-key" not in message


@pytest.mark.parametrize(
    ("host", "named"),
    [("http://api.us.jupiterone.io", "http://"), ("ftp://127.0.0.1", "https://"), ("https://a b:x", "host")],
)
def test_only_loopback_hosts_may_use_http(connect, jupiterone_sandbox, host, named):
    with pytest.raises(ConfigurationError, match=named):
        connect(jupiterone_sandbox, host=host).start_sync_job(scope=SCOPE)


def test_api_key_never_reaches_the_logs(connect, jupiterone_sandbox, capfd):
    key = jupiterone_sandbox.connection_fields()["password"]
    jupiterone_sandbox.inject(JupiterOneFault("status", endpoint="entities", status=503, times=2))
    hook = connect(jupiterone_sandbox)
    sync(hook, [entity(i) for i in range(50)])
    bad = connect(jupiterone_sandbox, password=key + "-wrong")
    with pytest.raises(JupiterOneApiError) as raised:
        bad.start_sync_job(scope=SCOPE)

    captured = capfd.readouterr()
    assert "retry" in captured.out
    assert redact(f"key {key}") == "key ***", "the API key is registered with Airflow's masker"
    for text in (captured.out, captured.err, str(raised.value), repr(raised.value)):
        assert key not in text


def test_the_connection_can_set_the_retry_policy(connect, jupiterone_sandbox, monkeypatch):
    fields = {**jupiterone_sandbox.connection_fields(), "extra": {"retry": {"max_attempts": 2, "initial_delay": 0.01}}}
    monkeypatch.setenv("AIRFLOW_CONN_JUPITERONE_DEFAULT", json.dumps(fields))
    jupiterone_sandbox.inject(JupiterOneFault("status", endpoint="start", status=503))

    with pytest.raises(JupiterOneUnavailableError):
        JupiterOneHook().start_sync_job(scope=SCOPE)

    assert len(jupiterone_sandbox.requests) == 2
