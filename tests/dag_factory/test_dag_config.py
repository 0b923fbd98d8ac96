"""The account configuration: defaults, normalisation, every kind of bad account, and the file itself."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from dag_factory_support import DOCS_FOLDER, WriteConfig, account
from hypothesis import given
from hypothesis import strategies as st

from alibaba_jupiterone.dag_factory import DEFAULT_ACCOUNT, AccountConfig, default_config_path, load_config, slugify
from alibaba_jupiterone.errors import ConfigurationError
from alibaba_jupiterone.graph import RESOURCE_TYPES


def test_an_account_with_only_a_name_and_a_scope_gets_the_defaults(write_config: WriteConfig) -> None:
    write_config([{"account_name": "Production EU", "scope": "alibaba-prod-eu"}])

    configuration = load_config()

    assert configuration.errors == ()
    assert configuration.accounts == (
        AccountConfig(
            account_name="Production EU",
            scope="alibaba-prod-eu",
            integration_instance_id=None,
            description="",
            polling_interval="ONE_DAY",
            hour=0,
            day_of_week=0,
            tag_with_account_name=False,
            alibaba_cloud_conn_id="alibabacloud_default",
            jupiterone_conn_id="jupiterone_default",
            regions=(),
            include_raw_data=True,
            batch_size=250,
        ),
    )
    assert configuration.accounts[0].dag_id == "alibaba_cloud_jupiterone_production_eu"
    assert configuration.accounts[0].schedule == "0 0 * * *"


def test_every_setting_is_read(write_config: WriteConfig) -> None:
    write_config(
        [
            {
                "account_name": "Production EU",
                "description": "The EU production account.",
                "polling_interval": "ONE_WEEK",
                "hour": 6,
                "day_of_week": "wednesday",
                "tag_with_account_name": True,
                "alibaba_cloud_conn_id": "alibaba_prod_eu",
                "jupiterone_conn_id": "jupiterone_prod",
                "integration_instance_id": "8f2c1d5e-3b9a-4c1e-9f00-5a7d2e4b6c81",
                "regions": ["eu-central-1", "eu-west-1"],
                "include_raw_data": False,
                "batch_size": 5000,
                "pipeline": "streaming",
            }
        ]
    )

    (production,) = load_config().accounts

    assert production == AccountConfig(
        account_name="Production EU",
        description="The EU production account.",
        polling_interval="ONE_WEEK",
        hour=6,
        day_of_week=3,
        tag_with_account_name=True,
        alibaba_cloud_conn_id="alibaba_prod_eu",
        jupiterone_conn_id="jupiterone_prod",
        integration_instance_id="8f2c1d5e-3b9a-4c1e-9f00-5a7d2e4b6c81",
        regions=("eu-central-1", "eu-west-1"),
        include_raw_data=False,
        batch_size=5000,
        pipeline="streaming",
    )
    assert production.schedule == "0 6 * * 3"


@pytest.mark.parametrize(
    ("regions", "expected"),
    [
        ("cn-hangzhou, eu-central-1", ("cn-hangzhou", "eu-central-1")),
        ("cn-hangzhou,", ("cn-hangzhou",)),
        ("", ()),
        ([], ()),
        (["ap-southeast-1"], ("ap-southeast-1",)),
    ],
)
def test_regions_are_a_list_or_a_comma_separated_string(
    write_config: WriteConfig, regions: Any, expected: tuple[str, ...]
) -> None:
    write_config([account("Production", regions=regions)])

    assert load_config().accounts[0].regions == expected


def test_every_resource_type_is_synced_by_default(write_config: WriteConfig) -> None:
    write_config([account("Production")])

    assert load_config().accounts[0].resources == tuple(resource.type for resource in RESOURCE_TYPES)
    assert "alibaba_cloud_ram_user" in load_config().accounts[0].resources


@pytest.mark.parametrize(
    "resources",
    ["alibaba_cloud_vpc, alibaba_cloud_ecs_instance", ["alibaba_cloud_ecs_instance", "alibaba_cloud_vpc"]],
)
def test_resources_are_a_list_or_a_comma_separated_string_kept_in_registry_order(
    write_config: WriteConfig, resources: Any
) -> None:
    write_config([account("Production", resources=resources)])

    order = [resource.type for resource in RESOURCE_TYPES]
    expected = tuple(sorted(["alibaba_cloud_vpc", "alibaba_cloud_ecs_instance"], key=order.index))
    assert load_config().accounts[0].resources == expected


@pytest.mark.parametrize(
    ("day_of_week", "number"),
    [(0, 0), (6, 6), ("SUNDAY", 0), ("Monday", 1), ("saturday", 6)],
)
def test_day_of_week_is_a_cron_number_or_a_name(write_config: WriteConfig, day_of_week: Any, number: int) -> None:
    write_config([account("Weekly", polling_interval="ONE_WEEK", day_of_week=day_of_week)])

    (weekly,) = load_config().accounts

    assert weekly.day_of_week == number
    assert weekly.schedule == f"0 0 * * {number}"


BAD_ACCOUNTS = [
    pytest.param(
        {"polling_interval": "HOURLY"},
        "account 'Bad': field 'polling_interval': 'HOURLY' is not one of ['DISABLED', 'THIRTY_MINUTES',",
        id="unknown polling interval",
    ),
    pytest.param(
        {"integration_instance_id": "8f2c1d5e"},
        "account 'Bad': fields 'integration_instance_id' and 'scope': set exactly one of them (both are set)",
        id="instance id and scope",
    ),
    pytest.param(
        {"scope": None},
        "account 'Bad': field 'scope': None is not of type 'string'",
        id="scope null",
    ),
    pytest.param({"hour": 24}, "account 'Bad': field 'hour': 24 is greater than the maximum of 23", id="hour 24"),
    pytest.param({"hour": -1}, "account 'Bad': field 'hour': -1 is less than the minimum of 0", id="hour -1"),
    pytest.param({"hour": 6.0}, "account 'Bad': field 'hour': 6.0 is not of type 'integer'", id="hour float"),
    pytest.param({"hour": "06"}, "account 'Bad': field 'hour': '06' is not of type 'integer'", id="hour string"),
    pytest.param(
        {"polling_interval": "ONE_HOUR", "hour": 6},
        "account 'Bad': field 'hour': only for polling interval ONE_DAY or ONE_WEEK, not ONE_HOUR",
        id="hour on an hourly interval",
    ),
    pytest.param(
        {"polling_interval": "DISABLED", "hour": 6},
        "account 'Bad': field 'hour': only for polling interval ONE_DAY or ONE_WEEK, not DISABLED",
        id="hour when disabled",
    ),
    pytest.param(
        {"day_of_week": 3},
        "account 'Bad': field 'day_of_week': only for polling interval ONE_WEEK, not ONE_DAY",
        id="day of week on a daily interval",
    ),
    pytest.param(
        {"polling_interval": "ONE_WEEK", "day_of_week": 7},
        "account 'Bad': field 'day_of_week': 7 is not a day of the week",
        id="day of week 7",
    ),
    pytest.param(
        {"polling_interval": "ONE_WEEK", "day_of_week": "Funday"},
        "account 'Bad': field 'day_of_week': 'Funday' is not a day of the week",
        id="day of week name",
    ),
    pytest.param(
        {"polling_interval": "ONE_WEEK", "day_of_week": [1]},
        "account 'Bad': field 'day_of_week': [1] is not of type 'integer', 'string'",
        id="day of week type",
    ),
    pytest.param(
        {"pollingInterval": "ONE_DAY"},
        "account 'Bad': field 'pollingInterval': unknown key (did you mean 'polling_interval'?)",
        id="unknown key",
    ),
    pytest.param({"batch_size": 0}, "account 'Bad': field 'batch_size': 0 is less than the minimum of 1", id="batch 0"),
    pytest.param(
        {"pipeline": "stream"},
        "account 'Bad': field 'pipeline': 'stream' is not one of ['steps', 'streaming']",
        id="pipeline",
    ),
    pytest.param(
        {"batch_size": 5001},
        "account 'Bad': field 'batch_size': 5001 is greater than the maximum of 5000",
        id="batch 5001",
    ),
    pytest.param(
        {"batch_size": "250"},
        "account 'Bad': field 'batch_size': '250' is not of type 'integer'",
        id="batch string",
    ),
    pytest.param(
        {"batch_size": True},
        "account 'Bad': field 'batch_size': True is not of type 'integer'",
        id="batch bool",
    ),
    pytest.param(
        {"tag_with_account_name": "yes"},
        "account 'Bad': field 'tag_with_account_name': 'yes' is not of type 'boolean'",
        id="tag string",
    ),
    pytest.param(
        {"include_raw_data": 1},
        "account 'Bad': field 'include_raw_data': 1 is not of type 'boolean'",
        id="raw data int",
    ),
    pytest.param(
        {"description": ["a"]},
        "account 'Bad': field 'description': ['a'] is not of type 'string'",
        id="description list",
    ),
    pytest.param(
        {"regions": ["EU Central"]},
        "account 'Bad': field 'regions': 'EU Central' does not match",
        id="region id",
    ),
    pytest.param(
        {"regions": ["cn-hangzhou", "cn-hangzhou"]},
        "account 'Bad': field 'regions': ['cn-hangzhou', 'cn-hangzhou'] has non-unique elements",
        id="region twice",
    ),
    pytest.param({"regions": 5}, "account 'Bad': field 'regions': 5 is not of type 'array'", id="regions not a list"),
    pytest.param(
        {"resources": ["alibaba_cloud_ecs_instance", "alibaba_cloud_rds_instance"]},
        "account 'Bad': field 'resources': 'alibaba_cloud_rds_instance' is not one of ['alibaba_cloud_account'",
        id="unknown resource type",
    ),
    pytest.param({"resources": []}, "account 'Bad': field 'resources': [] should be non-empty", id="no resources"),
    pytest.param(
        {"jupiterone_conn_id": ""},
        "account 'Bad': field 'jupiterone_conn_id': '' should be non-empty",
        id="empty connection id",
    ),
]


@pytest.mark.parametrize(("settings", "message"), BAD_ACCOUNTS)
def test_a_bad_account_is_named_with_its_field_and_the_others_still_load(
    write_config: WriteConfig, settings: dict[str, Any], message: str
) -> None:
    write_config([account("First"), {**account("Bad"), **settings}, account("Last")])

    configuration = load_config()

    assert [good.account_name for good in configuration.accounts] == ["First", "Last"]
    assert len(configuration.errors) == 1
    assert configuration.errors[0].startswith(message)


def test_an_account_without_a_target_is_an_error(write_config: WriteConfig) -> None:
    write_config([{"account_name": "Nowhere"}, account("Good")])

    configuration = load_config()

    assert [good.account_name for good in configuration.accounts] == ["Good"]
    assert configuration.errors == (
        "account 'Nowhere': fields 'integration_instance_id' and 'scope': set exactly one of them (neither is set)",
    )


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"scope": "x"}, "account #2: 'account_name' is a required property"),
        ({"account_name": "", "scope": "x"}, "account #2: field 'account_name': '' should be non-empty"),
        ({"account_name": 2024, "scope": "x"}, "account #2: field 'account_name': 2024 is not of type 'string'"),
        ("Production", "account #2: 'Production' is not of type 'object'"),
        (None, "account #2: None is not of type 'object'"),
    ],
)
def test_an_account_without_a_usable_name_is_named_by_its_position(
    write_config: WriteConfig, item: Any, message: str
) -> None:
    write_config([account("Good"), item])

    configuration = load_config()

    assert [good.account_name for good in configuration.accounts] == ["Good"]
    assert configuration.errors == (message,)


def test_every_problem_of_an_account_is_reported(write_config: WriteConfig) -> None:
    write_config([{"account_name": "Bad", "polling_interval": "HOURLY", "hour": 30, "retries": 3}])

    configuration = load_config()

    assert configuration.accounts == ()
    assert configuration.errors == (
        "account 'Bad': field 'retries': unknown key",
        "account 'Bad': field 'polling_interval': 'HOURLY' is not one of ['DISABLED', 'THIRTY_MINUTES', "
        "'ONE_HOUR', 'FOUR_HOURS', 'EIGHT_HOURS', 'TWELVE_HOURS', 'ONE_DAY', 'ONE_WEEK']",
        "account 'Bad': field 'hour': 30 is greater than the maximum of 23",
        "account 'Bad': fields 'integration_instance_id' and 'scope': set exactly one of them (neither is set)",
    )


@pytest.mark.parametrize(
    ("second", "message"),
    [
        pytest.param(
            {"account_name": "Production EU", "scope": "other"},
            "account 'Production EU': field 'account_name': name 'Production EU' is already used by account #1, "
            "so this one (#2) is left out",
            id="same name",
        ),
        pytest.param(
            {"account_name": "production-eu", "scope": "other"},
            "account 'production-eu': field 'account_name': DAG id 'alibaba_cloud_jupiterone_production_eu' is "
            "already used by account #1, so this one (#2) is left out",
            id="same slug",
        ),
        pytest.param(
            {"account_name": "Production US", "scope": "alibaba-prod"},
            "account 'Production US': field 'scope': scope 'alibaba-prod' is already used by account #1, "
            "so this one (#2) is left out",
            id="same scope",
        ),
    ],
)
def test_the_later_of_two_clashing_accounts_is_left_out(
    write_config: WriteConfig, second: dict[str, Any], message: str
) -> None:
    write_config([{"account_name": "Production EU", "scope": "alibaba-prod"}, second, account("Staging")])

    configuration = load_config()

    assert [(good.account_name, good.scope) for good in configuration.accounts] == [
        ("Production EU", "alibaba-prod"),
        ("Staging", "scope-staging"),
    ]
    assert configuration.errors == (message,)


def test_two_accounts_may_not_sync_one_integration_instance(write_config: WriteConfig) -> None:
    instance = {"integration_instance_id": "8f2c1d5e"}
    write_config([{"account_name": "A", **instance}, {"account_name": "B", **instance}])

    configuration = load_config()

    assert [good.account_name for good in configuration.accounts] == ["A"]
    assert configuration.errors == (
        "account 'B': field 'integration_instance_id': integration instance '8f2c1d5e' is already used by "
        "account #1, so this one (#2) is left out",
    )


def test_a_bad_account_does_not_take_its_name_from_a_later_good_one(write_config: WriteConfig) -> None:
    write_config([{**account("Production"), "hour": 99}, account("Production")])

    configuration = load_config()

    assert [good.account_name for good in configuration.accounts] == ["Production"]
    assert len(configuration.errors) == 1


def test_raise_for_errors_lists_every_problem_and_the_file(write_config: WriteConfig) -> None:
    path = write_config([{"account_name": "A", "hour": 99, "scope": "a"}, {"account_name": "B"}, account("C")])

    with pytest.raises(ConfigurationError) as raised:
        load_config().raise_for_errors()

    assert str(raised.value) == (
        f"2 problem(s) in the account configuration {path}:\n"
        "- account 'A': field 'hour': 99 is greater than the maximum of 23\n"
        "- account 'B': fields 'integration_instance_id' and 'scope': set exactly one of them (neither is set)"
    )


def test_a_good_configuration_raises_nothing(write_config: WriteConfig) -> None:
    write_config([account("A"), account("B")])

    load_config().raise_for_errors()


def test_an_empty_accounts_list_means_no_account(write_config: WriteConfig) -> None:
    write_config([])

    configuration = load_config()

    assert configuration.accounts == ()
    assert configuration.errors == ()


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Production EU", "production_eu"),
        ("production-eu", "production_eu"),
        ("prod -- EU 2", "prod_eu_2"),
        ("ACME.Corp/Prod", "acme_corp_prod"),
        ("Zürich (prod)", "z_rich_prod_"),
        ("東京本番", "_"),
        ("default", "default"),
    ],
)
def test_the_slug_keeps_a_to_z_and_digits_and_turns_every_other_run_into_one_underscore(name: str, slug: str) -> None:
    assert slugify(name) == slug
    assert AccountConfig(account_name=name).dag_id == f"alibaba_cloud_jupiterone_{slug}"


@given(st.text())
def test_any_name_gives_a_slug_of_a_to_z_digits_and_single_underscores(name: str) -> None:
    slug = slugify(name)

    assert re.fullmatch(r"[a-z0-9_]*", slug)
    assert "__" not in slug


def test_a_name_too_long_for_a_dag_id_is_an_error(write_config: WriteConfig) -> None:
    write_config([account("a" * 226), account("b" * 225)])

    configuration = load_config()

    assert [len(good.dag_id) for good in configuration.accounts] == [250]
    assert configuration.errors == (
        "account '" + "a" * 226 + "': field 'account_name': the DAG id would be longer than 250 characters",
    )


def test_without_a_file_at_the_default_path_there_is_the_default_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))

    configuration = load_config()

    assert configuration.accounts == (DEFAULT_ACCOUNT,)
    assert configuration.errors == ()
    assert AccountConfig(account_name="default", scope="alibaba-cloud-default") == DEFAULT_ACCOUNT
    assert DEFAULT_ACCOUNT.dag_id == "alibaba_cloud_jupiterone_default"
    assert DEFAULT_ACCOUNT.schedule == "0 0 * * *"


def test_the_default_path_is_in_the_airflow_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    (tmp_path / "alibaba_jupiterone.yaml").write_text(
        "accounts:\n  - account_name: Home\n    scope: home\n", encoding="utf-8"
    )

    assert default_config_path() == tmp_path / "alibaba_jupiterone.yaml"
    assert [found.account_name for found in load_config().accounts] == ["Home"]


def test_the_default_airflow_home_is_airflows_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))

    assert default_config_path() == tmp_path / "airflow" / "alibaba_jupiterone.yaml"


def test_a_path_given_as_argument_wins_over_the_environment(tmp_path: Path, write_config: WriteConfig) -> None:
    write_config([account("From the environment")])
    path = tmp_path / "other.yaml"
    path.write_text("accounts:\n  - account_name: From the argument\n    scope: arg\n", encoding="utf-8")

    assert [found.account_name for found in load_config(path).accounts] == ["From the argument"]


@pytest.mark.parametrize("through", ["environment", "argument"])
def test_a_missing_file_named_explicitly_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, through: str
) -> None:
    missing = tmp_path / "nowhere" / "accounts.yaml"
    if through == "environment":
        monkeypatch.setenv("ALIBABA_JUPITERONE_CONFIG", str(missing))

    with pytest.raises(ConfigurationError, match=f"cannot read the account configuration {re.escape(str(missing))}"):
        load_config(missing if through == "argument" else None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("accounts: [", "cannot read the account configuration", id="not YAML"),
        pytest.param("", "None is not of type 'object'", id="empty file"),
        pytest.param("- account_name: A\n", "is not of type 'object'", id="a list"),
        pytest.param("acounts: []\n", "'accounts' is a required property", id="no accounts key"),
        pytest.param("accounts: A\n", "'A' is not of type 'array'", id="accounts not a list"),
        pytest.param("accounts: []\ndefaults: {}\n", "('defaults' was unexpected)", id="unknown top-level key"),
    ],
)
def test_a_file_that_cannot_be_used_at_all_is_an_error(write_config: WriteConfig, text: str, message: str) -> None:
    path = write_config(text=text)

    with pytest.raises(ConfigurationError, match=re.escape(str(path))) as raised:
        load_config()

    assert message in str(raised.value)


def test_the_example_configuration_is_valid() -> None:
    configuration = load_config(DOCS_FOLDER / "alibaba_jupiterone.example.yaml")

    assert configuration.errors == ()
    production, staging = configuration.accounts
    assert production.dag_id == "alibaba_cloud_jupiterone_production_eu"
    assert production.schedule == "0 6 * * 3"
    assert staging == AccountConfig(account_name="Staging", scope="alibaba-cloud-staging")
