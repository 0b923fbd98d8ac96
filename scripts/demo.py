"""List a sandbox ECS fleet through AlibabaEcsHook: the provider's main job on a laptop.

Starts the local ECS sandbox (a synthetic fleet over the real region list, with some throttling
injected), points an ``alibaba_cloud`` Airflow connection at it and lists every region's
instances through the hook, exactly as a DAG would against Alibaba Cloud.
"""

from __future__ import annotations

import json
import logging
import os
import time

from alibaba_jupiterone.sandbox import EcsSandbox, Fault

INSTANCES = 1_000
REGIONS = 20


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    with EcsSandbox.synthetic(INSTANCES, region_count=REGIONS, seed=1) as sandbox:
        for region_id in sandbox.region_ids[:3]:
            sandbox.inject(Fault("throttle", region=region_id, action="DescribeInstances", times=2))
        os.environ["AIRFLOW_CONN_ALIBABACLOUD_DEFAULT"] = json.dumps(
            {"conn_type": "alibaba_cloud", "extra": sandbox.connection_extra()}
        )
        from alibaba_jupiterone.hooks.alibaba_ecs import AlibabaEcsHook
        from alibaba_jupiterone.hooks.retry import RetryPolicy

        hook = AlibabaEcsHook(retry=RetryPolicy(initial_delay=0.1))
        print(f"ECS sandbox on {sandbox.endpoint}; listing through AlibabaEcsHook")
        started = time.perf_counter()
        total = 0
        for region_id in hook.list_regions():
            instances = list(hook.iter_instances(region_id))
            running = sum(instance["Status"] == "Running" for instance in instances)
            print(f"  {region_id:<18} {len(instances):>5} instances  {running:>5} running")
            total += len(instances)
        elapsed = time.perf_counter() - started
    print(f"{total} instances in {REGIONS} regions, listed in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
