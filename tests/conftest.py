"""Shared test set-up: an isolated Airflow home, no HTTP proxies, the shared fixtures folder."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests check behaviour, never speed: a loaded CI machine must not fail them on time.
settings.register_profile("default", deadline=None)
settings.load_profile("default")

# Airflow reads its configuration when first imported: point it at a throw-away home first.
os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="airflow-home-")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(Path(__file__).resolve().parents[1] / "dags")

PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Alibaba SDK sends even 127.0.0.1 traffic through a configured proxy: clear them."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    """The shared fixtures folder: ``$SHARED_FIXTURES``, else ``shared/fixtures`` beside the repository."""
    path = Path(os.environ.get("SHARED_FIXTURES") or Path(__file__).resolve().parents[2] / "shared" / "fixtures")
    if not path.is_dir():
        pytest.skip(f"shared fixtures not found at {path}")
    return path


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Migrate the metadata database of the tests' Airflow home once."""
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True, env=os.environ.copy()
    )
