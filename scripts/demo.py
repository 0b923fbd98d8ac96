"""The provider's main job, run once through Airflow: an Alibaba Cloud account -> JupiterOne.

With no connections configured it needs no cloud account: it sets up Airflow on its embedded SQLite
metadata database in ``.demo/airflow``, starts both sandboxes (a seeded account of 3 regions x 200
ECS instances with their VPCs, 30 RAM users, 5 groups, 10 roles and 15 attached policies, and a
JupiterOne sandbox keeping its graph in ``.demo/jupiterone.sqlite``), points the
connections at them, runs the real DAG of ``dags/`` once with ``airflow dags test`` and prints the
sync summary. Run it twice: the second run creates and deletes nothing.

With ``AIRFLOW_CONN_ALIBABACLOUD_DEFAULT`` and ``AIRFLOW_CONN_JUPITERONE_DEFAULT`` set, it syncs the real
accounts of the account configuration instead, and says so.

``--ui`` starts the same set-up with Airflow's scheduler, DAG processor and API server instead (UI on
http://localhost:8080, no login), to see, schedule and trigger the DAG; Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from contextlib import ExitStack, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / ".demo"
CONNECTIONS = ("AIRFLOW_CONN_ALIBABACLOUD_DEFAULT", "AIRFLOW_CONN_JUPITERONE_DEFAULT")
DEMO_ACCOUNT = {"account_name": "Demo", "scope": "alibaba-cloud-demo", "tag_with_account_name": True}
DEMO_DAG_ID = "alibaba_cloud_jupiterone_demo"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ui", action="store_true", help="run airflow standalone on the demo set-up")
    args = parser.parse_args()
    real = all(name in os.environ for name in CONNECTIONS)
    os.environ.setdefault("AIRFLOW_HOME", str(DEMO / "airflow"))
    os.environ.update(AIRFLOW__CORE__DAGS_FOLDER=str(ROOT / "dags"), AIRFLOW__CORE__LOAD_EXAMPLES="False")
    airflow("db", "migrate")
    with ExitStack() as stack:
        if real:
            from alibaba_jupiterone.dag_factory import build_dags

            dag_ids = list(build_dags())
            print(f"Real connections configured: syncing the real accounts ({', '.join(dag_ids)}).")
        else:
            jupiterone = start_sandboxes(stack)
            before = stable(jupiterone)
            dag_ids = [DEMO_DAG_ID]
        if args.ui:
            serve_ui()
            return
        for dag_id in dag_ids:
            summary = run_dag(dag_id)
            print(f"{dag_id}: {describe(summary)}")
        if not real:
            print(graph_report(before, stable(jupiterone)))


def start_sandboxes(stack: ExitStack):
    """Start both sandboxes for the demo account; return the JupiterOne one."""
    from alibaba_jupiterone.sandbox import AlibabaCloudSandbox, JupiterOneSandbox

    DEMO.mkdir(exist_ok=True)
    config = DEMO / "accounts.yaml"
    config.write_text(json.dumps({"accounts": [DEMO_ACCOUNT]}))  # JSON is YAML
    cloud = stack.enter_context(
        AlibabaCloudSandbox.synthetic(600, region_count=3, seed=7, users=30, groups=5, roles=10, policies=15)
    )
    jupiterone = stack.enter_context(JupiterOneSandbox(database=DEMO / "jupiterone.sqlite"))
    os.environ.update(
        ALIBABA_JUPITERONE_CONFIG=str(config),
        AIRFLOW_CONN_ALIBABACLOUD_DEFAULT=cloud.connection_json(),
        AIRFLOW_CONN_JUPITERONE_DEFAULT=jupiterone.connection_json(),
    )
    print(
        f"Sandboxes: Alibaba Cloud on {cloud.endpoint} ({cloud.instance_count()} instances, "
        f"{len(cloud.ram.users)} RAM users), JupiterOne on {jupiterone.url}"
    )
    return jupiterone


def serve_ui() -> None:
    """Run Airflow's components (not ``airflow standalone``, which leaves them running) until Ctrl-C."""
    os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS"] = "True"  # a local demo: no login
    components = [
        subprocess.Popen([sys.executable, "-m", "airflow", *command], start_new_session=True)
        for command in (("dag-processor",), ("scheduler",), ("api-server", "--port", "8080"))
    ]
    print("Airflow UI on http://localhost:8080 (Ctrl-C stops it)")
    try:
        for component in components:
            component.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for component in components:
            stop(component)


def stop(process: subprocess.Popen) -> None:
    """Stop a component and every process it started (its own session)."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def airflow(*arguments: str) -> str:
    """Run an ``airflow`` command; its output goes to ``.demo/last-command.log``."""
    DEMO.mkdir(exist_ok=True)
    result = subprocess.run([sys.executable, "-m", "airflow", *arguments], check=False, capture_output=True, text=True)
    (DEMO / "last-command.log").write_text(result.stdout + result.stderr)
    if result.returncode:
        sys.exit(f"airflow {' '.join(arguments)} failed; see {DEMO / 'last-command.log'}")
    return result.stdout + result.stderr


def run_dag(dag_id: str) -> dict:
    """Run the DAG once with ``airflow dags test``; the summary the publish task logged."""
    output = airflow("dags", "test", dag_id)
    lines = [line for line in output.splitlines() if "Published: {" in line]
    if not lines:
        sys.exit(f"{dag_id} ran but published nothing; see {DEMO / 'last-command.log'}")
    return json.JSONDecoder().raw_decode(lines[-1].split("Published: ", 1)[1])[0]


def describe(summary: dict) -> str:
    types = ", ".join(f"{count} {name.removeprefix('alibaba_cloud_')}" for name, count in summary["types"].items())
    return (
        f"job {summary['status']}: {summary['entities']} entities and {summary['relationships']} relationships "
        f"({types}); entities {summary['created']} created, {summary['updated']} updated, {summary['deleted']} "
        f"deleted; relationships {summary['relationships_created']} created, {summary['relationships_deleted']} "
        f"deleted (publish took {summary['seconds']:.1f} s)"
    )


def stable(jupiterone) -> list[dict]:
    """The demo scope's entities and relationships, without ``lastSeenOn``, which every sync moves on."""
    scope = DEMO_ACCOUNT["scope"]
    stored = [*jupiterone.entities(scope=scope), *jupiterone.relationships(scope=scope)]
    return sorted(({k: v for k, v in o.items() if k != "lastSeenOn"} for o in stored), key=lambda o: o["_key"])


def graph_report(before: list[dict], after: list[dict]) -> str:
    if not before:
        return (
            f"The JupiterOne sandbox now holds {len(after)} entities and relationships; run again to see a sync "
            "with nothing new."
        )
    if after == before:
        return (
            f"Graph unchanged: the same {len(after)} entities and relationships with the same properties "
            "(lastSeenOn aside)."
        )
    return f"Graph changed: {len(after)} entities and relationships now, {len(before)} before."


if __name__ == "__main__":
    main()
