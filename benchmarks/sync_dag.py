"""Benchmark: one full sync of a sandbox account through ``airflow dags test``, and how it splits by task.

A 20-region, 5,000-instance ECS sandbox fleet with 50 ms of latency on every ECS call, the
JupiterOne sandbox, and the real DAG of ``dags/`` run once through Airflow on an SQLite metadata
database in a throw-away Airflow home. Prints the wall time of the command and each task's
duration as Airflow recorded it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DAGS = Path(__file__).resolve().parents[1] / "dags"
DAG_ID = "alibaba_cloud_jupiterone_benchmark"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instances", type=int, default=5_000)
    parser.add_argument("--regions", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every ECS call")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="airflow-benchmark-"))
    config = home / "accounts.yaml"
    config.write_text("accounts:\n  - account_name: Benchmark\n    scope: alibaba-cloud-benchmark\n")
    os.environ.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        ALIBABA_JUPITERONE_CONFIG=str(config),
    )
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True)

    from alibaba_jupiterone.sandbox import EcsSandbox, Fault, JupiterOneSandbox

    with (
        EcsSandbox.synthetic(args.instances, region_count=args.regions, seed=1) as ecs,
        JupiterOneSandbox() as jupiterone,
    ):
        ecs.inject(Fault("latency", delay=args.latency))
        os.environ["AIRFLOW_CONN_ALIBABACLOUD_DEFAULT"] = ecs.connection_json()
        os.environ["AIRFLOW_CONN_JUPITERONE_DEFAULT"] = jupiterone.connection_json()
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "airflow", "dags", "test", DAG_ID], check=False, capture_output=True, text=True
        )
        wall = time.perf_counter() - started
        if result.returncode:
            sys.exit(result.stdout[-5000:] + result.stderr[-5000:])
        (job,) = jupiterone.jobs()
        print(
            f"{args.instances} instances, {args.regions} regions, {args.latency * 1000:.0f} ms per ECS call "
            f"({len(ecs.requests)} calls): airflow dags test took {wall:.1f} s; "
            f"job {job['status']}, {job['numEntitiesCreated']} created"
        )
    print_task_durations()


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
