"""Fetch: run every listing, several at a time, and hand their records over in batches."""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import Any, TypeVar

from alibaba_jupiterone.errors import ConfigurationError
from alibaba_jupiterone.pipeline.interpreter import tuned_for_sync
from alibaba_jupiterone.pipeline.listings import AlibabaCloud, Listing
from alibaba_jupiterone.pipeline.manifest import Dataset, Failure, Manifest, batch_key

T = TypeVar("T")
Store = Callable[[str, list[Any]], None]
"""Keeps one batch under its key (in Airflow: an XCom push)."""

_DONE = object()


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def plan(cloud: AlibabaCloud, regions: Iterable[str] = ()) -> tuple[list[Listing], list[Failure]]:
    """The listings of one sync: the global ones, then each wanted regional product in each of its regions.

    ``regions`` narrows every regional product to those regions (empty: all of each product's regions);
    each, and each region of the connection's allow-list, must be offered by at least one of them. A
    product whose region list cannot be read becomes a failure of all its regions.

    :raises ConfigurationError: a region asked for, or allow-listed, is offered by no wanted regional product.
    """
    wanted = list(regions)
    listings = list(cloud.global_listings())
    failures: list[Failure] = []
    offered: set[str] = set()
    for product in cloud.regional_products():
        try:
            available = product.list_regions()
        except ConfigurationError:
            raise
        except Exception as error:  # the product is left out, whatever broke it
            reason = f"{product.name} regions unknown: {_reason(error)}"
            failures.append(Failure(list(product.types), "all regions", reason))
            offered.update(wanted)
            continue
        offered.update(available)
        listings.extend(
            cloud.regional_listing(product.name, region) for region in available if not wanted or region in wanted
        )
    unknown = [region for region in wanted if region not in offered]
    if unknown:
        raise ConfigurationError(f"Regions asked for are not available to the connection: {', '.join(unknown)}.")
    products = cloud.regional_products()
    unlisted = [region for region in cloud.allowed_regions if products and not failures and region not in offered]
    if unlisted:
        raise ConfigurationError(
            f"Connection extra 'regions' names regions no product lists for this account: {', '.join(unlisted)}."
        )
    return listings, failures


@tuned_for_sync()
def fetch(
    listings: list[Listing],
    *,
    store: Store,
    producer: str,
    batch_size: int,
    max_concurrent_listings: int,
) -> Manifest:
    """Run ``listings`` and store their records in batches of at most ``batch_size``.

    Up to ``max_concurrent_listings`` run at once. A listing that fails, once the hooks' retries are
    spent, is left out whole (its batches stored so far are not listed) and becomes a failure naming its
    types, scope and reason. Batches are handed to ``store`` from the calling thread only.
    """
    manifest = Manifest(producer=producer)
    handoff: queue.Queue[tuple[Listing, Any]] = queue.Queue(maxsize=2 * max_concurrent_listings)

    def read(listing: Listing) -> None:
        try:
            for type_name, records in listing.read().items():
                for batch in chunked(records, batch_size):
                    handoff.put((listing, (type_name, batch)))
                handoff.put((listing, (type_name, None)))
        except Exception as error:  # the listing is left out, whatever broke it
            handoff.put((listing, error))
        else:
            handoff.put((listing, _DONE))

    with ThreadPoolExecutor(max_workers=max_concurrent_listings, thread_name_prefix="fetch") as pool:
        for listing in listings:
            pool.submit(read, listing)
        datasets: dict[tuple[int, str], Dataset] = {}
        pending = len(listings)
        while pending:
            listing, item = handoff.get()
            if item is _DONE:
                manifest.datasets.extend(dataset for (owner, _), dataset in datasets.items() if owner == id(listing))
                pending -= 1
            elif isinstance(item, Exception):
                manifest.failures.append(Failure(list(listing.types), listing.scope, _reason(item)))
                pending -= 1
            else:
                type_name, batch = item
                dataset = datasets.setdefault((id(listing), type_name), Dataset(type_name, listing.scope))
                if batch is not None:
                    key = batch_key("records", type_name, listing.scope, len(dataset.keys))
                    store(key, batch)
                    dataset.keys.append(key)
                    dataset.count += len(batch)
    return manifest


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
