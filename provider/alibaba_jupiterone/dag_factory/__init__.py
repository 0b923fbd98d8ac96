"""The sync DAGs: one per Alibaba Cloud account of a YAML account configuration."""

from __future__ import annotations

from alibaba_jupiterone.dag_factory.config import (
    CONFIG_ENV_VAR,
    DEFAULT_ACCOUNT,
    AccountConfig,
    Configuration,
    default_config_path,
    load_config,
    parse_accounts,
    slugify,
)
from alibaba_jupiterone.dag_factory.factory import build_dag, build_dags
from alibaba_jupiterone.dag_factory.schedule import POLLING_INTERVALS, cron_schedule

__all__ = [
    "CONFIG_ENV_VAR",
    "DEFAULT_ACCOUNT",
    "POLLING_INTERVALS",
    "AccountConfig",
    "Configuration",
    "build_dag",
    "build_dags",
    "cron_schedule",
    "default_config_path",
    "load_config",
    "parse_accounts",
    "slugify",
]
