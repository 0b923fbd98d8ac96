"""Fetch: read every region's instances, several regions at a time, and hand them over in batches."""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import Any, TypeVar

from alibaba_jupiterone.graph import ResourceType
from alibaba_jupiterone.hooks.alibaba_ecs import AlibabaEcsHook
from alibaba_jupiterone.pipeline.manifest import Manifest, RegionBatches, batch_key

T = TypeVar("T")
Store = Callable[[str, list[Any]], None]
"""Keeps one batch under its key (in Airflow: an XCom push)."""

_DONE = object()


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def fetch(
    hook: AlibabaEcsHook,
    regions: list[str],
    resource_type: ResourceType,
    *,
    store: Store,
    producer: str,
    batch_size: int,
    max_concurrent_regions: int,
) -> Manifest:
    """Read the instances of ``regions`` into batches of at most ``batch_size`` records.

    Up to ``max_concurrent_regions`` regions are read at once, each after its permission check (so
    a region the credentials lost cannot look empty). A region whose check or listing fails, once
    the hook's retries are spent, is left out and named in the manifest's ``failed``; its batches
    stored so far are not listed. Batches are handed to ``store`` from the calling thread only.
    """
    manifest = Manifest(producer=producer, resource_type=resource_type.type)
    batches: dict[str, RegionBatches] = {region: RegionBatches() for region in regions}
    handoff: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=2 * max_concurrent_regions)

    def read(region: str) -> None:
        try:
            hook.check_permission(region)
            for batch in chunked(hook.iter_instances(region), batch_size):
                handoff.put((region, batch))
        except Exception as error:  # the region is left out, whatever broke it
            handoff.put((region, error))
        else:
            handoff.put((region, _DONE))

    with ThreadPoolExecutor(max_workers=max_concurrent_regions, thread_name_prefix="fetch") as pool:
        for region in regions:
            pool.submit(read, region)
        pending = len(regions)
        while pending:
            region, item = handoff.get()
            if item is _DONE:
                manifest.regions[region] = batches[region]
                pending -= 1
            elif isinstance(item, Exception):
                manifest.failed[region] = f"{type(item).__name__}: {item}"
                pending -= 1
            else:
                key = batch_key("records", region, len(batches[region].keys))
                store(key, item)
                batches[region].keys.append(key)
                batches[region].count += len(item)
    return manifest
