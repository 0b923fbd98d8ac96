"""Shared set-up of the DAG factory tests: no configuration path unless a test writes a configuration file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from dag_factory_support import WriteConfig

from alibaba_jupiterone.dag_factory import CONFIG_ENV_VAR


@pytest.fixture(autouse=True)
def _no_configured_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts without ``ALIBABA_JUPITERONE_CONFIG``: the default path, which has no file."""
    monkeypatch.delenv(CONFIG_ENV_VAR, raising=False)


@pytest.fixture
def write_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WriteConfig:
    """Write a configuration file and name it in ``ALIBABA_JUPITERONE_CONFIG``; returns its path.

    Call it with the ``accounts`` list, or a whole YAML ``document``, or the raw ``text`` of the file.
    """

    def write(accounts: list[Any] | None = None, *, document: Any = None, text: str | None = None) -> Path:
        if text is None:
            text = yaml.safe_dump({"accounts": accounts} if document is None else document, sort_keys=False)
        path = tmp_path / "alibaba_jupiterone.yaml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv(CONFIG_ENV_VAR, str(path))
        return path

    return write
