"""The sync's steps without Airflow: the real hooks against both sandboxes, batches kept in a dict."""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime

import pytest

from alibaba_jupiterone.errors import JupiterOneApiError
from alibaba_jupiterone.graph import ECS_INSTANCE, ConversionOptions
from alibaba_jupiterone.hooks.alibaba_ecs import AlibabaEcsHook
from alibaba_jupiterone.hooks.jupiterone import JupiterOneHook
from alibaba_jupiterone.hooks.retry import RetryPolicy
from alibaba_jupiterone.pipeline.fetch import fetch
from alibaba_jupiterone.pipeline.manifest import Manifest, RegionBatches
from alibaba_jupiterone.pipeline.publish import publish
from alibaba_jupiterone.pipeline.supersession import record_key, superseded_by, sync_record
from alibaba_jupiterone.pipeline.transform import transform
from alibaba_jupiterone.sandbox import Fault, JupiterOneFault

FAST = RetryPolicy(max_attempts=2, initial_delay=0.01, max_delay=0.02)
OPTIONS = ConversionOptions(observed_on=1_700_000_000_000, account_name="Test", tag_with_account_name=True)
SCOPE = "pipeline-test"
LOG = logging.getLogger(__name__)


class Batches(dict):
    """Batches by key, with the thread that stored each."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: set[str] = set()

    def store(self, key: str, batch: list) -> None:
        self.threads.add(threading.current_thread().name)
        self[key] = json.loads(json.dumps(batch))


@pytest.fixture
def hooks(monkeypatch, ecs_sandbox_factory, jupiterone_sandbox):
    def hooks(**ecs_kwargs):
        ecs = ecs_sandbox_factory("synthetic", **ecs_kwargs)
        monkeypatch.setenv("AIRFLOW_CONN_ALIBABACLOUD_DEFAULT", ecs.connection_json())
        monkeypatch.setenv("AIRFLOW_CONN_JUPITERONE_DEFAULT", jupiterone_sandbox.connection_json())
        return ecs, AlibabaEcsHook(retry=FAST), JupiterOneHook(retry=FAST)

    return hooks


def run_fetch(ecs_hook, batches, batch_size=50, concurrency=4):
    return fetch(
        ecs_hook,
        ecs_hook.list_regions(),
        ECS_INSTANCE,
        store=batches.store,
        producer="fetch",
        batch_size=batch_size,
        max_concurrent_regions=concurrency,
    )


def run_transform(fetched, batches, batch_size=50):
    return transform(
        fetched,
        ECS_INSTANCE,
        OPTIONS,
        load=batches.__getitem__,
        store=batches.store,
        producer="transform",
        batch_size=batch_size,
    )


def run_sync(ecs_hook, jupiterone_hook):
    batches = Batches()
    transformed = run_transform(run_fetch(ecs_hook, batches), batches)
    return publish(jupiterone_hook, transformed, load=batches.__getitem__, scope=SCOPE, log=LOG)


def test_fetch_reads_every_region_in_bounded_batches_stored_by_one_thread(hooks):
    ecs, ecs_hook, _ = hooks(instance_count=700, region_count=6, seed=3)
    batches = Batches()

    manifest = run_fetch(ecs_hook, batches)

    assert manifest.failed == {}
    assert set(manifest.regions) == set(ecs.region_ids)
    assert batches.threads == {threading.current_thread().name}
    for region, region_batches in manifest.regions.items():
        records = [record for key in region_batches.keys for record in batches[key]]
        assert records == ecs.instances(region)
        assert region_batches.count == len(records)
        assert all(0 < len(batches[key]) <= 50 for key in region_batches.keys)
    permission_checks = [r.region_id for r in ecs.requests if r.params.get("DryRun") == "True"]
    assert sorted(permission_checks) == sorted(ecs.region_ids), "every region checked before it is listed"


def test_fetch_leaves_out_a_failing_and_a_forbidden_region(hooks):
    ecs, ecs_hook, _ = hooks(instance_count=300, region_count=5, seed=4)
    failing, forbidden = ecs.region_ids[1], ecs.region_ids[2]
    ecs.inject(Fault("error", region=failing, action="DescribeInstances", code="InternalError"))
    ecs.forbid_region(forbidden)

    manifest = run_fetch(ecs_hook, Batches())

    assert set(manifest.failed) == {failing, forbidden}
    assert "InternalError" in manifest.failed[failing]
    assert "Forbidden.RAM" in manifest.failed[forbidden]
    assert set(manifest.regions) == set(ecs.region_ids) - {failing, forbidden}


def test_transform_converts_checks_and_leaves_out_a_region_with_a_malformed_record(hooks):
    ecs, ecs_hook, _ = hooks(instance_count=200, region_count=3, seed=5)
    broken = next(region for region in ecs.region_ids if ecs.instances(region))
    ecs.add_instances(broken, [{"InstanceId": "i-short", "RegionId": broken}])
    batches = Batches()

    manifest = run_transform(run_fetch(ecs_hook, batches), batches, batch_size=30)

    assert list(manifest.failed) == [broken]
    assert "i-short" in manifest.failed[broken]
    for region, region_batches in manifest.regions.items():
        entities = [entity for key in region_batches.keys for entity in batches[key]]
        assert [entity["_key"] for entity in entities] == [r["InstanceId"] for r in ecs.instances(region)]
        assert all(entity["tag.AccountName"] == "Test" for entity in entities)
        assert all(len(batches[key]) <= 30 for key in region_batches.keys)


def test_publish_keeps_a_failed_regions_entities(hooks, jupiterone_sandbox):
    ecs, ecs_hook, jupiterone_hook = hooks(instance_count=150, region_count=3, seed=6)
    first = run_sync(ecs_hook, jupiterone_hook)
    lost = next(region for region in ecs.region_ids if ecs.instances(region))
    ecs.forbid_region(lost)

    second = run_sync(ecs_hook, jupiterone_hook)

    assert (first.status, first.created, first.uploaded) == ("FINISHED", 150, 150)
    assert second.partial_types == [ECS_INSTANCE.type]
    assert list(second.failed_regions) == [lost]
    assert second.deleted == 0
    assert len(jupiterone_sandbox.entities(scope=SCOPE)) == 150


def test_publish_aborts_the_job_when_an_upload_fails(hooks, jupiterone_sandbox):
    _, ecs_hook, jupiterone_hook = hooks(instance_count=40, region_count=2, seed=7)
    batches = Batches()
    transformed = run_transform(run_fetch(ecs_hook, batches), batches)
    jupiterone_sandbox.inject(JupiterOneFault("status", endpoint="entities", status=400))

    with pytest.raises(JupiterOneApiError):
        publish(jupiterone_hook, transformed, load=batches.__getitem__, scope=SCOPE, log=LOG)

    (job,) = jupiterone_sandbox.jobs()
    assert job["status"] == "ABORTED"
    assert jupiterone_sandbox.entities(scope=SCOPE) == []


def test_manifest_round_trips_through_json():
    manifest = Manifest("fetch", "t", regions={"cn-hangzhou": RegionBatches(2, ["k1", "k2"])}, failed={"r": "e"})

    assert Manifest.from_dict(json.loads(json.dumps(manifest.to_dict()))) == manifest
    assert manifest.count == 2


def _at(text):
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("run_type", "force", "interval_end", "superseded"),
    [
        ("scheduled", False, "2026-01-01T00:00:00+00:00", True),
        ("backfill", False, "2026-01-01T00:00:00+00:00", True),
        ("scheduled", False, "2026-03-01T00:00:00+00:00", False),
        ("scheduled", True, "2026-01-01T00:00:00+00:00", False),
        ("manual", False, "2026-01-01T00:00:00+00:00", False),
    ],
)
def test_a_run_is_superseded_by_a_sync_that_finished_after_its_interval(run_type, force, interval_end, superseded):
    last = sync_record(finished_at=_at("2026-02-01T12:00:00+00:00"), dag_id="d", run_id="r")

    found = superseded_by(last, interval_end=_at(interval_end), run_type=run_type, force=force)

    assert (found == last) is superseded


def test_a_backfill_over_past_intervals_syncs_at_most_once():
    last = None
    syncs = []
    for day in range(1, 31):
        interval_end = _at(f"2026-01-{day:02d}T03:00:00+00:00")
        if superseded_by(last, interval_end=interval_end, run_type="backfill", force=False) is None:
            syncs.append(day)
            last = sync_record(finished_at=_at("2026-02-15T10:00:00+00:00"), dag_id="d", run_id=f"backfill-{day}")

    assert syncs == [1]
    assert superseded_by(last, interval_end=_at("2026-01-05T03:00:00+00:00"), run_type="backfill", force=False)
    assert superseded_by(None, interval_end=_at("2026-01-05T03:00:00+00:00"), run_type="backfill", force=False) is None


def test_record_keys_name_the_target():
    assert record_key(scope="prod") == "alibaba_jupiterone.last_sync.scope.prod"
    assert record_key(integration_instance_id="abc") == "alibaba_jupiterone.last_sync.instance.abc"
    with pytest.raises(ValueError, match="exactly one"):
        record_key()
