"""Load regions and instances for the ECS sandbox from recorded traffic and JSON files.

Accepted files (JSON, told apart by their shape):

- a HAR recording: ECS ``DescribeRegions`` answers give the regions, ``DescribeInstances`` answers give
  the instances of the region the request named; other calls, other products and non-200 answers are
  skipped;
- a DescribeInstances body ``{"Instances": {"Instance": [...]}}`` or a plain list of instance records,
  each filed under its own ``RegionId``;
- a DescribeRegions body ``{"Regions": {"Region": [...]}}``.

Records are kept exactly as recorded.
"""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path

_ECS_API_VERSION = "2014-05-26"


def load_fleet(*paths: str | PathLike) -> tuple[list[dict] | None, dict[str, list[dict]]]:
    """Return ``(regions or None, instances_by_region)`` read from HAR recordings or JSON files.

    Several files merge: instances are appended per region and region lists are joined (the first
    occurrence of a ``RegionId`` wins). ``regions`` is ``None`` when no file holds a region list. A file
    of an unknown shape, or an ``InstanceId`` met twice, raises ``ValueError`` naming the file.
    """
    regions: list[dict] | None = None
    instances: dict[str, list[dict]] = {}
    seen_in: dict[str, Path] = {}
    for path in map(Path, paths):
        file_regions, file_instances = _read(path)
        if file_regions is not None:
            regions = _join_regions(regions or [], file_regions)
        for region_id, records in file_instances.items():
            for record in records:
                instance_id = record["InstanceId"]
                if instance_id in seen_in:
                    raise ValueError(f"{path}: instance {instance_id} was already loaded from {seen_in[instance_id]}")
                seen_in[instance_id] = path
            instances.setdefault(region_id, []).extend(records)
    return regions, instances


def _read(path: Path) -> tuple[list[dict] | None, dict[str, list[dict]]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not JSON ({error})") from error
    if isinstance(document, list):
        return None, _by_region(document, path)
    if isinstance(document, dict):
        if isinstance(document.get("log"), dict) and "entries" in document["log"]:
            return _read_har(document["log"]["entries"], path)
        if isinstance(document.get("Instances"), dict):
            return None, _by_region(document["Instances"].get("Instance", []), path)
        if isinstance(document.get("Regions"), dict):
            return document["Regions"].get("Region", []), {}
    raise ValueError(
        f"{path}: neither a HAR recording, a DescribeInstances or DescribeRegions body, nor a list of instances"
    )


def _read_har(entries: list[dict], path: Path) -> tuple[list[dict] | None, dict[str, list[dict]]]:
    regions: list[dict] | None = None
    instances: dict[str, list[dict]] = {}
    for entry in entries:
        request, response = entry["request"], entry["response"]
        query = {pair["name"]: pair["value"] for pair in request.get("queryString", [])}
        headers = {header["name"].lower(): header["value"] for header in request.get("headers", [])}
        action = query.get("Action") or headers.get("x-acs-action")
        # other products (VPC, ALB, ESS) have their own DescribeRegions, with other endpoints
        version = query.get("Version") or headers.get("x-acs-version")
        if response["status"] != 200 or version != _ECS_API_VERSION:
            continue
        if action == "DescribeRegions":
            regions = _join_regions(regions or [], json.loads(response["content"]["text"])["Regions"]["Region"])
        elif action == "DescribeInstances":
            records = json.loads(response["content"]["text"])["Instances"]["Instance"]
            _check_ids(records, path)
            instances.setdefault(query["RegionId"], []).extend(records)
    return regions, instances


def _by_region(records: list, path: Path) -> dict[str, list[dict]]:
    _check_ids(records, path)
    instances: dict[str, list[dict]] = {}
    for record in records:
        if "RegionId" not in record:
            raise ValueError(f"{path}: instance {record['InstanceId']} has no RegionId")
        instances.setdefault(record["RegionId"], []).append(record)
    return instances


def _check_ids(records: list, path: Path) -> None:
    for record in records:
        if not isinstance(record, dict) or "InstanceId" not in record:
            raise ValueError(f"{path}: an instance record without InstanceId: {record!r:.200}")


def _join_regions(regions: list[dict], more: list[dict]) -> list[dict]:
    known = {region["RegionId"] for region in regions}
    return regions + [region for region in more if region["RegionId"] not in known]
