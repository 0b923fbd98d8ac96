"""The DAG files as Airflow loads them: good accounts load, a bad one is an import error, parsing stays offline."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from airflow.dag_processing.dagbag import DagBag
from dag_factory_support import CHECK_FILE, DAG_FILE, DAGS_FOLDER, WriteConfig, account

GOOD_AND_BAD = [
    account("Production EU", polling_interval="ONE_WEEK", hour=6, day_of_week="WEDNESDAY"),
    {**account("Broken"), "polling_interval": "HOURLY"},
    account("Staging", polling_interval="THIRTY_MINUTES"),
]
GOOD_DAG_IDS = ["alibaba_cloud_jupiterone_production_eu", "alibaba_cloud_jupiterone_staging"]
BROKEN = "account 'Broken': field 'polling_interval': 'HOURLY' is not one of"


def test_a_bad_account_is_one_import_error_and_the_good_accounts_load(write_config: WriteConfig) -> None:
    write_config(GOOD_AND_BAD)

    bag = DagBag(dag_folder=DAGS_FOLDER)

    assert sorted(bag.dag_ids) == GOOD_DAG_IDS
    assert list(bag.import_errors) == [str(CHECK_FILE)]
    assert BROKEN in bag.import_errors[str(CHECK_FILE)]
    assert "ConfigurationError" in bag.import_errors[str(CHECK_FILE)]


def test_a_good_configuration_loads_without_import_errors(write_config: WriteConfig) -> None:
    write_config([account("Production EU"), account("Staging")])

    bag = DagBag(dag_folder=DAGS_FOLDER)

    assert sorted(bag.dag_ids) == GOOD_DAG_IDS
    assert bag.import_errors == {}


def test_without_a_configuration_file_the_default_dag_loads() -> None:
    bag = DagBag(dag_folder=DAGS_FOLDER)

    assert bag.dag_ids == ["alibaba_cloud_jupiterone_default"]
    assert bag.import_errors == {}


def test_a_file_that_cannot_be_read_loads_no_dag(write_config: WriteConfig) -> None:
    path = write_config(text="accounts: [")

    bag = DagBag(dag_folder=DAGS_FOLDER)

    assert bag.dag_ids == []
    assert sorted(bag.import_errors) == sorted([str(DAG_FILE), str(CHECK_FILE)])
    for error in bag.import_errors.values():
        assert f"cannot read the account configuration {path}" in error


def airflow_environment(tmp_path: Path, config: Path) -> dict[str, str]:
    """An Airflow home of its own in ``tmp_path``, with the repository's DAG folder and ``config``."""
    return {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path / 'airflow.db'}",
        "ALIBABA_JUPITERONE_CONFIG": str(config),
    }


OFFLINE_PARSE = """
import json, socket, sys

def refuse(*args, **kwargs):
    raise OSError("network call while parsing the DAG files")

socket.socket.connect = socket.socket.connect_ex = refuse
socket.getaddrinfo = socket.create_connection = refuse

from airflow.dag_processing.dagbag import DagBag

bag = DagBag(dag_folder=sys.argv[1])
print(json.dumps({"dag_ids": sorted(bag.dag_ids), "import_errors": bag.import_errors}))
"""


def test_parsing_makes_no_network_call_and_no_database_query(tmp_path: Path, write_config: WriteConfig) -> None:
    environment = airflow_environment(tmp_path, write_config(GOOD_AND_BAD))

    parsed = subprocess.run(
        [sys.executable, "-c", OFFLINE_PARSE, str(DAGS_FOLDER)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )

    result = json.loads(parsed.stdout.splitlines()[-1])
    assert result["dag_ids"] == GOOD_DAG_IDS
    assert list(result["import_errors"]) == [str(CHECK_FILE)]
    assert BROKEN in result["import_errors"][str(CHECK_FILE)]
    assert "network call" not in parsed.stderr
    assert not (tmp_path / "airflow.db").exists(), "parsing opened the metadata database"


def run_airflow(environment: dict[str, str], *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "airflow", *arguments], env=environment, capture_output=True, check=True, timeout=180
    )


def test_airflows_dag_processor_keeps_scheduling_the_good_accounts(tmp_path: Path, write_config: WriteConfig) -> None:
    """Airflow stops scheduling every DAG of a file with an import error: the good accounts must not share it."""
    environment = airflow_environment(tmp_path, write_config(GOOD_AND_BAD))
    run_airflow(environment, "db", "migrate")

    run_airflow(environment, "dag-processor", "--num-runs", "1")

    with closing(sqlite3.connect(tmp_path / "airflow.db")) as database:
        dags = database.execute("SELECT dag_id, is_stale, has_import_errors FROM dag ORDER BY dag_id").fetchall()
        errors = database.execute("SELECT filename, stacktrace FROM import_error").fetchall()
    assert dags == [(dag_id, 0, 0) for dag_id in GOOD_DAG_IDS]
    assert [filename for filename, _stacktrace in errors] == [CHECK_FILE.name]
    assert BROKEN in errors[0][1]
