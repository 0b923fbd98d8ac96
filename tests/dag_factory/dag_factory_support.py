"""Helpers of the DAG factory tests: the repository's DAG files and good account settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[2]
DAGS_FOLDER = REPOSITORY / "dags"
DOCS_FOLDER = REPOSITORY / "docs"
DAG_FILE = DAGS_FOLDER / "alibaba_cloud_jupiterone.py"
CHECK_FILE = DAGS_FOLDER / "alibaba_cloud_jupiterone_config_check.py"

WriteConfig = Callable[..., Path]
"""The ``write_config`` fixture: ``(accounts=None, *, document=None, text=None) -> path``."""


def account(name: str, **settings: Any) -> dict[str, Any]:
    """The settings of a good account: the name, a scope made from it, and ``settings``."""
    return {"account_name": name, "scope": f"scope-{name.lower().replace(' ', '-')}", **settings}
