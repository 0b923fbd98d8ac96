"""The whole sync in one process, streaming: records are converted and uploaded as their pages arrive.

The same listings, converter, checks and sync job as the fetch, transform and publish steps, without the
batches in between: while the largest region is still being listed, the pages already read are
converted and on their way to JupiterOne. A type is converted once the types its records link to are
complete (an instance waits for the VPCs and the account, not for RAM).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from alibaba_jupiterone.errors import ProviderError
from alibaba_jupiterone.graph import ConversionOptions, resource_type
from alibaba_jupiterone.hooks.jupiterone import JupiterOneHook
from alibaba_jupiterone.pipeline.converting import SyncedGraph, convert, dependencies
from alibaba_jupiterone.pipeline.fetch import chunked, plan
from alibaba_jupiterone.pipeline.handoff import Handoff
from alibaba_jupiterone.pipeline.interpreter import tuned_for_sync
from alibaba_jupiterone.pipeline.listings import AlibabaCloud, Listing
from alibaba_jupiterone.pipeline.manifest import Failure
from alibaba_jupiterone.pipeline.publish import SyncSummary, run_sync_job

PAGE = 100
"""Records handed over at a time (an ECS page)."""
PAGES_WAITING = 4
"""Pages one listing may read ahead of the converter (all of them together: this many per concurrent listing)."""

_DONE = object()


class _Converter:
    """Converts what the listings hand over, each type once the types it links to are complete."""

    def __init__(self, listings: list[Listing], options: ConversionOptions) -> None:
        self.options = options
        self.graph = SyncedGraph()
        self.relationships: list[dict[str, Any]] = []
        self.failures: list[Failure] = []
        self.counts: Counter[str] = Counter()
        self._open = Counter(type_name for listing in listings for type_name in listing.types)
        self._waiting: dict[str, list[tuple[Listing, list[Any]]]] = {}
        self._positions: dict[tuple[int, str], int] = {}
        self._keys: dict[str, set[str]] = {}
        self._broken: set[tuple[int, str]] = set()

    def records(self, listing: Listing, type_name: str, records: list[Any]) -> Iterator[dict[str, Any]]:
        """The entities of records just read, now or once their type may be converted."""
        if self._ready(type_name):
            yield from self._convert(listing, type_name, records)
        else:
            self._waiting.setdefault(type_name, []).append((listing, records))

    def done(self, listing: Listing, error: BaseException | None) -> Iterator[dict[str, Any]]:
        """A listing ended (``error`` when it failed): the entities this makes ready to convert."""
        if error is not None:
            self.failures.append(Failure(list(listing.types), listing.scope, f"{type(error).__name__}: {error}"))
        for type_name in listing.types:
            self._open[type_name] -= 1
        yield from self._release()

    def _ready(self, type_name: str) -> bool:
        # a dependency leaves _open once its keys are in the graph (or when it is not synced at all)
        return all(dependency not in self._open for dependency in dependencies(type_name))

    def _release(self) -> Iterator[dict[str, Any]]:
        for type_name in [name for name in self._waiting if self._ready(name)]:
            for listing, records in self._waiting.pop(type_name):
                yield from self._convert(listing, type_name, records)
        for type_name, count in list(self._open.items()):
            if not count and type_name not in self._waiting:
                self.graph.add(type_name, self._keys.pop(type_name, set()))
                del self._open[type_name]
                yield from self._release()
                return

    def _convert(self, listing: Listing, type_name: str, records: list[Any]) -> Iterator[dict[str, Any]]:
        stream = (id(listing), type_name)
        if stream in self._broken:
            return
        resource = resource_type(type_name)
        keys = self._keys.setdefault(type_name, set()) if self.graph.keeps(type_name) else None
        for record in records:
            position = self._positions.get(stream, 0)
            self._positions[stream] = position + 1
            try:
                entity, related = convert(
                    resource, record, self.options, self.graph, scope=listing.scope, position=position
                )
            except ProviderError as error:
                # what this listing gave so far is uploaded; its type is partial, so nothing is deleted
                self._broken.add(stream)
                self.failures.append(Failure([type_name], listing.scope, f"{type(error).__name__}: {error}"))
                return
            if keys is not None:
                keys.add(entity["_key"])
            self.relationships += related
            self.counts[type_name] += 1
            yield entity


@tuned_for_sync()
def sync(
    cloud: AlibabaCloud,
    jupiterone: JupiterOneHook,
    options: ConversionOptions,
    *,
    regions: list[str] | tuple[str, ...] = (),
    integration_instance_id: str | None = None,
    scope: str | None = None,
    max_concurrent_listings: int = 8,
    wait_timeout: float = 900.0,
    log: logging.Logger | Any,
) -> SyncSummary:
    """Sync the account in one DIFF job, converting and uploading each page as it is read.

    Relationships are uploaded after every entity. What failed (a listing, or the records of a listing
    from a malformed one on) is named in the summary's ``failures``, and its types, with every
    relationship type touching them, are partial: JupiterOne deletes nothing of them. Any failure before
    finalize aborts the job, then raises.

    :raises ConfigurationError: a region asked for no product offers (before any job is started).
    """
    listings, failures = plan(cloud, regions)
    converter = _Converter(listings, options)
    converter.failures += failures
    with ThreadPoolExecutor(max_workers=max_concurrent_listings, thread_name_prefix="sync") as pool:
        stop = threading.Event()
        handoff = Handoff(PAGES_WAITING, PAGES_WAITING * max_concurrent_listings, stop)
        _start(listings, pool, handoff)  # before the job: the longest listing is the sync's critical path
        entities = _entities(listings, converter, handoff)

        def after() -> tuple[list[dict[str, Any]], list[Failure], dict[str, int]]:
            counts = Counter(converter.counts)
            counts.update(relationship["_type"] for relationship in converter.relationships)
            return converter.relationships, converter.failures, dict(counts)

        try:
            return run_sync_job(
                jupiterone,
                entities,
                after,
                integration_instance_id=integration_instance_id,
                scope=scope,
                wait_timeout=wait_timeout,
                log=log,
            )
        finally:
            stop.set()  # on a failure, the listings still running hand nothing more over, and end


def _start(listings: list[Listing], pool: ThreadPoolExecutor, handoff: Handoff) -> None:
    """Run the listings in ``pool``, each handing its pages, then ``_DONE`` or its error, to ``handoff``."""

    def read(listing: Listing) -> None:
        try:
            for type_name, records in listing.read().items():
                for page in chunked(records, PAGE):
                    if not handoff.put(listing, (type_name, page)):
                        return
        except Exception as error:  # the listing is left out, whatever broke it
            handoff.put(listing, error)
        else:
            handoff.put(listing, _DONE)

    for listing in listings:
        pool.submit(read, listing)


def _entities(listings: list[Listing], converter: _Converter, handoff: Handoff) -> Iterator[dict[str, Any]]:
    """The entities of the pages the listings hand over, as the converter lets them through."""
    pending = len(listings)
    while pending:
        listing, item = handoff.get()
        if item is _DONE or isinstance(item, Exception):
            pending -= 1
            yield from converter.done(listing, None if item is _DONE else item)
        else:
            yield from converter.records(listing, *item)
