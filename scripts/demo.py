"""The provider's main job on a laptop: Alibaba Cloud ECS -> JupiterOne, against the local sandboxes.

Starts the ECS sandbox (a synthetic fleet over the real region list, with some throttling injected)
and the JupiterOne sandbox (its graph kept in ``.demo/jupiterone.sqlite``), points Airflow
connections at them, then fetches every region's instances through ``AlibabaEcsHook``, turns them
into JupiterOne entities, checks each against the data model, and publishes them in one DIFF sync
job through ``JupiterOneHook``. Run it twice: the second run updates what it finds again
(``lastSeenOn`` moves on) and creates and deletes nothing.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from alibaba_jupiterone.sandbox import EcsSandbox, Fault, JupiterOneSandbox

INSTANCES = 1_000
REGIONS = 20
SCOPE = "alibaba-cloud-demo"
DATABASE = Path(".demo") / "jupiterone.sqlite"


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    DATABASE.parent.mkdir(exist_ok=True)
    with (
        EcsSandbox.synthetic(INSTANCES, region_count=REGIONS, seed=1) as ecs,
        JupiterOneSandbox(database=DATABASE) as jupiterone,
    ):
        for region_id in ecs.region_ids[:3]:
            ecs.inject(Fault("throttle", region=region_id, action="DescribeInstances", times=2))
        os.environ["AIRFLOW_CONN_ALIBABACLOUD_DEFAULT"] = ecs.connection_json()
        os.environ["AIRFLOW_CONN_JUPITERONE_DEFAULT"] = jupiterone.connection_json()
        print(f"ECS sandbox on {ecs.endpoint}, JupiterOne sandbox on {jupiterone.url}")
        run()


def run() -> None:
    from alibaba_jupiterone.graph import ECS_INSTANCE, ConversionOptions, validate_entity
    from alibaba_jupiterone.hooks.alibaba_ecs import AlibabaEcsHook
    from alibaba_jupiterone.hooks.jupiterone import JupiterOneHook
    from alibaba_jupiterone.hooks.retry import RetryPolicy

    started = time.perf_counter()
    ecs = AlibabaEcsHook(retry=RetryPolicy(initial_delay=0.1))
    options = ConversionOptions(observed_on=int(time.time() * 1000), account_name="demo", tag_with_account_name=True)
    entities = []
    for region_id in ecs.list_regions():
        ecs.check_permission(region_id)
        converted = list(ECS_INSTANCE.to_entities(ecs.iter_instances(region_id), options, region=region_id))
        for entity in converted:
            validate_entity(entity)
        entities += converted
        print(f"  {region_id:<18} {len(converted):>5} instances")
    fetched = time.perf_counter() - started

    jupiterone = JupiterOneHook()
    job_id = jupiterone.start_sync_job(scope=SCOPE)["id"]
    summary = jupiterone.upload_entities(job_id, entities)
    jupiterone.finalize_sync_job(job_id, summary.partial_types)
    job = jupiterone.wait_for_sync_job(job_id, poll_interval=0.05)
    print(
        f"{len(entities)} entities fetched, converted and checked in {fetched:.2f} s; published in "
        f"{summary.requests} request(s): {job['numEntitiesCreated']} created, {job['numEntitiesUpdated']} updated, "
        f"{job['numEntitiesDeleted']} deleted ({time.perf_counter() - started:.2f} s in all)"
    )


if __name__ == "__main__":
    main()
