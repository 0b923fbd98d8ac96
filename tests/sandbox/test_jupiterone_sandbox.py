"""The JupiterOne sandbox's synchronization API over real HTTP: jobs, uploads, the diff, storage."""

from __future__ import annotations

import gzip
import json
import threading
import time
import uuid

import pytest
from jupiterone_wire import JOBS, Client, counts, entity, keys, relationship

from alibaba_jupiterone.sandbox import JupiterOneSandbox

COUNTERS = [f"num{k}{e}" for k in ("Entities", "Relationships") for e in ("Uploaded", "Created", "Updated", "Deleted")]


def test_start_answers_a_job_awaiting_uploads(j1_client):
    before = time.time() * 1000
    answer = j1_client.post(JOBS, {"source": "api", "scope": "alibaba-cloud"})

    job = answer.json()["job"]
    assert answer.status_code == 200
    assert uuid.UUID(job.pop("id"))
    assert before - 1 <= job.pop("startTimestamp") <= time.time() * 1000 + 1
    assert job == {
        "source": "api",
        "scope": "alibaba-cloud",
        "syncMode": "DIFF",
        "status": "AWAITING_UPLOADS",
        **dict.fromkeys(COUNTERS, 0),
    }


@pytest.mark.parametrize("source", ["integration-external", "integration-managed"])
def test_start_for_an_integration_instance(j1_client, source):
    body = {"source": source, "integrationInstanceId": "instance-1", "integrationJobId": "run-7"}
    job = j1_client.post(JOBS, {**body, "syncMode": "CREATE_OR_UPDATE"}).json()["job"]

    assert {name: job[name] for name in body} == body
    assert (job["syncMode"], job["status"]) == ("CREATE_OR_UPDATE", "AWAITING_UPLOADS")
    assert "scope" not in job


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"source": "api"}, "needs a scope"),
        ({"source": "api", "scope": "s", "integrationInstanceId": "i"}, "no integrationInstanceId"),
        ({"source": "api", "integrationInstanceId": "i"}, "needs a scope"),
        ({"source": "integration-external"}, "needs a integrationInstanceId"),
        ({"source": "integration-external", "integrationInstanceId": "i", "scope": "s"}, "no scope"),
        ({"source": "api", "scope": ""}, "non-empty string"),
        ({"source": "upload", "scope": "s"}, "source must be one of"),
        ({"scope": "s"}, "source must be one of"),
        ({"source": "api", "scope": "s", "syncMode": "PATCH"}, "syncMode must be one of"),
    ],
)
def test_start_needs_a_source_and_exactly_one_of_scope_and_instance(j1_client, body, message):
    answer = j1_client.post(JOBS, body)

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "BAD_REQUEST"
    assert message in answer.json()["error"]["message"]


def test_upload_finalize_and_poll_to_finished(j1_client, jupiterone_sandbox):
    job_id = j1_client.start("alibaba-cloud")
    entities = [
        entity(n, _rawData=[{"name": "default", "rawData": {"Id": n, "Nested": {"deep": [1, 2]}}}]) for n in range(3)
    ]
    relationships = [relationship(0, 1), relationship(0, 2)]

    on_entities = j1_client.post(f"{JOBS}/{job_id}/entities", {"entities": entities[:2]})
    on_relationships = j1_client.post(f"{JOBS}/{job_id}/relationships", {"relationships": relationships})
    combined = j1_client.upload(job_id, entities[2:])
    pending = j1_client.post(f"{JOBS}/{job_id}/finalize").json()["job"]
    finished = j1_client.wait(job_id)

    assert (on_entities.status_code, on_relationships.status_code) == (200, 200)
    assert on_entities.json()["job"]["numEntitiesUploaded"] == 2
    assert counts(combined) == (3, 0, 0, 0)
    assert pending["status"] == "FINALIZE_PENDING"
    assert finished["status"] == "FINISHED"
    assert counts(finished) == (3, 3, 0, 0)
    assert counts(finished, "Relationships") == (2, 2, 0, 0)
    assert jupiterone_sandbox.entities(scope="alibaba-cloud") == entities
    assert jupiterone_sandbox.relationships(scope="alibaba-cloud") == relationships
    assert jupiterone_sandbox.job(job_id) == finished


def test_finalize_is_pending_until_the_delay_has_passed(jupiterone_sandbox_factory):
    client = Client(jupiterone_sandbox_factory(finalize_delay=0.3))
    job_id = client.start()
    client.upload(job_id, [entity(1)])
    client.post(f"{JOBS}/{job_id}/finalize")

    assert client.job(job_id)["status"] == "FINALIZE_PENDING"
    assert client.get("/sandbox/graph", params={"scope": "test-scope"}).json()["entities"] == []
    time.sleep(0.3)
    assert client.job(job_id)["status"] == "FINISHED"


def test_a_second_diff_job_deletes_exactly_what_it_did_not_upload(j1_client, jupiterone_sandbox):
    j1_client.sync([entity(n) for n in range(5)], [relationship(0, n) for n in range(1, 4)])

    second = j1_client.sync(
        [entity(0), entity(1, name="renamed"), entity(2), entity(7)], [relationship(0, 1), relationship(0, 2, weight=2)]
    )

    assert counts(second) == (4, 1, 1, 2)
    assert counts(second, "Relationships") == (2, 0, 1, 1)
    assert keys(jupiterone_sandbox.entities(scope="test-scope")) == keys(entity(n) for n in (0, 1, 2, 7))
    assert keys(jupiterone_sandbox.relationships(scope="test-scope")) == keys([relationship(0, 1), relationship(0, 2)])
    assert jupiterone_sandbox.entities(scope="test-scope")[1]["name"] == "renamed"


def test_partial_types_keep_their_old_data(j1_client, jupiterone_sandbox):
    hosts, disks = [entity(n) for n in range(3)], [entity(n, "test_disk") for n in range(10, 13)]
    uses = [relationship(n, 10 + n, "test_host_uses_disk") for n in range(3)]
    j1_client.sync(hosts + disks, [relationship(0, 1), *uses])

    second = j1_client.sync([entity(0)], partial_types=["test_disk", "test_host_uses_disk"])

    assert counts(second) == (1, 0, 0, 2)
    assert counts(second, "Relationships") == (0, 0, 0, 1)
    assert keys(jupiterone_sandbox.entities(scope="test-scope")) == keys([entity(0), *disks])
    assert keys(jupiterone_sandbox.relationships(scope="test-scope")) == keys(uses)


def test_create_or_update_never_deletes(j1_client, jupiterone_sandbox):
    j1_client.sync([entity(n) for n in range(3)], [relationship(0, 1)])

    second = j1_client.sync([entity(3)], syncMode="CREATE_OR_UPDATE")

    assert counts(second) == (1, 1, 0, 0)
    assert len(jupiterone_sandbox.entities(scope="test-scope")) == 4
    assert len(jupiterone_sandbox.relationships(scope="test-scope")) == 1


def test_aborted_and_unfinalized_jobs_leave_the_graph_untouched(j1_client, jupiterone_sandbox):
    jupiterone_sandbox.seed_graph([entity(1), entity(2)], [relationship(1, 2)], scope="test-scope")
    aborted = j1_client.start()
    j1_client.upload(aborted, [entity(3)], [relationship(1, 3)])
    forgotten = j1_client.start()
    j1_client.upload(forgotten, [entity(4)])

    answer = j1_client.post(f"{JOBS}/{aborted}/abort", {"reason": "fetch failed"})

    assert answer.json()["job"]["status"] == "ABORTED"
    assert j1_client.job(forgotten)["status"] == "AWAITING_UPLOADS"
    assert keys(jupiterone_sandbox.entities(scope="test-scope")) == keys([entity(1), entity(2)])
    assert keys(jupiterone_sandbox.relationships(scope="test-scope")) == keys([relationship(1, 2)])


@pytest.mark.parametrize("ending", ["finalize", "abort", "finished"])
def test_a_job_that_has_ended_takes_no_more_calls(j1_client, ending):
    job_id = j1_client.start()
    if ending == "finished":
        j1_client.finalize(job_id)
    else:
        j1_client.post(f"{JOBS}/{job_id}/{ending}")

    for endpoint, body in [
        ("entities", {"entities": [entity(1)]}),
        ("relationships", {"relationships": [relationship(1, 2)]}),
        ("upload", {"entities": [entity(1)]}),
        ("finalize", None),
        ("abort", None),
    ]:
        answer = j1_client.post(f"{JOBS}/{job_id}/{endpoint}", body)
        assert answer.status_code == 400, endpoint
        assert answer.json()["error"]["code"] == "JOB_NOT_AWAITING_UPLOADS"


def test_unknown_jobs_and_paths_answer_404(j1_client):
    for answer in (
        j1_client.get(f"{JOBS}/{uuid.uuid4()}"),
        j1_client.post(f"{JOBS}/{uuid.uuid4()}/entities", {"entities": []}),
        j1_client.post(f"{JOBS}/{uuid.uuid4()}/finalize"),
        j1_client.get("/persister/elsewhere"),
        j1_client.get(f"{JOBS}"),
    ):
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "NOT_FOUND"


def test_bodies_over_the_limit_answer_413(jupiterone_sandbox_factory):
    sandbox = jupiterone_sandbox_factory(max_request_bytes=2_000)
    client = Client(sandbox)
    job_id = client.start()
    path = f"{client.url}{JOBS}/{job_id}/entities"

    def body(size: int) -> bytes:
        padding = size - len(json.dumps({"entities": [entity(1, note="")]}))
        return json.dumps({"entities": [entity(1, note="x" * padding)]}).encode()

    at_limit = client.session.post(path, data=body(2_000))
    over = client.session.post(path, data=body(2_001))
    compressed = gzip.compress(json.dumps({"entities": [entity(n) for n in range(200)]}).encode())
    gzipped_under = client.session.post(path, data=compressed, headers={"Content-Encoding": "gzip"})

    assert at_limit.status_code == 200
    assert over.status_code == 413
    assert over.json()["error"]["code"] == "RequestEntityTooLargeException"
    assert len(compressed) < 2_000
    assert gzipped_under.json()["job"]["numEntitiesUploaded"] == 200
    assert [r.body_bytes for r in sandbox.requests[-3:]] == [2_000, 2_001, len(compressed)]


def test_gzip_bodies_are_accepted(j1_client, jupiterone_sandbox):
    job_id = j1_client.start()
    body = gzip.compress(json.dumps({"entities": [entity(1)], "relationships": [relationship(1, 2)]}).encode())

    answer = j1_client.post(f"{JOBS}/{job_id}/upload", data=body, headers={"Content-Encoding": "gzip"})
    broken = j1_client.post(f"{JOBS}/{job_id}/upload", data=body[:-8], headers={"Content-Encoding": "gzip"})

    assert counts(answer.json()["job"])[0] == counts(answer.json()["job"], "Relationships")[0] == 1
    assert broken.status_code == 400
    assert "gzip" in broken.json()["error"]["message"]


def test_a_retried_upload_counts_each_key_once_and_the_last_write_wins(j1_client, jupiterone_sandbox):
    job_id = j1_client.start()
    batch = [entity(n) for n in range(4)]

    j1_client.upload(job_id, batch)
    j1_client.upload(job_id, batch)
    again = j1_client.upload(job_id, [entity(3, name="last"), entity(4), entity(4, name="twice")])
    finished = j1_client.finalize(job_id)

    assert counts(again)[0] == 5
    assert counts(finished) == (5, 5, 0, 0)
    stored = {item["_key"]: item["name"] for item in jupiterone_sandbox.entities(scope="test-scope")}
    assert (stored[entity(3)["_key"]], stored[entity(4)["_key"]]) == ("last", "twice")


def test_long_strings_are_stored_as_they_are(j1_client, jupiterone_sandbox):
    j1_client.sync([entity(1, description="d" * 5_000)])

    assert len(jupiterone_sandbox.entities(scope="test-scope")[0]["description"]) == 5_000


def test_scopes_and_instances_keep_separate_graphs(j1_client, jupiterone_sandbox):
    j1_client.sync([entity(1)], scope="scope-a")
    j1_client.sync([entity(2)], scope=None, source="integration-external", integrationInstanceId="scope-a")

    emptied = j1_client.sync([], scope="scope-b")
    replaced = j1_client.sync([entity(3)], scope="scope-a")

    assert counts(emptied) == (0, 0, 0, 0)
    assert counts(replaced) == (1, 1, 0, 1)
    assert keys(jupiterone_sandbox.entities(scope="scope-a")) == keys([entity(3)])
    assert keys(jupiterone_sandbox.entities(integration_instance_id="scope-a")) == keys([entity(2)])
    assert jupiterone_sandbox.entities(scope="scope-b") == []


def test_the_sandbox_read_endpoints(j1_client, jupiterone_sandbox):
    j1_client.sync([entity(1)], [relationship(1, 2)], scope="reads")
    j1_client.sync([entity(2)], scope=None, source="integration-managed", integrationInstanceId="inst")

    by_scope = j1_client.get("/sandbox/graph", params={"scope": "reads"}).json()
    by_instance = j1_client.get("/sandbox/graph", params={"integrationInstanceId": "inst"}).json()
    neither = j1_client.get("/sandbox/graph")
    both = j1_client.get("/sandbox/graph", params={"scope": "reads", "integrationInstanceId": "inst"})
    jobs = j1_client.get("/sandbox/jobs").json()["jobs"]

    assert by_scope == {"entities": [entity(1)], "relationships": [relationship(1, 2)]}
    assert by_instance == {"entities": [entity(2)], "relationships": []}
    assert (neither.status_code, both.status_code) == (400, 400)
    assert jobs == jupiterone_sandbox.jobs()
    assert [(job["status"], job.get("scope")) for job in jobs] == [("FINISHED", "reads"), ("FINISHED", None)]


def test_a_database_file_keeps_graph_and_jobs_across_restarts(jupiterone_sandbox_factory, tmp_path):
    database = tmp_path / "graph.sqlite"
    first = jupiterone_sandbox_factory(database=database)
    Client(first).sync([entity(1), entity(2)], [relationship(1, 2)])
    pending = Client(first).start()
    first.stop()

    second = jupiterone_sandbox_factory(database=database)
    client = Client(second)
    rerun = client.sync([entity(2)])

    assert counts(rerun) == (1, 0, 0, 1)
    assert counts(rerun, "Relationships") == (0, 0, 0, 1)
    assert client.job(pending)["status"] == "AWAITING_UPLOADS"
    assert [job["status"] for job in second.jobs()] == ["FINISHED", "AWAITING_UPLOADS", "FINISHED"]


def test_a_job_finalized_just_before_a_stop_is_applied_after_the_restart(jupiterone_sandbox_factory, tmp_path):
    database = tmp_path / "graph.sqlite"
    first = jupiterone_sandbox_factory(database=database, finalize_delay=0.1)
    client = Client(first)
    job_id = client.start()
    client.upload(job_id, [entity(1)])
    client.post(f"{JOBS}/{job_id}/finalize")
    first.stop()

    time.sleep(0.1)
    second = jupiterone_sandbox_factory(database=database)

    assert second.job(job_id)["status"] == "FINISHED"
    assert second.entities(scope="test-scope") == [entity(1)]


def test_the_request_log(j1_client, jupiterone_sandbox):
    job_id = j1_client.start()
    correlation_id = str(uuid.uuid4())
    j1_client.post(
        f"{JOBS}/{job_id}/upload",
        {"entities": [entity(1), entity(2)], "relationships": [relationship(1, 2)]},
        headers={"JupiterOne-Correlation-Id": correlation_id},
    )
    j1_client.post(f"{JOBS}/{job_id}/entities", {"entities": "none"})
    j1_client.finalize(job_id)
    log = jupiterone_sandbox.requests

    assert [(r.method, r.endpoint, r.status, r.code) for r in log[:4]] == [
        ("POST", "start", 200, None),
        ("POST", "upload", 200, None),
        ("POST", "entities", 400, "ENTITY_IS_NOT_ARRAY"),
        ("POST", "finalize", 200, None),
    ]
    assert {r.endpoint for r in log[4:]} == {"get"}
    assert (log[0].job_id, log[1].job_id, log[1].path) == (None, job_id, f"{JOBS}/{job_id}/upload")
    assert (log[1].correlation_id, log[1].objects, log[2].objects) == (correlation_id, 3, 0)
    assert log[1].body_bytes > 0
    jupiterone_sandbox.clear_requests()
    assert jupiterone_sandbox.requests == []


def test_six_parallel_uploads_to_one_job(j1_client, jupiterone_sandbox):
    job_id = j1_client.start()
    batches = [
        [entity(1_000 * worker + n, _rawData=[{"name": "default", "rawData": {"n": n}}]) for n in range(400)]
        for worker in range(6)
    ]
    statuses: list[int] = []

    def upload(batch: list[dict]) -> None:
        client = Client(jupiterone_sandbox)
        statuses.append(client.post(f"{JOBS}/{job_id}/entities", {"entities": batch}).status_code)

    threads = [threading.Thread(target=upload, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    finished = j1_client.finalize(job_id)

    assert statuses == [200] * 6
    assert counts(finished) == (2_400, 2_400, 0, 0)
    assert len(jupiterone_sandbox.entities(scope="test-scope")) == 2_400


def test_inspection_helpers(jupiterone_sandbox):
    fields = jupiterone_sandbox.connection_fields()

    assert fields == {
        "conn_type": "jupiterone",
        "host": jupiterone_sandbox.url,
        "login": "sandbox-account",
        "password": "sandbox-api-key",
    }
    assert json.loads(jupiterone_sandbox.connection_json()) == fields
    assert jupiterone_sandbox.url.startswith("http://127.0.0.1:")
    with pytest.raises(ValueError, match="exactly one"):
        jupiterone_sandbox.entities()
    with pytest.raises(ValueError, match="exactly one"):
        jupiterone_sandbox.relationships(scope="a", integration_instance_id="b")
    with pytest.raises(KeyError):
        jupiterone_sandbox.job("no-such-job")
    with pytest.raises(ValueError, match="_key"):
        jupiterone_sandbox.seed_graph([{"_key": "short"}], scope="a")


def test_seeded_data_is_diffed_like_uploaded_data(j1_client, jupiterone_sandbox):
    jupiterone_sandbox.seed_graph([entity(1), entity(2)], integration_instance_id="inst")

    finished = j1_client.sync([entity(2)], scope=None, source="integration-external", integrationInstanceId="inst")

    assert counts(finished) == (1, 0, 0, 1)


def test_an_unstarted_sandbox_has_no_url():
    with pytest.raises(RuntimeError, match="not running"):
        JupiterOneSandbox().url  # noqa: B018
