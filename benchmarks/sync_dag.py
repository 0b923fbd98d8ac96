"""Benchmark: one full sync of a whole sandbox account through ``airflow dags test``, in-process too.

A seeded synthetic world (by default 5,000 ECS instances in 20 regions with their VPCs, and 300 RAM
users, 30 groups, 100 roles and 150 attached policies) with ``--latency`` added to every Alibaba
Cloud call, the JupiterOne sandbox, and the real DAG of ``dags/`` run once through Airflow on an
SQLite metadata database in a throw-away Airflow home. Prints the API calls per product and action,
the wall time of the command, each task's duration as Airflow recorded it, and what JupiterOne got.
With ``--in-process`` the same sync first runs through the pipeline steps in this process (no
Airflow scheduling), to a scope of its own.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

DAGS = Path(__file__).resolve().parents[1] / "dags"
DAG_ID = "alibaba_cloud_jupiterone_benchmark"
SCOPE = "alibaba-cloud-benchmark"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instances", type=int, default=5_000)
    parser.add_argument("--regions", type=int, default=20)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--groups", type=int, default=30)
    parser.add_argument("--roles", type=int, default=100)
    parser.add_argument("--policies", type=int, default=150, help="attached policies")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every Alibaba Cloud call")
    parser.add_argument("--in-process", action="store_true", help="also run the steps in this process first")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="airflow-benchmark-"))
    config = home / "accounts.yaml"
    config.write_text(f"accounts:\n  - account_name: Benchmark\n    scope: {SCOPE}\n")
    os.environ.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__LOGGING__LOGGING_LEVEL="WARNING",
        ALIBABA_JUPITERONE_CONFIG=str(config),
    )
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True)

    from alibaba_jupiterone.sandbox import AlibabaCloudSandbox, Fault, JupiterOneSandbox

    world = {"users": args.users, "groups": args.groups, "roles": args.roles, "policies": args.policies}
    with (
        AlibabaCloudSandbox.synthetic(args.instances, region_count=args.regions, seed=1, **world) as cloud,
        JupiterOneSandbox() as jupiterone,
    ):
        cloud.inject(Fault("latency", delay=args.latency))
        os.environ["AIRFLOW_CONN_ALIBABACLOUD_DEFAULT"] = cloud.connection_json()
        os.environ["AIRFLOW_CONN_JUPITERONE_DEFAULT"] = jupiterone.connection_json()
        print(
            f"World: {args.instances:,} instances in {args.regions} regions with "
            f"{sum(len(cloud.vpcs(r)) for r in cloud.vpc_region_ids)} VPCs; {len(cloud.ram.users)} users, "
            f"{len(cloud.ram.groups)} groups, {len(cloud.ram.roles)} roles, "
            f"{len({a.policy_name for a in cloud.ram.attachments})} attached policies; "
            f"{args.latency * 1000:.0f} ms per Alibaba Cloud call"
        )
        if args.in_process:
            started = time.perf_counter()
            summary = in_process_sync(f"{SCOPE}-in-process")
            print(f"\nin-process: {time.perf_counter() - started:.1f} s; {summary}")
            print_calls(cloud.requests)
            cloud.clear_requests()
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "airflow", "dags", "test", DAG_ID], check=False, capture_output=True, text=True
        )
        wall = time.perf_counter() - started
        if result.returncode:
            sys.exit(result.stdout[-5000:] + result.stderr[-5000:])
        job = jupiterone.jobs()[-1]
        print(
            f"\nairflow dags test: {wall:.1f} s; job {job['status']}: {job['numEntitiesUploaded']} entities and "
            f"{job['numRelationshipsUploaded']} relationships uploaded"
        )
        print_calls(cloud.requests)
    print_task_durations()


def in_process_sync(scope: str) -> str:
    """The fetch, transform and publish steps of the operators, batches kept in a dict."""
    from alibaba_jupiterone.graph import ConversionOptions
    from alibaba_jupiterone.hooks.jupiterone import JupiterOneHook
    from alibaba_jupiterone.pipeline.fetch import fetch, plan
    from alibaba_jupiterone.pipeline.listings import AlibabaCloud
    from alibaba_jupiterone.pipeline.publish import publish
    from alibaba_jupiterone.pipeline.transform import transform

    batches: dict = {}
    listings, _ = plan(AlibabaCloud("alibabacloud_default"))
    fetched = fetch(listings, store=batches.__setitem__, producer="fetch", batch_size=250, max_concurrent_listings=8)
    options = ConversionOptions(observed_on=int(time.time() * 1000), account_name="Benchmark")
    transformed = transform(
        fetched, options, load=batches.pop, store=batches.__setitem__, producer="transform", batch_size=250
    )
    return publish(JupiterOneHook(), transformed, load=batches.pop, scope=scope, log=logging.getLogger()).describe()


def print_calls(requests: list) -> None:
    """API calls by product, then by action."""
    products = Counter(request.product for request in requests)
    actions = Counter((request.product, request.action) for request in requests)
    for product, count in sorted(products.items()):
        detail = ", ".join(f"{action} {n}" for (p, action), n in sorted(actions.items()) if p == product)
        print(f"  {product.upper():<4} {count:5} calls: {detail}")


def print_task_durations() -> None:
    from airflow.models.dagrun import DagRun

    (run,) = DagRun.find(dag_id=DAG_ID)
    instances = sorted(run.get_task_instances(), key=lambda ti: ti.start_date)
    for ti in instances:
        print(f"  {ti.task_id:<10} {(ti.end_date - ti.start_date).total_seconds():6.2f} s")
    gaps = (run.end_date - run.start_date).total_seconds() - sum(
        (ti.end_date - ti.start_date).total_seconds() for ti in instances
    )
    print(f"  {'(Airflow)':<10} {gaps:6.2f} s between and around the tasks")


if __name__ == "__main__":
    main()
