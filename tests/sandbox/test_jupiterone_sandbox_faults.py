"""Fault injection in the JupiterOne sandbox, as a plain ``requests`` client experiences it."""

from __future__ import annotations

import time

import pytest
import requests
from jupiterone_wire import JOBS, Client, counts, entity, keys

from alibaba_jupiterone.sandbox import JupiterOneFault
from alibaba_jupiterone.sandbox.jupiterone.faults import parse_fault


def test_429_with_retry_after_then_the_retry_succeeds(j1_client, jupiterone_sandbox):
    job_id = j1_client.start()
    jupiterone_sandbox.inject(JupiterOneFault("status", "entities", times=2, status=429, retry_after=2))
    path = f"{JOBS}/{job_id}/entities"

    throttled = [j1_client.post(path, {"entities": [entity(1)]}) for _ in range(2)]
    accepted = j1_client.post(path, {"entities": [entity(1)]})

    for answer in throttled:
        assert (answer.status_code, answer.headers["Retry-After"]) == (429, "2")
        assert answer.json()["error"]["code"] == "TOO_MANY_REQUESTS"
    assert accepted.status_code == 200
    assert "Retry-After" not in accepted.headers
    assert accepted.json()["job"]["numEntitiesUploaded"] == 1


@pytest.mark.parametrize(
    ("status", "code"),
    [(500, "INTERNAL_ERROR"), (502, "BAD_GATEWAY"), (503, "SERVICE_UNAVAILABLE"), (504, "GATEWAY_TIMEOUT")],
)
def test_server_errors_have_the_api_error_body(j1_client, jupiterone_sandbox, status, code):
    jupiterone_sandbox.inject(JupiterOneFault("status", "start", times=1, status=status))

    answer = j1_client.post(JOBS, {"source": "api", "scope": "a"})

    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
    assert "Retry-After" not in answer.headers
    assert jupiterone_sandbox.jobs() == []


def test_a_slow_answer_times_the_client_out_but_the_upload_took_effect(j1_client, jupiterone_sandbox):
    job_id = j1_client.start()
    jupiterone_sandbox.inject(JupiterOneFault("slow", "upload", times=1, delay=5))

    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        j1_client.post(f"{JOBS}/{job_id}/upload", {"entities": [entity(1)]}, timeout=0.2)
    retried = j1_client.upload(job_id, [entity(1)])

    assert time.monotonic() - started < 2
    assert counts(retried)[0] == 1


def test_a_slow_answer_within_the_timeout_is_normal(j1_client, jupiterone_sandbox):
    jupiterone_sandbox.inject(JupiterOneFault("slow", "start", delay=0.2))

    started = time.monotonic()
    j1_client.start()

    assert time.monotonic() - started >= 0.2


def test_drop_closes_the_connection_and_the_request_has_no_effect(j1_client, jupiterone_sandbox):
    job_id = j1_client.start()
    jupiterone_sandbox.inject(JupiterOneFault("drop", "upload", times=1))

    with pytest.raises(requests.ConnectionError):
        j1_client.upload(job_id, [entity(1)])
    job = j1_client.job(job_id)

    assert counts(job)[0] == 0
    assert [(r.endpoint, r.status) for r in jupiterone_sandbox.requests[1:]] == [("upload", None), ("get", 200)]


def test_fail_finalize_ends_the_job_in_error_with_the_graph_unchanged(j1_client, jupiterone_sandbox):
    jupiterone_sandbox.seed_graph([entity(1), entity(2)], scope="test-scope")
    jupiterone_sandbox.inject(JupiterOneFault("fail_finalize", times=1))

    failed = j1_client.sync([entity(3)])
    retried = j1_client.sync([entity(3)])

    assert failed["status"] == "ERROR_UNEXPECTED_FAILURE"
    assert counts(failed) == (1, 0, 0, 0)
    assert retried["status"] == "FINISHED"
    assert counts(retried) == (1, 1, 0, 2)
    assert keys(jupiterone_sandbox.entities(scope="test-scope")) == keys([entity(3)])


def test_faults_match_their_endpoint_and_spare_the_sandbox_reads(j1_client, jupiterone_sandbox):
    job_id = j1_client.start()
    jupiterone_sandbox.inject(JupiterOneFault("status", "get", status=502))
    jupiterone_sandbox.inject(JupiterOneFault("status", status=503))

    assert j1_client.get(f"{JOBS}/{job_id}").status_code == 502
    assert j1_client.post(f"{JOBS}/{job_id}/abort").status_code == 503
    assert j1_client.get("/sandbox/jobs").status_code == 200
    assert j1_client.get("/sandbox/graph", params={"scope": "test-scope"}).status_code == 200

    jupiterone_sandbox.clear_faults()
    assert j1_client.job(job_id)["status"] == "AWAITING_UPLOADS"


def test_rate_strikes_a_seeded_share_of_requests(jupiterone_sandbox_factory):
    def failures(seed: int) -> list[bool]:
        sandbox = jupiterone_sandbox_factory(seed=seed)
        sandbox.inject(JupiterOneFault("status", "start", rate=0.5))
        client = Client(sandbox)
        return [client.post(JOBS, {"source": "api", "scope": "a"}).status_code == 503 for _ in range(40)]

    first = failures(seed=1)

    assert 8 < sum(first) < 32
    assert failures(seed=1) == first


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "explode"},
        {"kind": "status", "endpoint": "graph"},
        {"kind": "status", "times": 2, "rate": 0.5},
        {"kind": "status", "times": 0},
        {"kind": "status", "rate": 1.5},
        {"kind": "status", "status": 200},
        {"kind": "status", "status": 599},
        {"kind": "status", "retry_after": -1},
        {"kind": "drop", "retry_after": 1},
        {"kind": "slow"},
        {"kind": "drop", "delay": 1.0},
        {"kind": "fail_finalize", "endpoint": "upload"},
    ],
)
def test_meaningless_faults_are_refused(kwargs):
    with pytest.raises(ValueError):  # noqa: PT011
        JupiterOneFault(**kwargs)


def test_fault_specs_parse():
    assert parse_fault("status:upload,status=429,retry_after=2,times=3") == JupiterOneFault(
        "status", "upload", times=3, status=429, retry_after=2
    )
    assert parse_fault("slow:*,delay=0.5,rate=0.25") == JupiterOneFault("slow", delay=0.5, rate=0.25)
    assert parse_fault("drop") == JupiterOneFault("drop")
    assert parse_fault("fail_finalize,times=1") == JupiterOneFault("fail_finalize", times=1)
    with pytest.raises(ValueError, match="unknown fault option"):
        parse_fault("drop,often=yes")
