"""The sync's steps without Airflow: the real hooks against both sandboxes, batches kept in a dict."""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime

import pytest

from alibaba_jupiterone.errors import ConfigurationError, JupiterOneApiError
from alibaba_jupiterone.graph import (
    ACCOUNT,
    ECS_INSTANCE,
    RAM_GROUP,
    RAM_POLICY,
    RAM_ROLE,
    RAM_USER,
    RELATIONSHIP_TYPES,
    VPC,
    ConversionOptions,
    relationship_types_touching,
)
from alibaba_jupiterone.hooks.jupiterone import JupiterOneHook
from alibaba_jupiterone.hooks.retry import RetryPolicy
from alibaba_jupiterone.pipeline.fetch import fetch, plan
from alibaba_jupiterone.pipeline.listings import ALL_TYPES, AlibabaCloud, check_resources
from alibaba_jupiterone.pipeline.manifest import GLOBAL, Dataset, Failure, Manifest
from alibaba_jupiterone.pipeline.publish import is_entity_dataset, partial_types, publish
from alibaba_jupiterone.pipeline.supersession import record_key, superseded_by, sync_record
from alibaba_jupiterone.pipeline.transform import transform
from alibaba_jupiterone.sandbox import Fault, JupiterOneFault
from alibaba_jupiterone.sandbox.alibaba.synthetic import synthetic_world

FAST = RetryPolicy(max_attempts=2, initial_delay=0.01, max_delay=0.02)
OPTIONS = ConversionOptions(observed_on=1_700_000_000_000, account_name="Test", tag_with_account_name=True)
SCOPE = "pipeline-test"
LOG = logging.getLogger(__name__)
RAM_TYPES = {RAM_USER.type, RAM_GROUP.type, RAM_ROLE.type, RAM_POLICY.type}


class Batches(dict):
    """Batches by key, with the thread that stored each."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: set[str] = set()

    def store(self, key: str, batch: list) -> None:
        self.threads.add(threading.current_thread().name)
        self[key] = json.loads(json.dumps(batch))

    def items_of(self, manifest: Manifest, type_name: str) -> list[dict]:
        return [
            item
            for dataset in manifest.datasets
            if dataset.type == type_name
            for key in dataset.keys
            for item in self[key]
        ]


@pytest.fixture
def world(monkeypatch, alibaba_sandbox_factory, jupiterone_sandbox):
    """Start a synthetic Alibaba Cloud world and point the default connections at both sandboxes."""

    def world(instance_count=120, region_count=3, seed=3, **kwargs):
        sandbox = alibaba_sandbox_factory("synthetic", instance_count, region_count=region_count, seed=seed, **kwargs)
        monkeypatch.setenv("AIRFLOW_CONN_ALIBABACLOUD_DEFAULT", sandbox.connection_json())
        monkeypatch.setenv("AIRFLOW_CONN_JUPITERONE_DEFAULT", jupiterone_sandbox.connection_json())
        return sandbox

    return world


def run_fetch(batches, resources=ALL_TYPES, regions=(), batch_size=50, concurrency=4):
    listings, failures = plan(AlibabaCloud("alibabacloud_default", resources, retry=FAST), regions)
    manifest = fetch(
        listings, store=batches.store, producer="fetch", batch_size=batch_size, max_concurrent_listings=concurrency
    )
    manifest.failures[:0] = failures
    return manifest


def run_transform(fetched, batches, batch_size=50):
    return transform(
        fetched, OPTIONS, load=batches.__getitem__, store=batches.store, producer="transform", batch_size=batch_size
    )


def run_sync(resources=ALL_TYPES):
    batches = Batches()
    transformed = run_transform(run_fetch(batches, resources), batches)
    return publish(JupiterOneHook(retry=FAST), transformed, load=batches.__getitem__, scope=SCOPE, log=LOG)


def stored(jupiterone_sandbox, type_name):
    objects = [*jupiterone_sandbox.entities(scope=SCOPE), *jupiterone_sandbox.relationships(scope=SCOPE)]
    return {item["_key"] for item in objects if item["_type"] == type_name}


def test_fetch_reads_every_listing_in_bounded_batches_stored_by_one_thread(world):
    sandbox = world(instance_count=300, region_count=4)
    batches = Batches()

    manifest = run_fetch(batches)

    assert manifest.failures == []
    assert batches.threads == {threading.current_thread().name}
    assert {(d.type, d.scope) for d in manifest.datasets} >= {
        (ACCOUNT.type, GLOBAL),
        *((t, GLOBAL) for t in RAM_TYPES),
        *((ECS_INSTANCE.type, region) for region in sandbox.region_ids),
        *((VPC.type, region) for region in sandbox.vpc_region_ids),
    }
    for dataset in manifest.datasets:
        assert dataset.count == sum(len(batches[key]) for key in dataset.keys)
        assert all(0 < len(batches[key]) <= 50 for key in dataset.keys)
        if dataset.type == ECS_INSTANCE.type:
            assert [r for key in dataset.keys for r in batches[key]] == sandbox.instances(dataset.scope)
        if dataset.type == VPC.type:
            assert [r["VpcId"] for key in dataset.keys for r in batches[key]] == [
                v["VpcId"] for v in sandbox.vpcs(dataset.scope)
            ]
    assert len(batches.items_of(manifest, RAM_USER.type)) == len(sandbox.ram.users)
    assert batches.items_of(manifest, ACCOUNT.type) == [sandbox.account]
    permission_checks = [r.region_id for r in sandbox.requests if r.params.get("DryRun") == "True"]
    assert sorted(permission_checks) == sorted(sandbox.region_ids), "every ECS region checked before it is listed"


def test_global_listings_run_once_and_only_for_the_wanted_types(world):
    sandbox = world(instance_count=60, region_count=3)

    manifest = run_fetch(Batches(), resources=[RAM_USER.type, VPC.type])

    assert {dataset.type for dataset in manifest.datasets} == {RAM_USER.type, VPC.type}
    calls = {(r.product, r.action) for r in sandbox.requests}
    assert ("ecs", "DescribeInstances") not in calls
    assert ("sts", "GetCallerIdentity") not in calls
    assert ("ram", "ListPoliciesForUser") not in calls, "no policies wanted: no attachment listed"
    assert [r.action for r in sandbox.requests if r.product == "ram"].count("ListUsers") == 1


def test_fetch_leaves_out_each_failing_listing_and_names_its_types(world):
    sandbox = world(instance_count=200, region_count=4, seed=4)
    failing, forbidden = sandbox.region_ids[1], sandbox.region_ids[2]
    vpc_down = sandbox.vpc_region_ids[0]
    sandbox.inject(Fault("error", region=failing, action="DescribeInstances", code="InternalError"))
    sandbox.forbid_region(forbidden)
    sandbox.inject(Fault("error", region=vpc_down, action="DescribeVpcs", product="vpc"))
    sandbox.deny("ram:ListRoles")

    manifest = run_fetch(Batches())

    failed = {(tuple(f.types), f.scope): f.reason for f in manifest.failures}
    assert set(failed) == {
        ((ECS_INSTANCE.type,), failing),
        ((ECS_INSTANCE.type,), forbidden),
        ((VPC.type,), vpc_down),
        (tuple(t for t in ALL_TYPES if t in RAM_TYPES), GLOBAL),
    }
    assert "InternalError" in failed[(ECS_INSTANCE.type,), failing]
    assert "Forbidden.RAM" in failed[(ECS_INSTANCE.type,), forbidden]
    assert "ListRoles" in failed[tuple(t for t in ALL_TYPES if t in RAM_TYPES), GLOBAL]
    assert {(d.type, d.scope) for d in manifest.datasets if d.type in RAM_TYPES} == set()
    assert (ACCOUNT.type, GLOBAL) in {(d.type, d.scope) for d in manifest.datasets}


def test_a_region_no_product_offers_is_a_configuration_error(world):
    world()

    with pytest.raises(ConfigurationError, match="mars-north-1"):
        run_fetch(Batches(), regions=["mars-north-1"])


def test_an_allow_listed_region_one_product_lacks_is_read_by_the_others(
    monkeypatch, alibaba_sandbox_factory, jupiterone_sandbox
):
    world = synthetic_world(90, region_count=3, seed=11)
    ecs_regions = [region["RegionId"] for region in world["regions"]]
    without_vpc = ecs_regions[2]  # as cn-wuhan-lr, a local region with ECS and no VPC
    world["vpc_regions"] = [region for region in world["vpc_regions"] if region["RegionId"] != without_vpc]
    gone = {vpc["VpcId"] for vpc in world["vpcs"].pop(without_vpc)}
    world["vpc_attributes"] = {
        vpc_id: answer for vpc_id, answer in world["vpc_attributes"].items() if vpc_id not in gone
    }
    sandbox = alibaba_sandbox_factory(**world)
    allowed = [ecs_regions[0], without_vpc]
    monkeypatch.setenv("AIRFLOW_CONN_ALIBABACLOUD_DEFAULT", sandbox.connection_json(regions=allowed))

    manifest = run_fetch(Batches(), resources=[VPC.type, ECS_INSTANCE.type])

    assert manifest.failures == []
    assert {(d.type, d.scope) for d in manifest.datasets} == {
        (ECS_INSTANCE.type, ecs_regions[0]),
        (ECS_INSTANCE.type, without_vpc),
        (VPC.type, ecs_regions[0]),
    }
    monkeypatch.setenv("AIRFLOW_CONN_ALIBABACLOUD_DEFAULT", sandbox.connection_json(regions=[*allowed, "mars-1"]))
    with pytest.raises(ConfigurationError, match="regions no product lists for this account: mars-1"):
        run_fetch(Batches(), resources=[VPC.type, ECS_INSTANCE.type])


def test_transform_makes_every_relationship_whose_ends_were_synced(world):
    sandbox = world(instance_count=150, region_count=3, seed=5)
    batches = Batches()

    manifest = run_transform(run_fetch(batches), batches, batch_size=30)

    assert manifest.failures == []
    entity_keys: dict[str, set[str]] = {}
    for dataset in filter(is_entity_dataset, manifest.datasets):
        entity_keys.setdefault(dataset.type, set()).update(
            item["_key"] for key in dataset.keys for item in batches[key]
        )
    relationships = [item for d in manifest.datasets if not is_entity_dataset(d) for k in d.keys for item in batches[k]]
    assert relationships
    by_type = {kind.type: kind for kind in RELATIONSHIP_TYPES}
    for relationship in relationships:
        kind = by_type[relationship["_type"]]
        assert relationship["_fromEntityKey"] in entity_keys[kind.source], relationship["_key"]
        assert relationship["_toEntityKey"] in entity_keys[kind.target], relationship["_key"]
    (account_key,) = entity_keys[ACCOUNT.type]
    has = {r["_toEntityKey"] for r in relationships if r["_fromEntityKey"] == account_key}
    assert has == set().union(*(keys for type_name, keys in entity_keys.items() if type_name != ACCOUNT.type))
    in_vpcs = {
        instance["InstanceId"]
        for region in sandbox.region_ids
        for instance in sandbox.instances(region)
        if (instance.get("VpcAttributes") or {}).get("VpcId")
    }
    vpc_edges = {r["_toEntityKey"] for r in relationships if r["_type"] == "alibaba_cloud_vpc_has_ecs_instance"}
    assert vpc_edges == in_vpcs
    assert in_vpcs
    members = {(m.group_name, m.user_name) for m in sandbox.ram.memberships}
    group_edges = {
        (r["_fromEntityKey"].split(":", 1)[1], r["_toEntityKey"].split(":", 1)[1])
        for r in relationships
        if r["_type"] == "alibaba_cloud_ram_group_has_user"
    }
    assert group_edges == members
    assert members
    assert all(len(batches[key]) <= 30 for dataset in manifest.datasets for key in dataset.keys)


def test_transform_leaves_out_a_dataset_with_a_malformed_record_and_its_relationships(world):
    sandbox = world(instance_count=120, region_count=3, seed=6)
    broken = next(region for region in sandbox.region_ids if sandbox.instances(region))
    sandbox.add_instances(broken, [{"InstanceId": "i-short", "RegionId": broken}])
    batches = Batches()

    manifest = run_transform(run_fetch(batches), batches)

    assert [(f.types, f.scope) for f in manifest.failures] == [([ECS_INSTANCE.type], broken)]
    assert "i-short" in manifest.failures[0].reason
    assert broken not in {d.scope for d in manifest.datasets if d.type.endswith("ecs_instance")}
    assert partial_types(manifest.failed_types) == sorted(
        {ECS_INSTANCE.type} | relationship_types_touching([ECS_INSTANCE.type])
    )


def test_a_vpc_whose_region_failed_is_not_linked_to(world):
    sandbox = world(instance_count=150, region_count=3, seed=7)
    vpc_down = next(region for region in sandbox.region_ids if sandbox.vpcs(region) and sandbox.instances(region))
    sandbox.inject(Fault("error", region=vpc_down, action="DescribeVpcs", product="vpc"))
    batches = Batches()

    manifest = run_transform(run_fetch(batches), batches)

    edges = batches.items_of(manifest, "alibaba_cloud_vpc_has_ecs_instance")
    linked_vpcs = {edge["_fromEntityKey"] for edge in edges}
    assert linked_vpcs
    assert not linked_vpcs & {f"alibaba_cloud_vpc:{v['VpcId']}" for v in sandbox.vpcs(vpc_down)}
    assert "alibaba_cloud_vpc_has_ecs_instance" in partial_types(manifest.failed_types)


def test_publish_uploads_relationships_after_entities_in_one_job(world, jupiterone_sandbox):
    world(instance_count=80, region_count=2, seed=8)

    summary = run_sync()

    uploads = [r.endpoint for r in jupiterone_sandbox.requests if r.endpoint in ("entities", "relationships")]
    assert uploads.index("relationships") > max(i for i, e in enumerate(uploads) if e == "entities")
    assert len(jupiterone_sandbox.jobs()) == 1
    assert (summary.status, summary.partial_types) == ("FINISHED", [])
    assert summary.entities == len(jupiterone_sandbox.entities(scope=SCOPE))
    assert summary.relationships == len(jupiterone_sandbox.relationships(scope=SCOPE)) > 0


def test_a_ram_outage_keeps_the_ram_entities_and_relationships(world, jupiterone_sandbox):
    sandbox = world(instance_count=60, region_count=2, seed=9)
    run_sync()
    kept = {t: stored(jupiterone_sandbox, t) for t in RAM_TYPES | relationship_types_touching(RAM_TYPES)}
    sandbox.deny("ram:ListUsers")

    second = run_sync()

    assert {tuple(f["types"]) for f in second.failures} == {tuple(t for t in ALL_TYPES if t in RAM_TYPES)}
    assert set(second.partial_types) == RAM_TYPES | relationship_types_touching(RAM_TYPES)
    assert second.deleted == 0
    assert second.relationships_deleted == 0
    assert {t: stored(jupiterone_sandbox, t) for t in kept} == kept
    assert all(kept.values())


def test_publish_aborts_the_job_when_an_upload_fails(world, jupiterone_sandbox):
    world(instance_count=40, region_count=2, seed=10)
    batches = Batches()
    transformed = run_transform(run_fetch(batches), batches)
    jupiterone_sandbox.inject(JupiterOneFault("status", endpoint="relationships", status=400))

    with pytest.raises(JupiterOneApiError):
        publish(JupiterOneHook(retry=FAST), transformed, load=batches.__getitem__, scope=SCOPE, log=LOG)

    (job,) = jupiterone_sandbox.jobs()
    assert job["status"] == "ABORTED"
    assert jupiterone_sandbox.entities(scope=SCOPE) == []


def test_manifest_round_trips_through_json():
    manifest = Manifest(
        "fetch",
        datasets=[Dataset(VPC.type, "cn-hangzhou", 2, ["k1", "k2"])],
        failures=[Failure([RAM_USER.type, RAM_GROUP.type], GLOBAL, "NoPermission")],
    )

    assert Manifest.from_dict(json.loads(json.dumps(manifest.to_dict()))) == manifest
    assert (manifest.count, manifest.failed_types) == (2, {RAM_USER.type, RAM_GROUP.type})
    assert manifest.describe_failures() == "global (alibaba_cloud_ram_user, alibaba_cloud_ram_group): NoPermission"


def test_resources_are_checked_and_kept_in_registry_order():
    assert check_resources([ECS_INSTANCE.type, ACCOUNT.type]) == (ACCOUNT.type, ECS_INSTANCE.type)
    with pytest.raises(ConfigurationError, match="alibaba_cloud_rds"):
        check_resources(["alibaba_cloud_rds"])
    with pytest.raises(ConfigurationError, match="No resource type"):
        check_resources([])


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
