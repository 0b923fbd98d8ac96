"""Benchmark: list a 5,000-instance, 20-region sandbox fleet through AlibabaEcsHook.

Prints the wall time of a clean listing (the baseline), of the same listing with throttling
injected in several regions, and of the throttled listing with regions read in parallel. Then the
CPU cost of listing, in microseconds per instance: one region of 10,000 instances read in pages of
100, the CPU time of the listing thread alone (the sandbox answers from threads of its own).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

from alibaba_jupiterone.sandbox import EcsSandbox, Fault


def list_fleet(hook, workers: int) -> tuple[int, float]:
    started = time.perf_counter()
    regions = hook.list_regions()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        counts = pool.map(lambda region_id: sum(1 for _ in hook.iter_instances(region_id)), regions)
        total = sum(counts)
    return total, time.perf_counter() - started


def listing_cost(instance_count: int, repeat: int) -> None:
    """Print the CPU and wall time per instance of listing one region of ``instance_count`` instances."""
    from alibaba_jupiterone.hooks.alibaba_ecs import AlibabaEcsHook

    with EcsSandbox.synthetic(instance_count, region_count=1, seed=1) as sandbox:
        os.environ["AIRFLOW_CONN_ALIBABACLOUD_DEFAULT"] = sandbox.connection_json()
        (region_id,) = sandbox.region_ids
        hook = AlibabaEcsHook()
        timings = []
        for _ in range(repeat):
            cpu, wall = time.thread_time(), time.perf_counter()
            listed = sum(1 for _ in hook.iter_instances(region_id))
            timings.append((time.thread_time() - cpu, time.perf_counter() - wall))
    assert listed == instance_count, f"listed {listed} instances, the region has {instance_count}"
    cpu = min(cpu for cpu, _ in timings) / listed * 1e6
    wall = min(wall for _, wall in timings) / listed * 1e6
    print(f"one region of {listed} instances, pages of 100: {cpu:.1f} us of CPU, {wall:.1f} us wall per instance")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instances", type=int, default=5_000)
    parser.add_argument("--regions", type=int, default=20)
    parser.add_argument("--throttled-regions", type=int, default=6)
    parser.add_argument("--cost-instances", type=int, default=10_000, help="instances of the one-region listing")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the one-region listing (the best counts)")
    args = parser.parse_args()

    from alibaba_jupiterone.hooks.alibaba_ecs import AlibabaEcsHook
    from alibaba_jupiterone.hooks.retry import RetryPolicy

    with EcsSandbox.synthetic(args.instances, region_count=args.regions, seed=1) as sandbox:
        os.environ["AIRFLOW_CONN_ALIBABACLOUD_DEFAULT"] = json.dumps(
            {"conn_type": "alibaba_cloud", "extra": sandbox.connection_extra()}
        )
        policy = RetryPolicy(initial_delay=0.2, max_delay=2.0)
        expected = sandbox.instance_count()

        def run(label: str, workers: int) -> float:
            sandbox.clear_requests()
            total, elapsed = list_fleet(AlibabaEcsHook(retry=policy), workers)
            throttled = sum(1 for record in sandbox.requests if record.code and "Throttling" in record.code)
            assert total == expected, f"listed {total} instances, the fleet has {expected}"
            print(
                f"{label:<34} {total} instances  {len(sandbox.requests):>4} requests  "
                f"{throttled:>3} throttled  {elapsed:6.2f} s"
            )
            return elapsed

        baseline = run("clean, regions one by one", 1)
        for region_id in sandbox.region_ids[: args.throttled_regions]:
            sandbox.inject(Fault("throttle", region=region_id, action="DescribeInstances", times=3))
        throttled = run("throttled, regions one by one", 1)
        for region_id in sandbox.region_ids[: args.throttled_regions]:
            sandbox.inject(Fault("throttle", region=region_id, action="DescribeInstances", times=3))
        parallel = run("throttled, 8 regions at a time", 8)
    print(f"throttled / clean: {throttled / baseline:.2f}x; parallel / one by one: {parallel / throttled:.2f}x")
    listing_cost(args.cost_instances, args.repeat)


if __name__ == "__main__":
    main()
