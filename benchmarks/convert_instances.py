"""Benchmark: ECS instances converted to JupiterOne entities per second, on one core.

Converts a synthetic fleet (made before the clock starts) with and without ``_rawData``, then converts
and checks each entity against the data model, and prints the best of a few runs of each. Entities
are consumed as they come, as a publishing step sending them in batches would.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Iterator

from alibaba_jupiterone.graph import ECS_INSTANCE, ConversionOptions, validate_entity
from alibaba_jupiterone.sandbox.ecs.synthetic import synthetic_fleet


def pin_to_one_core() -> str:
    """Run on a single CPU where the system allows choosing one; say which."""
    if not hasattr(os, "sched_setaffinity"):
        return "one thread (this system cannot pin a process to a core)"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"core {core}"


def best_time(entities: Callable[[], Iterator[dict]], repeat: int) -> tuple[int, float]:
    """How many entities one run gives, and the shortest time a run took."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        count = sum(1 for _ in entities())
        timings.append(time.perf_counter() - started)
    return count, min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument("--regions", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print(f"running on {pin_to_one_core()}")
    _, fleet = synthetic_fleet(args.instances, region_count=args.regions, seed=1)
    observed_on = int(time.time() * 1000)
    with_raw = ConversionOptions(observed_on=observed_on, account_name="benchmark", tag_with_account_name=True)
    without_raw = ConversionOptions(observed_on=observed_on, include_raw_data=False)

    def convert(options: ConversionOptions) -> Iterator[dict]:
        for region, records in fleet.items():
            yield from ECS_INSTANCE.to_entities(records, options, region=region)

    def convert_and_check() -> Iterator[dict]:
        for entity in convert(with_raw):
            validate_entity(entity)
            yield entity

    validate_entity(next(convert(with_raw)))  # load the schemas before the clock starts
    runs = {
        "convert, with _rawData": lambda: convert(with_raw),
        "convert, without _rawData": lambda: convert(without_raw),
        "convert and check (data model)": convert_and_check,
    }
    for label, entities in runs.items():
        count, elapsed = best_time(entities, args.repeat)
        print(f"{label:<31} {count:>7,} instances  {elapsed:6.3f} s  {count / elapsed:>9,.0f} instances/s")


if __name__ == "__main__":
    main()
