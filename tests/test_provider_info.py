"""Registration with Airflow: the provider info, its entry point and what it must never declare."""

from __future__ import annotations

import json
from importlib import resources
from importlib.metadata import distribution, entry_points

import jsonschema

import alibaba_jupiterone
from alibaba_jupiterone import get_provider_info


def test_provider_info_validates_against_airflows_schema():
    schema = json.loads(resources.files("airflow").joinpath("provider_info.schema.json").read_text())

    jsonschema.validate(get_provider_info(), schema)


def test_package_name_is_the_distribution_name():
    info = get_provider_info()

    assert distribution(info["package-name"]).version == alibaba_jupiterone.__version__
    assert info["versions"] == [alibaba_jupiterone.__version__]


def test_entry_point_is_registered():
    (entry_point,) = [
        e for e in entry_points(group="apache_airflow_provider") if e.value.startswith("alibaba_jupiterone")
    ]

    assert entry_point.load() is get_provider_info


def test_never_declares_the_official_alibaba_connection_type():
    declared = {item["connection-type"] for item in get_provider_info()["connection-types"]}

    assert "alibaba_cloud" not in declared


def test_airflow_discovers_the_provider():
    from airflow.providers_manager import ProvidersManager

    provider = ProvidersManager().providers[alibaba_jupiterone.PACKAGE_NAME]

    assert provider.version == alibaba_jupiterone.__version__
    assert provider.data["name"] == get_provider_info()["name"]


def test_jupiterone_connection_form_follows_the_provider_yaml_schema():
    schema = json.loads(resources.files("airflow").joinpath("provider.yaml.schema.json").read_text())

    jsonschema.validate(get_provider_info()["connection-types"], schema["properties"]["connection-types"])


def test_airflow_shows_the_jupiterone_connection_form():
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    manager.initialize_providers_hooks()
    behaviour = manager.field_behaviours["jupiterone"]

    assert behaviour["relabeling"] == {"host": "API base URL", "login": "Account ID", "password": "API key"}
    assert behaviour["hidden_fields"] == ["schema", "port"]


def test_every_hook_names_a_declared_integration_and_imports():
    info = get_provider_info()
    integrations = {item["integration-name"] for item in info["integrations"]}

    for hook in info["hooks"]:
        assert hook["integration-name"] in integrations
        for module in hook["python-modules"]:
            __import__(module)
    assert {"Alibaba Cloud ECS", "Alibaba Cloud VPC", "Alibaba Cloud RAM", "JupiterOne"} <= integrations
