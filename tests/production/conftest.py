"""The production topology without Docker: PostgreSQL, Airflow's scheduler, DAG processor and API server on
LocalExecutor, and both sandboxes; every process started here is stopped here, by its own PID."""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from airflow_topology import AirflowTopology, Production, RestApi, free_port, wait_until
from postgres_server import PostgresServer, find_bin_dir

from alibaba_jupiterone.dag_factory import AccountConfig
from alibaba_jupiterone.sandbox import JupiterOneSandbox

DAGS_FOLDER = Path(__file__).resolve().parents[2] / "dags"
USERNAME = "admin"
FAST_RETRY = {"max_attempts": 2, "initial_delay": 0.01, "max_delay": 0.02}
START_TIMEOUT = 120


@pytest.fixture
def timings(capsys: pytest.CaptureFixture[str]) -> Iterator[dict[str, float]]:
    """Durations the test measures (seconds by name), printed with the test's whole wall time at the end."""
    measured: dict[str, float] = {}
    started = time.monotonic()
    yield measured
    measured["whole test, set-up to tear-down"] = time.monotonic() - started
    with capsys.disabled():
        print("\nproduction topology timings: " + ", ".join(f"{name} {s:.1f} s" for name, s in measured.items()))


@pytest.fixture
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of the distribution's packages; missing binaries fail in CI and skip elsewhere."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        message = "PostgreSQL's server binaries are not installed (Debian: apt-get install postgresql)"
        if os.environ.get("CI"):
            pytest.fail(message + "; .ci/run installs them")
        pytest.skip(message)
    server = PostgresServer(bin_dir, free_port())
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def production(
    timings: dict[str, float],
    postgres: PostgresServer,
    tmp_path: Path,
    ecs_sandbox_factory,
    jupiterone_sandbox: JupiterOneSandbox,
) -> Iterator[Production]:
    """Airflow on PostgreSQL with LocalExecutor, running the account's DAG against both sandboxes.

    The account syncs daily at the current UTC hour: its latest interval is due the moment the DAG is
    unpaused, and the next one is almost a day away, so no other scheduled run can get in the way.
    """
    started = time.monotonic()
    ecs = ecs_sandbox_factory("synthetic", 600, region_count=3, seed=42)
    account = {
        "account_name": "Production Topology",
        "scope": "alibaba-cloud-production-topology",
        "polling_interval": "ONE_DAY",
        "hour": datetime.now(timezone.utc).hour,
    }
    config = tmp_path / "alibaba_jupiterone.yaml"
    config.write_text(yaml.safe_dump({"accounts": [account]}))
    password = secrets.token_urlsafe(12)
    passwords = tmp_path / "passwords.json"
    passwords.write_text(json.dumps({USERNAME: password}))
    api_url = f"http://127.0.0.1:{free_port()}"
    scheduler_health_port = free_port()
    database = postgres.create_database("airflow", "airflow", secrets.token_urlsafe(12))
    airflow = AirflowTopology(
        {
            **os.environ,
            "AIRFLOW_HOME": str(tmp_path / "airflow"),
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database,
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api_url}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(scheduler_health_port),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USERNAME}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "ALIBABA_JUPITERONE_CONFIG": str(config),
            "AIRFLOW_CONN_ALIBABACLOUD_DEFAULT": ecs.connection_json(retry=FAST_RETRY),
            "AIRFLOW_CONN_JUPITERONE_DEFAULT": jupiterone_sandbox.connection_json(),
        },
        logs=tmp_path / "components",
    )
    airflow.run("db", "migrate", timeout=300)
    api = RestApi(api_url)
    try:
        airflow.start("dag-processor")
        airflow.start("scheduler")
        airflow.start("api-server", "--host", "127.0.0.1", "--port", api_url.rsplit(":", 1)[1], "--workers", "1")
        wait_until(lambda: airflow.check_running() or api.is_healthy(), timeout=START_TIMEOUT, what="the API server")
        api.log_in(USERNAME, password)
        timings["start-up (database, migration, components)"] = time.monotonic() - started
        scheduler_health_url = f"http://127.0.0.1:{scheduler_health_port}/health"
        yield Production(airflow, api, scheduler_health_url, AccountConfig(**account), ecs, jupiterone_sandbox)
    finally:
        airflow.stop()
