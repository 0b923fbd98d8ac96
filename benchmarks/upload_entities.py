"""Benchmark: upload 12,345 entities with raw data through JupiterOneHook to the local sandbox.

Prints the wall time and request count of the upload, of finalize + wait, and of the same upload
with one request in flight (the baseline). Then the CPU cost of the hook's check and encoding of
each object before upload, in microseconds per entity, on the entities of 10,000 synthetic ECS
instances (``--profile`` adds cProfile's view of a whole upload of them).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time

from alibaba_jupiterone.graph import ECS_INSTANCE, ConversionOptions
from alibaba_jupiterone.hooks.jupiterone_payload import prepare
from alibaba_jupiterone.sandbox import AlibabaCloudSandbox, JupiterOneSandbox


def entities(count: int) -> list[dict]:
    return [
        {
            "_key": f"benchmark-entity-{index:07d}",
            "_type": "benchmark_host",
            "_class": ["Host"],
            "name": f"host-{index}",
            "displayName": f"host-{index}",
            "ipAddress": f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}",
            "_rawData": [{"name": "default", "rawData": {"InstanceId": f"i-{index:020d}", "Pad": "x" * 1200}}],
        }
        for index in range(count)
    ]


def instance_entities(count: int) -> list[dict]:
    """The entities (with ``_rawData``) of a synthetic fleet of ``count`` ECS instances in one region."""
    sandbox = AlibabaCloudSandbox.synthetic(count, region_count=1, seed=1)
    (region_id,) = sandbox.region_ids
    options = ConversionOptions(
        observed_on=int(time.time() * 1000), account_name="benchmark", tag_with_account_name=True
    )
    return list(ECS_INSTANCE.to_entities(sandbox.instances(region_id), options, region=region_id))


def check_and_encode(entities: list[dict], repeat: int) -> None:
    """Print the CPU time the hook's check and encoding take per entity (best of ``repeat`` runs)."""
    timings = []
    for _ in range(repeat):
        started = time.process_time()
        encoded = list(prepare(entities, "entities", set()))
        timings.append(time.process_time() - started)
    size = sum(item.size for item in encoded) / len(encoded)
    print(
        f"check and encode: {len(entities)} ECS instance entities ({size:,.0f} bytes each): "
        f"{min(timings) / len(entities) * 1e6:.1f} us of CPU per entity"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=12_345)
    parser.add_argument("--instances", type=int, default=10_000, help="ECS instances whose entities are checked")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print cProfile's view of uploading those entities")
    args = parser.parse_args()

    from alibaba_jupiterone.hooks.jupiterone import JupiterOneHook

    batch = entities(args.entities)
    with JupiterOneSandbox() as sandbox:
        os.environ["AIRFLOW_CONN_JUPITERONE_DEFAULT"] = sandbox.connection_json()
        for in_flight in (1, 6):
            hook = JupiterOneHook(max_in_flight=in_flight)
            job_id = hook.start_sync_job(scope=f"benchmark-{in_flight}")["id"]
            started = time.perf_counter()
            summary = hook.upload_entities(job_id, batch)
            uploaded = time.perf_counter() - started
            hook.finalize_sync_job(job_id, summary.partial_types)
            job = hook.wait_for_sync_job(job_id, poll_interval=0.05)
            total = time.perf_counter() - started
            print(
                f"{in_flight} in flight: {summary.objects} entities, {summary.bytes / 1e6:.1f} MB in "
                f"{summary.requests} requests (largest {max(r.body_bytes for r in sandbox.requests if r.objects)} "
                f"bytes): upload {uploaded:.2f} s, with finalize and wait {total:.2f} s, "
                f"{job['numEntitiesCreated']} created"
            )
            sandbox.clear_requests()

        converted = instance_entities(args.instances)
        check_and_encode(converted, args.repeat)
        if args.profile:
            hook = JupiterOneHook()
            job_id = hook.start_sync_job(scope="benchmark-profile")["id"]
            profile = cProfile.Profile()
            profile.runcall(hook.upload_entities, job_id, converted)
            pstats.Stats(profile).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
