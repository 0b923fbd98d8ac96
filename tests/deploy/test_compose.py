"""What README's "Running in production" promises of ``docker-compose.yaml`` and ``.env.example``, checked
without a Docker engine: the services and their commands, the executor, the shared environment, the volumes,
the health checks and the image build."""

from __future__ import annotations

import json
import re

import pytest
from deploy_files import ROOT, env_example, load_compose, pinned_airflow_version

from alibaba_jupiterone.dag_factory import CONFIG_ENV_VAR

COMMANDS = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
    "airflow-worker": "celery worker",
}
"""The long-running Airflow components, by service, and the ``airflow`` command each runs."""

AIRFLOW_SERVICES = {*COMMANDS, "airflow-init"}
DAGS_TARGET = "/opt/airflow/dags"
"""The DAG folder of the official image."""


@pytest.fixture(scope="module")
def settings() -> dict[str, str]:
    return env_example()


@pytest.fixture(scope="module")
def services(settings) -> dict[str, dict]:
    return load_compose(settings)["services"]


def environment(service: dict) -> dict[str, str]:
    return {name: str(value) for name, value in service["environment"].items()}


def mounts(service: dict) -> dict[str, dict]:
    """The service's volumes by target path, short syntax turned into long syntax."""
    found = {}
    for volume in service["volumes"]:
        long = volume
        if isinstance(volume, str):
            source, target, *options = volume.split(":")
            long = {"source": source, "target": target, "read_only": options == ["ro"]}
        found[long["target"]] = long
    return found


def test_the_services_are_airflow_3s_with_the_celery_executor(services):
    assert set(services) == {"postgres", "redis", *AIRFLOW_SERVICES}
    assert {name: services[name]["command"] for name in COMMANDS} == COMMANDS
    init = environment(services["airflow-init"])
    assert init["_AIRFLOW_DB_MIGRATE"] == init["_AIRFLOW_WWW_USER_CREATE"] == "true"
    assert services["airflow-init"]["restart"] == "no", "a one-shot job"


def test_every_airflow_service_runs_the_same_image_environment_and_volumes(services):
    first, *others = (services[name] for name in sorted(AIRFLOW_SERVICES))
    shared = ("build", "image", "env_file", "user", "volumes")
    for service in others:
        assert {key: service[key] for key in shared} == {key: first[key] for key in shared}
        # The worker and the init job only add variables of their own.
        assert environment(service).items() >= environment(services["airflow-scheduler"]).items()
    assert first["env_file"] == ".env", "connections and settings come from .env"


def test_the_executor_is_celery_on_redis_with_the_metadata_in_postgres(services, settings):
    airflow, postgres = environment(services["airflow-scheduler"]), environment(services["postgres"])
    assert airflow["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert airflow["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:6379/")
    credentials = f"{postgres['POSTGRES_USER']}:{postgres['POSTGRES_PASSWORD']}@postgres/{postgres['POSTGRES_DB']}"
    assert airflow["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"postgresql+psycopg2://{credentials}"
    assert airflow["AIRFLOW__CELERY__RESULT_BACKEND"] == f"db+postgresql://{credentials}"
    assert postgres["POSTGRES_PASSWORD"] == settings["POSTGRES_PASSWORD"]
    assert airflow["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
    assert services["airflow-apiserver"]["ports"] == [f"{settings['AIRFLOW_API_PORT']}:8080"]
    for secret in ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY"):
        assert airflow[secret], f"{secret}: every component must share it"


def test_the_local_executor_variant_is_one_setting_away(settings):
    local = load_compose({**settings, "AIRFLOW_EXECUTOR": "LocalExecutor"})["services"]

    assert {environment(local[name])["AIRFLOW__CORE__EXECUTOR"] for name in AIRFLOW_SERVICES} == {"LocalExecutor"}


def test_the_dags_and_the_account_configuration_are_mounted_where_airflow_reads_them(services, settings):
    volumes = mounts(services["airflow-scheduler"])
    dags = volumes[DAGS_TARGET]
    assert (dags["source"], dags["read_only"]) == ("./dags", True)
    assert sorted(path.name for path in (ROOT / "dags").glob("*.py")) == [
        "alibaba_cloud_jupiterone.py",
        "alibaba_cloud_jupiterone_config_check.py",
    ]
    config = volumes[environment(services["airflow-scheduler"])[CONFIG_ENV_VAR]]
    assert (config["source"], config["read_only"]) == (settings["ALIBABA_JUPITERONE_ACCOUNTS"], True)
    assert config["type"] == "bind"
    assert "create_host_path" not in config, "a missing file must stop `docker compose up`"
    assert "/opt/airflow/logs" in volumes, "the API server reads the workers' task logs"


def test_every_long_running_service_has_a_health_check_and_waits_for_what_it_needs(services):
    for name, service in services.items():
        if name != "airflow-init":
            assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
            assert service["restart"] == "always", name
    for name in COMMANDS:
        conditions = {needed: how["condition"] for needed, how in services[name]["depends_on"].items()}
        assert (
            conditions.items()
            >= {
                "postgres": "service_healthy",
                "redis": "service_healthy",
                "airflow-init": "service_completed_successfully",
            }.items()
        )
    assert services["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("airflow-apiserver", "http://localhost:8080/api/v2/monitor/health"),
        ("airflow-scheduler", "http://localhost:8974/health"),
        ("airflow-dag-processor", 'airflow jobs check --job-type DagProcessorJob --hostname "${HOSTNAME}"'),
        ("airflow-triggerer", 'airflow jobs check --job-type TriggererJob --hostname "${HOSTNAME}"'),
        ("airflow-worker", 'inspect ping --destination "celery@${HOSTNAME}"'),
        ("postgres", 'pg_isready --username "${POSTGRES_USER}" --dbname "${POSTGRES_DB}"'),
        ("redis", "redis-cli"),
    ],
)
def test_each_health_check_asks_the_component_itself(services, service, expected):
    assert expected in " ".join(services[service]["healthcheck"]["test"])
    if service == "airflow-scheduler":
        assert environment(services[service])["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "true"


def test_the_image_is_built_here_at_the_airflow_version_of_the_constraints(services, settings):
    pinned = pinned_airflow_version()
    build = services["airflow-scheduler"]["build"]
    assert (build["context"], build.get("dockerfile", "Dockerfile")) == (".", "Dockerfile")
    assert build["args"]["AIRFLOW_VERSION"] == settings["AIRFLOW_VERSION"] == pinned
    assert services["airflow-scheduler"]["image"] == f"{settings['AIRFLOW_IMAGE_NAME']}:{pinned}"


def test_env_example_holds_placeholders_never_secrets(settings):
    secrets = [name for name in settings if re.search("PASSWORD|SECRET|FERNET", name)]
    assert secrets
    for name in secrets:
        assert re.fullmatch(r"<[^<>]+>", settings[name]), name
    alibaba = json.loads(settings["AIRFLOW_CONN_ALIBABACLOUD_DEFAULT"])
    jupiterone = json.loads(settings["AIRFLOW_CONN_JUPITERONE_DEFAULT"])
    assert (alibaba["conn_type"], jupiterone["conn_type"]) == ("alibaba_cloud", "jupiterone")
    for value in (alibaba["extra"]["access_key_id"], alibaba["extra"]["access_key_secret"], jupiterone["password"]):
        assert re.fullmatch(r"<[^<>]+>", value)
