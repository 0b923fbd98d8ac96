"""Benchmark: upload 12,345 entities with raw data through JupiterOneHook to the local sandbox.

Prints the wall time and request count of the upload, of finalize + wait, and of the same upload
with one request in flight (the baseline).
"""

from __future__ import annotations

import argparse
import os
import time

from alibaba_jupiterone.sandbox import JupiterOneSandbox


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=12_345)
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


if __name__ == "__main__":
    main()
