"""The deployment files as their tools read them, without Docker: ``docker-compose.yaml`` with the ``${...}``
of ``.env`` filled in, ``.env.example``, and the Airflow version the project pins."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yaml"
ENV_EXAMPLE = ROOT / ".env.example"

# Compose's interpolation: $$ is a literal $; ${NAME}, ${NAME:-default} (unset or empty), ${NAME:?error}.
_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<operator>:-|:\?)(?P<argument>[^}]*))?\}")


def pinned_airflow_version() -> str:
    """The ``apache-airflow`` version of ``constraints.txt``."""
    return re.search(r"^apache-airflow==(\S+)$", (ROOT / "constraints.txt").read_text(), re.MULTILINE).group(1)


def env_example() -> dict[str, str]:
    """The settings of ``.env.example``, parsed like an ``.env`` file."""
    return {name: value or "" for name, value in dotenv_values(ENV_EXAMPLE).items()}


def load_compose(settings: dict[str, str]) -> dict[str, Any]:
    """The compose file with every ``${...}`` filled in from ``settings``, as ``docker compose config`` would."""
    return interpolate(yaml.safe_load(COMPOSE_FILE.read_text()), settings)


def interpolate(value: Any, settings: dict[str, str]) -> Any:
    """``value`` with each string's variables replaced; raises ``KeyError`` for a required one left unset."""
    if isinstance(value, dict):
        return {key: interpolate(item, settings) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, settings) for item in value]
    if isinstance(value, str):
        return _VARIABLE.sub(lambda match: _substitute(match, settings), value)
    return value


def _substitute(match: re.Match[str], settings: dict[str, str]) -> str:
    if match.group(0) == "$$":
        return "$"
    name, operator, argument = match.group("name", "operator", "argument")
    value = settings.get(name, "")
    if value:
        return value
    if operator == ":?":
        raise KeyError(f"{name} is required: {argument}")
    return argument or ""
