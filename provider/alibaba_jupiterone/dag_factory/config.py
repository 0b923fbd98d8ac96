"""The account configuration: a YAML file of Alibaba Cloud accounts, checked and read into :class:`AccountConfig`.

Reading it touches nothing but the file (no connection, no Airflow metadata database), so DAG files may call
:func:`load_config` at parse time.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import best_match

from alibaba_jupiterone.dag_factory.schedule import (
    DAY_OF_WEEK_INTERVALS,
    DAYS_OF_WEEK,
    HOUR_INTERVALS,
    POLLING_INTERVALS,
    cron_schedule,
)
from alibaba_jupiterone.errors import ConfigurationError
from alibaba_jupiterone.graph import RESOURCE_TYPES

CONFIG_ENV_VAR = "ALIBABA_JUPITERONE_CONFIG"
"""The environment variable naming the configuration file."""

CONFIG_FILE_NAME = "alibaba_jupiterone.yaml"
DAG_ID_PREFIX = "alibaba_cloud_jupiterone_"
MAX_DAG_ID_LENGTH = 250
"""Airflow's limit on a DAG id."""

REGION_PATTERN = r"^[a-z0-9-]+$"
"""An Alibaba Cloud region id, such as ``cn-hangzhou``."""

RESOURCE_TYPE_NAMES: tuple[str, ...] = tuple(resource.type for resource in RESOURCE_TYPES)
"""The ``_type`` names an account's ``resources`` may name; all of them by default."""

_TEXT = {"type": "string", "minLength": 1}

PIPELINES = ("steps", "streaming")
"""How an account's DAG syncs: ``steps`` (gate, fetch, transform, publish, batches in XCom) or ``streaming``
(gate, then the whole sync in one task)."""

ACCOUNT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["account_name"],
    "additionalProperties": False,
    "properties": {
        "account_name": _TEXT,
        "description": {"type": "string"},
        "polling_interval": {"enum": list(POLLING_INTERVALS)},
        "hour": {"type": "integer", "minimum": 0, "maximum": 23},
        "day_of_week": {"type": ["integer", "string"]},
        "tag_with_account_name": {"type": "boolean"},
        "alibaba_cloud_conn_id": _TEXT,
        "jupiterone_conn_id": _TEXT,
        "integration_instance_id": _TEXT,
        "scope": _TEXT,
        "regions": {"type": "array", "items": {"type": "string", "pattern": REGION_PATTERN}, "uniqueItems": True},
        "resources": {
            "type": "array",
            "items": {"enum": list(RESOURCE_TYPE_NAMES)},
            "uniqueItems": True,
            "minItems": 1,
        },
        "include_raw_data": {"type": "boolean"},
        "batch_size": {"type": "integer", "minimum": 1, "maximum": 5000},
        "pipeline": {"enum": list(PIPELINES)},
    },
}
"""The JSON schema of one account's settings (the cross-field rules are checked in code)."""

DOCUMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["accounts"],
    "additionalProperties": False,
    "properties": {"accounts": {"type": "array"}},
}
"""The JSON schema of the whole file: a mapping with an ``accounts`` list."""

# JSON Schema counts 6.0 as an integer, but YAML reads it as a float: keep integer settings real ints.
_Validator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)
    ),
)
_ACCOUNT_VALIDATOR = _Validator(ACCOUNT_SCHEMA)
_DOCUMENT_VALIDATOR = _Validator(DOCUMENT_SCHEMA)


@dataclass(frozen=True, kw_only=True)
class AccountConfig:
    """One Alibaba Cloud account synced into JupiterOne: one DAG. Build it with :func:`load_config`.

    :param account_name: the name of the account; ``tag.AccountName`` when ``tag_with_account_name``.
    :param integration_instance_id: the JupiterOne integration instance synced (exactly one of it and ``scope``).
    :param scope: the JupiterOne scope synced.
    :param description: shown in the DAG's documentation.
    :param polling_interval: one of :data:`~alibaba_jupiterone.dag_factory.schedule.POLLING_INTERVALS`.
    :param hour: the UTC hour of ``ONE_DAY`` and ``ONE_WEEK`` runs.
    :param day_of_week: the day of ``ONE_WEEK`` runs, as in cron (0 = Sunday).
    :param tag_with_account_name: add ``tag.AccountName`` to every entity.
    :param alibaba_cloud_conn_id: the ``alibaba_cloud`` connection.
    :param jupiterone_conn_id: the ``jupiterone`` connection.
    :param regions: the regions to read; empty: every region the connection allows.
    :param resources: the ``_type`` names to sync, in registry order; default: all of :data:`RESOURCE_TYPE_NAMES`.
    :param include_raw_data: keep each record as the entity's ``_rawData``.
    :param batch_size: records and entities per XCom value (``steps`` only).
    :param pipeline: one of :data:`PIPELINES`.
    """

    account_name: str
    integration_instance_id: str | None = None
    scope: str | None = None
    description: str = ""
    polling_interval: str = "ONE_DAY"
    hour: int = 0
    day_of_week: int = 0
    tag_with_account_name: bool = False
    alibaba_cloud_conn_id: str = "alibabacloud_default"
    jupiterone_conn_id: str = "jupiterone_default"
    regions: tuple[str, ...] = ()
    resources: tuple[str, ...] = RESOURCE_TYPE_NAMES
    include_raw_data: bool = True
    batch_size: int = 250
    pipeline: str = "steps"

    @property
    def slug(self) -> str:
        """See :func:`slugify`."""
        return slugify(self.account_name)

    @property
    def dag_id(self) -> str:
        """``alibaba_cloud_jupiterone_<slug>``."""
        return DAG_ID_PREFIX + self.slug

    @property
    def schedule(self) -> str | None:
        """The cron expression (UTC) of the polling interval; ``None`` when ``DISABLED``."""
        return cron_schedule(self.polling_interval, self.hour, self.day_of_week)


def slugify(account_name: str) -> str:
    """The account name lower-cased, each run of characters other than ``a-z0-9`` made one ``_``.

    ``Production EU`` gives ``production_eu``.
    """
    return re.sub(r"[^a-z0-9]+", "_", account_name.lower())


DEFAULT_ACCOUNT = AccountConfig(account_name="default", scope="alibaba-cloud-default")
"""The one account synced when there is no configuration file at the default path."""


@dataclass(frozen=True)
class Configuration:
    """The usable accounts of a configuration, and one message per problem of the others.

    :param accounts: the accounts to build DAGs for, in file order.
    :param errors: each names the account (by name, else by position) and the field.
    :param source: where the configuration came from.
    """

    accounts: tuple[AccountConfig, ...]
    errors: tuple[str, ...] = ()
    source: str = "the built-in default"

    def raise_for_errors(self) -> None:
        """Raise :class:`~alibaba_jupiterone.errors.ConfigurationError` listing every problem, if there is one."""
        if self.errors:
            problems = "\n".join(f"- {error}" for error in self.errors)
            raise ConfigurationError(
                f"{len(self.errors)} problem(s) in the account configuration {self.source}:\n{problems}"
            )


def default_config_path() -> Path:
    """``$AIRFLOW_HOME/alibaba_jupiterone.yaml``, with Airflow's own default home ``~/airflow``."""
    return Path(os.environ.get("AIRFLOW_HOME") or "~/airflow").expanduser() / CONFIG_FILE_NAME


def load_config(path: str | os.PathLike[str] | None = None) -> Configuration:
    """Read the account configuration, keeping the good accounts and describing the bad ones.

    :param path: the YAML file; default ``$ALIBABA_JUPITERONE_CONFIG``, else :func:`default_config_path`.
        No file at the default path means the one :data:`DEFAULT_ACCOUNT`; a file named explicitly must exist.
    :raises ConfigurationError: when the file cannot be used at all: missing, not YAML, or not a mapping with
        an ``accounts`` list. Problems of single accounts are returned in :attr:`Configuration.errors` instead.
    """
    explicit = path or os.environ.get(CONFIG_ENV_VAR)
    config_file = Path(explicit).expanduser() if explicit else default_config_path()
    if not explicit and not config_file.exists():
        return Configuration(accounts=(DEFAULT_ACCOUNT,))
    try:
        document = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, yaml.YAMLError) as error:
        raise ConfigurationError(f"cannot read the account configuration {config_file}: {error}") from error
    problem = best_match(_DOCUMENT_VALIDATOR.iter_errors(document))
    if problem is not None:
        raise ConfigurationError(
            f"the account configuration {config_file} must be a mapping with an 'accounts' list, "
            f"one mapping per account: {problem.message}"
        )
    return parse_accounts(document["accounts"], source=str(config_file))


def parse_accounts(items: list[Any], *, source: str) -> Configuration:
    """Check the items of an ``accounts`` list; an item with a problem is reported and left out, not fatal.

    :param items: the settings of each account, as read from YAML.
    :param source: where they came from, for the error message.
    """
    accounts: list[AccountConfig] = []
    errors: list[str] = []
    owners: dict[tuple[str, str], int] = {}  # (what, value) -> the position of the account that has it
    for position, item in enumerate(items, start=1):
        settings = _split_lists(item)
        problems = _schema_problems(settings) + _rule_problems(settings)
        if not problems:
            account = _account(settings)
            clash = _clash(account, owners)
            problems = [f"{clash}, so this one (#{position}) is left out"] if clash else []
        if problems:
            errors += [f"{_label(settings, position)}: {problem}" for problem in problems]
            continue
        accounts.append(account)
        owners.update({(what, value): position for _field, what, value in _unique_values(account)})
    return Configuration(accounts=tuple(accounts), errors=tuple(errors), source=source)


def _split_lists(item: Any) -> Any:
    """Accept ``regions`` and ``resources`` as comma-separated strings too."""
    if not isinstance(item, dict):
        return item
    split = {
        field: [part.strip() for part in item[field].split(",") if part.strip()]
        for field in ("regions", "resources")
        if isinstance(item.get(field), str)
    }
    return {**item, **split}


def _label(item: Any, position: int) -> str:
    name = item.get("account_name") if isinstance(item, dict) else None
    return f"account {name!r}" if isinstance(name, str) and name else f"account #{position}"


def _schema_problems(item: Any) -> list[str]:
    problems: list[str] = []
    for error in _ACCOUNT_VALIDATOR.iter_errors(item):
        if error.validator == "additionalProperties":
            problems += [
                f"field {key!r}: unknown key{_did_you_mean(key)}"
                for key in error.instance
                if key not in ACCOUNT_SCHEMA["properties"]
            ]
        elif error.path:
            problems.append(f"field {error.path[0]!r}: {error.message}")
        else:
            problems.append(error.message)  # not a mapping, or the account name missing
    return problems


def _did_you_mean(key: Any) -> str:
    matches = difflib.get_close_matches(str(key), ACCOUNT_SCHEMA["properties"], n=1, cutoff=0.75)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def _rule_problems(settings: Any) -> list[str]:
    """The rules between fields; a field of the wrong type is left to the schema's message."""
    if not isinstance(settings, dict):
        return []
    problems = []
    targets = [field for field in ("integration_instance_id", "scope") if field in settings]
    if len(targets) != 1:
        state = "both are set" if targets else "neither is set"
        problems.append(f"fields 'integration_instance_id' and 'scope': set exactly one of them ({state})")
    interval = settings.get("polling_interval", AccountConfig.polling_interval)
    for field, intervals in (("hour", HOUR_INTERVALS), ("day_of_week", DAY_OF_WEEK_INTERVALS)):
        if field in settings and interval in POLLING_INTERVALS and interval not in intervals:
            problems.append(f"field {field!r}: only for polling interval {' or '.join(intervals)}, not {interval}")
    day = settings.get("day_of_week")
    if isinstance(day, (int, str)) and _day_number(day) is None:
        problems.append(
            f"field 'day_of_week': {day!r} is not a day of the week: "
            "give 0-6 (0 = Sunday, as in cron) or a name, SUNDAY to SATURDAY"
        )
    name = settings.get("account_name")
    if isinstance(name, str) and len(DAG_ID_PREFIX + slugify(name)) > MAX_DAG_ID_LENGTH:
        problems.append(f"field 'account_name': the DAG id would be longer than {MAX_DAG_ID_LENGTH} characters")
    return problems


def _day_number(value: int | str) -> int | None:
    """The cron number of a day given as 0-6 or by its (case-insensitive) name; ``None`` if it is neither."""
    if isinstance(value, str):
        name = value.upper()
        return DAYS_OF_WEEK.index(name) if name in DAYS_OF_WEEK else None
    return value if 0 <= value < len(DAYS_OF_WEEK) else None


def _account(settings: dict[str, Any]) -> AccountConfig:
    """The account of settings that passed every check."""
    normalised = dict(settings)
    if "regions" in normalised:
        normalised["regions"] = tuple(normalised["regions"])
    if "resources" in normalised:
        normalised["resources"] = tuple(name for name in RESOURCE_TYPE_NAMES if name in normalised["resources"])
    if "day_of_week" in normalised:
        normalised["day_of_week"] = _day_number(normalised["day_of_week"])
    return AccountConfig(**normalised)


def _clash(account: AccountConfig, owners: dict[tuple[str, str], int]) -> str | None:
    """The first value the account shares with an earlier one (a shared name implies a shared DAG id)."""
    for field, what, value in _unique_values(account):
        if (what, value) in owners:
            return f"field {field!r}: {what} {value!r} is already used by account #{owners[what, value]}"
    return None


def _unique_values(account: AccountConfig) -> list[tuple[str, str, str]]:
    """``(field, what, value)`` of what no two accounts may share: the name, the DAG id and the JupiterOne
    target (the DIFF syncs of two accounts into one target would delete each other's entities)."""
    values = [
        ("account_name", "name", account.account_name),
        ("account_name", "DAG id", account.dag_id),
        ("integration_instance_id", "integration instance", account.integration_instance_id),
        ("scope", "scope", account.scope),
    ]
    return [(field, what, value) for field, what, value in values if value is not None]
