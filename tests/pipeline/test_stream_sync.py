"""The whole sync in one process, streaming: the same graph as the three steps, and the same protection."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from alibaba_jupiterone.errors import JupiterOneApiError
from alibaba_jupiterone.graph import ECS_INSTANCE, RAM_GROUP, RAM_POLICY, RAM_ROLE, RAM_USER, ConversionOptions
from alibaba_jupiterone.graph import relationship_types_touching as touching
from alibaba_jupiterone.hooks.jupiterone import JupiterOneHook
from alibaba_jupiterone.hooks.retry import RetryPolicy
from alibaba_jupiterone.pipeline.fetch import fetch, plan
from alibaba_jupiterone.pipeline.listings import AlibabaCloud
from alibaba_jupiterone.pipeline.publish import publish
from alibaba_jupiterone.pipeline.stream import sync
from alibaba_jupiterone.pipeline.transform import transform
from alibaba_jupiterone.sandbox import Fault, JupiterOneFault

FAST = RetryPolicy(max_attempts=2, initial_delay=0.01, max_delay=0.02)
OPTIONS = ConversionOptions(observed_on=1_700_000_000_000, account_name="Test", tag_with_account_name=True)
LOG = logging.getLogger(__name__)
RAM_TYPES = {RAM_USER.type, RAM_GROUP.type, RAM_ROLE.type, RAM_POLICY.type}


@pytest.fixture
def world(monkeypatch, alibaba_sandbox_factory, jupiterone_sandbox):
    def world(instance_count=150, region_count=3, seed=5, **kwargs):
        sandbox = alibaba_sandbox_factory("synthetic", instance_count, region_count=region_count, seed=seed, **kwargs)
        monkeypatch.setenv("AIRFLOW_CONN_ALIBABACLOUD_DEFAULT", sandbox.connection_json())
        monkeypatch.setenv("AIRFLOW_CONN_JUPITERONE_DEFAULT", jupiterone_sandbox.connection_json())
        return sandbox

    return world


def streamed(scope):
    return sync(
        AlibabaCloud("alibabacloud_default", retry=FAST), JupiterOneHook(retry=FAST), OPTIONS, scope=scope, log=LOG
    )


def in_steps(scope):
    batches = {}
    listings, failures = plan(AlibabaCloud("alibabacloud_default", retry=FAST))
    fetched = fetch(listings, store=batches.__setitem__, producer="f", batch_size=50, max_concurrent_listings=4)
    fetched.failures[:0] = failures
    made = transform(fetched, OPTIONS, load=batches.__getitem__, store=batches.__setitem__, producer="t", batch_size=50)
    return publish(JupiterOneHook(retry=FAST), made, load=batches.__getitem__, scope=scope, log=LOG)


def graph(jupiterone_sandbox, scope):
    stored = [*jupiterone_sandbox.entities(scope=scope), *jupiterone_sandbox.relationships(scope=scope)]
    return {item["_key"]: {k: v for k, v in item.items() if k != "lastSeenOn"} for item in stored}


def test_it_makes_the_graph_the_three_steps_make(world, jupiterone_sandbox):
    world(users=40, groups=6, roles=8, policies=12)

    summary = streamed("streamed")
    in_steps("in-steps")

    expected = graph(jupiterone_sandbox, "in-steps")
    assert graph(jupiterone_sandbox, "streamed") == expected
    assert (summary.status, summary.failures, summary.partial_types) == ("FINISHED", [], [])
    assert summary.entities + summary.relationships == len(expected)
    assert summary.relationships > summary.entities > 150


def test_relationships_follow_every_entity_and_pages_are_uploaded_while_listing(world, jupiterone_sandbox):
    cloud = world(instance_count=2500, region_count=2, seed=6)
    big = max(cloud.region_ids, key=lambda region: len(cloud.instances(region)))
    cloud.inject(Fault("latency", region=big, action="DescribeInstances", delay=0.05))
    pages = len(cloud.instances(big)) // 100 + 1
    seen: list[int] = []
    stop = threading.Event()

    def watch():
        while not stop.is_set() and not seen:
            if any(r.endpoint == "entities" for r in jupiterone_sandbox.requests):
                seen.append(sum(r.action == "DescribeInstances" and r.region_id == big for r in cloud.requests))
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        streamed("streamed")
    finally:
        stop.set()
        watcher.join()

    uploads = [r.endpoint for r in jupiterone_sandbox.requests if r.endpoint in ("entities", "relationships")]
    assert uploads.index("relationships") > max(i for i, e in enumerate(uploads) if e == "entities")
    assert seen, "entities were uploaded"
    assert seen[0] < pages, f"the first upload came after {seen[0]} of the {pages + 1} listing calls"


def test_a_ram_outage_keeps_the_ram_entities_and_relationships(world, jupiterone_sandbox):
    cloud = world()
    streamed("streamed")
    kept_types = RAM_TYPES | touching(RAM_TYPES)
    before = {k: v for k, v in graph(jupiterone_sandbox, "streamed").items() if v["_type"] in kept_types}
    cloud.deny("ram:ListGroups")

    summary = streamed("streamed")

    after = graph(jupiterone_sandbox, "streamed")
    assert {k: v for k, v in after.items() if v["_type"] in kept_types} == before
    assert set(summary.partial_types) == kept_types
    assert (summary.deleted, summary.relationships_deleted) == (0, 0)
    assert "ListGroups" in summary.failures[0]["reason"]


def test_a_malformed_record_leaves_its_type_partial_and_the_rest_synced(world, jupiterone_sandbox):
    cloud = world(seed=7)
    broken = next(region for region in cloud.region_ids if cloud.instances(region))
    cloud.add_instances(broken, [{"InstanceId": "i-short", "RegionId": broken}])

    summary = streamed("streamed")

    assert [(f["types"], f["scope"]) for f in summary.failures] == [([ECS_INSTANCE.type], broken)]
    assert "i-short" in summary.failures[0]["reason"]
    assert set(summary.partial_types) == {ECS_INSTANCE.type} | touching([ECS_INSTANCE.type])
    assert summary.types["alibaba_cloud_vpc"] > 0


def test_an_upload_failure_aborts_the_job_and_stops_the_listings(world, jupiterone_sandbox):
    cloud = world(instance_count=2000, region_count=2, seed=8)
    cloud.inject(Fault("latency", action="DescribeInstances", delay=0.02))
    jupiterone_sandbox.inject(JupiterOneFault("status", endpoint="entities", status=400))

    with pytest.raises(JupiterOneApiError):
        streamed("streamed")

    (job,) = jupiterone_sandbox.jobs()
    assert job["status"] == "ABORTED"
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("sync")]
