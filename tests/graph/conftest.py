"""Fixtures of the graph tests, from the shared fixtures: data model schemas, recordings, reference output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ecs_records import recorded_listings

from alibaba_jupiterone.graph import DATA_MODEL_VERSION, DataModel


@pytest.fixture(scope="session")
def data_model_folder(shared_fixtures: Path) -> Path:
    """The shared copy of the JupiterOne data model's JSON schemas."""
    folder = shared_fixtures / "jupiterone-data-model" / DATA_MODEL_VERSION
    if not folder.is_dir():
        pytest.skip(f"JupiterOne data model {DATA_MODEL_VERSION} schemas not found at {folder}: schemas not checked")
    return folder


@pytest.fixture(scope="session")
def data_model(data_model_folder: Path) -> DataModel:
    """The data model of the shared schemas (not the package's copy, which is compared with them)."""
    return DataModel.load(data_model_folder)


@pytest.fixture(scope="session")
def recorded_instances(shared_fixtures: Path) -> list[tuple[str, str, int, Any]]:
    """``(recording, region, position, record)`` of every instance in the recordings of real ECS traffic."""
    recordings = sorted((shared_fixtures / "graph-alibaba-cloud" / "recordings").glob("*.har"))
    found = [
        (har.name, region, position, record)
        for har in recordings
        for region, records in recorded_listings(har)
        for position, record in enumerate(records)
    ]
    assert found, f"no DescribeInstances answer with instances in {len(recordings)} recordings"
    return found


@pytest.fixture(scope="session")
def reference_entities(shared_fixtures: Path) -> dict[str, dict[str, Any]]:
    """The reference integration's ECS instance entities made from those recordings, by ``_key``."""
    path = shared_fixtures / "graph-alibaba-cloud" / "reference-converter-output.json"
    return {entity["_key"]: entity for entity in json.loads(path.read_text(encoding="utf-8"))["entities"]}


@pytest.fixture(scope="session")
def graph_fixtures(shared_fixtures: Path) -> Path:
    """The recordings of real Alibaba Cloud traffic and JupiterOne's own integration's output on them."""
    return shared_fixtures / "graph-alibaba-cloud"


@pytest.fixture(scope="session")
def reference_by_recording(graph_fixtures: Path) -> dict[str, dict[str, Any]]:
    """The reference integration's output on each recording replayed on its own, by recording name."""
    folder = graph_fixtures / "reference-output" / "by-recording"
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.json"))
        if (graph_fixtures / "recordings" / f"{path.stem}.har").is_file()  # not the ones made of two recordings
    }
