"""Benchmark: whole syncs against their physical limit (``make bench``).

For each fleet size, each sandbox runs in a process of its own, with a fleet skewed so that one
region holds ``--big-share`` of the instances, and ``--ecs-latency`` / ``--jupiterone-latency``
added to every ECS call and every JupiterOne request. Five syncs of that fleet, each to a scope of
its own, are measured:

(a) ``in-process``: the pipeline steps the operators run (fetch, transform, publish) one after the
    other in a fresh process, the batches kept in memory instead of XCom; no Airflow scheduling.
(b) ``airflow dags test``: the real DAG of ``dags/`` through Airflow, on SQLite, in a throw-away
    Airflow home.
(a') ``streaming``: the whole sync in one process by :func:`alibaba_jupiterone.pipeline.stream.sync`, each
    page converted and uploaded as it arrives (the same hooks, converter, checks and sync job).
(b') ``streaming DAG``: the DAG of an account with ``pipeline: streaming`` (gate, then (a') in one task)
    through ``airflow dags test``.
(c) ``reference``: the strategy of JupiterOne's own integration, with the same hooks, converter and
    data model check: every region at once, paged by ``NextToken`` (which gives 10 instances a page
    whatever ``PageSize`` says), uploads of 250 entities a request, 6 in flight.

Memory: each step (fetch, transform, publish) also runs alone in a fresh process, as a task does under an
executor, its batches kept in files encoded as the operators encode them for XCom; its peak RSS is
printed for the smallest and the largest fleet, next to the tasks' of (b), which ``airflow dags test``
runs in one process (a task there starts with what the tasks before it left in the heap).

The lower bound of a sync comes from the latencies and the APIs' rules alone::

    ecs   = ecs_latency * (1 + max over regions of (1 + ceil(instances / 100)))
            # DescribeRegions, then per region a DryRun check and its NextToken pages, one after
            # another; the regions side by side, so the largest region's chain is the path
    jone  = jupiterone_latency * (2 + ceil(ceil(bytes / 5 MB) / 6))
            # start and finalize, and the uploads of the entities' bytes, 6 requests in flight
    bound = ecs + jone

Run with ``--help`` for the knobs. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import platform
import queue
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
DAG_ID = "alibaba_cloud_jupiterone_benchmark"
STREAMING_DAG_ID = "alibaba_cloud_jupiterone_benchmark_streaming"
MAX_REQUEST_BYTES = 5_000_000
IN_FLIGHT = 6
ECS_PAGE = 100
BATCH_SIZE = 250
REFERENCE_UPLOAD = 250
"""Objects a request in the reference strategy (JupiterOne's SDK before it batched by size)."""


@dataclass(frozen=True)
class Shape:
    """The fleet: how many instances, in how many regions, the first region holding ``big_share``."""

    instances: int
    regions: int
    big_share: float
    seed: int = 1

    def region_sizes(self) -> list[int]:
        """Instances per region: the first holds ``big_share``, the others share the rest evenly."""
        big = round(self.instances * self.big_share)
        rest, extra = divmod(self.instances - big, self.regions - 1)
        return [big, *(rest + (index < extra) for index in range(self.regions - 1))]


@dataclass(frozen=True)
class Latency:
    """Seconds added to each ECS call and to each JupiterOne request."""

    ecs: float
    jupiterone: float


@dataclass
class Run:
    """What one sync cost."""

    name: str
    wall: float
    ecs_calls: int
    jupiterone_requests: int
    jupiterone_bytes: int
    peak_rss: int
    entities: int
    xcom_values: int | None = None
    xcom_bytes: int | None = None
    xcom_largest: int | None = None
    task_rss: dict[str, int] = field(default_factory=dict)
    task_seconds: dict[str, float] = field(default_factory=dict)
    airflow_fixed: float | None = None
    cpu: float = 0.0
    sandbox_cpu: float = 0.0


def skewed_fleet(shape: Shape) -> tuple[list[dict], dict[str, list[dict]]]:
    """The seeded synthetic fleet of ``shape.instances``, its records re-homed to ``shape.region_sizes()``.

    The generator spreads regions at random; here the records keep everything but ``RegionId``,
    which names the region they are moved to.
    """
    from alibaba_jupiterone.sandbox.ecs.synthetic import synthetic_fleet

    regions, generated = synthetic_fleet(shape.instances, region_count=shape.regions, seed=shape.seed)
    records = iter([record for listing in generated.values() for record in listing])
    instances: dict[str, list[dict]] = {}
    for region, size in zip(regions, shape.region_sizes(), strict=True):
        instances[region["RegionId"]] = [next(records) | {"RegionId": region["RegionId"]} for _ in range(size)]
    return regions, instances


def serve_ecs(pipe: Any, shape: Shape, latency: Latency) -> None:
    """The Alibaba Cloud sandbox's process: serve the fleet, answer ``stats``/``reset`` on ``pipe`` until ``stop``."""
    from alibaba_jupiterone.sandbox import EcsSandbox, Fault

    regions, instances = skewed_fleet(shape)
    with EcsSandbox(regions=regions, instances=instances, seed=shape.seed) as ecs:
        del instances
        ecs.inject(Fault("latency", delay=latency.ecs))
        serve(pipe, ecs.connection_json(), ecs.clear_requests, lambda: {"ecs_calls": len(ecs.requests)})


def serve_jupiterone(pipe: Any, shape: Shape, latency: Latency) -> None:
    """The JupiterOne sandbox's process, as :func:`serve_ecs`; its graphs in memory, as a service's own."""
    from alibaba_jupiterone.sandbox import JupiterOneFault, JupiterOneSandbox

    with JupiterOneSandbox() as jupiterone:
        jupiterone.inject(JupiterOneFault("slow", delay=latency.jupiterone))

        def counts() -> dict[str, int]:
            uploads = [record for record in jupiterone.requests if record.objects]
            return {
                "jupiterone_requests": len(jupiterone.requests),
                "jupiterone_bytes": sum(record.body_bytes for record in uploads),
                "entities": sum(record.objects for record in uploads),
            }

        serve(pipe, jupiterone.connection_json(), jupiterone.clear_requests, counts)


def serve(pipe: Any, connection: str, clear: Any, counts: Any) -> None:
    """Send ``connection``, then answer ``reset`` and ``stats`` (``counts()`` and the CPU used since) until ``stop``."""
    pipe.send(connection)
    cpu_at_reset = time.process_time()
    while (command := pipe.recv()) != "stop":
        if command == "reset":
            clear()
            cpu_at_reset = time.process_time()
            pipe.send(None)
        else:
            pipe.send({**counts(), "sandbox_cpu": time.process_time() - cpu_at_reset})


class Sandboxes:
    """Both sandboxes, each in a process of its own (as the services they stand for do not share a CPU)."""

    def __init__(self, pipes: dict[str, Any]) -> None:
        self.pipes = pipes

    def reset(self) -> None:
        """Forget the requests so far and restart the CPU counts."""
        for pipe in self.pipes.values():
            pipe.send("reset")
        for pipe in self.pipes.values():
            pipe.recv()

    def stats(self) -> dict[str, Any]:
        """The requests and CPU since the last reset, of both sandboxes."""
        for pipe in self.pipes.values():
            pipe.send("stats")
        merged: dict[str, Any] = {"sandbox_cpu": 0.0}
        for pipe in self.pipes.values():
            counts = pipe.recv()
            merged["sandbox_cpu"] += counts.pop("sandbox_cpu")
            merged.update(counts)
        return merged


@contextmanager
def sandboxes(shape: Shape, latency: Latency) -> Iterator[Sandboxes]:
    """Start both sandboxes' processes, with the connections set in this environment."""
    context = multiprocessing.get_context("spawn")
    servers = {"ALIBABACLOUD_DEFAULT": serve_ecs, "JUPITERONE_DEFAULT": serve_jupiterone}
    pipes, processes = {}, []
    for name, server in servers.items():
        mine, theirs = context.Pipe()
        process = context.Process(target=server, args=(theirs, shape, latency), daemon=True)
        process.start()
        pipes[name], processes = mine, [*processes, process]
    try:
        for name, pipe in pipes.items():
            os.environ[f"AIRFLOW_CONN_{name}"] = pipe.recv()
        yield Sandboxes(pipes)
    finally:
        for pipe in pipes.values():
            pipe.send("stop")
        for process in processes:
            process.join(timeout=30)


def measured(sandboxes: Sandboxes, name: str, sync: Any, *args: Any) -> Run:
    """Run ``sync(*args)`` in a fresh process (so its peak RSS is its own) and collect the sandboxes' counts."""
    sandboxes.reset()
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        wall, peak, cpu = pool.apply(timed_in_child, (sync, *args))
    return Run(name=name, wall=wall, peak_rss=peak, cpu=cpu, **sandboxes.stats())


def timed_in_child(sync: Any, *args: Any) -> tuple[float, int, float]:
    """Wall time of ``sync(*args)``, this process's peak RSS in bytes and the CPU seconds ``sync`` used.

    The clock starts once the provider's modules are imported and the data model loaded, as a
    worker that already ran a task has them; logs below warnings are left out.
    """
    os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "WARNING"
    import alibaba_jupiterone.hooks.alibaba_ecs
    import alibaba_jupiterone.hooks.jupiterone
    import alibaba_jupiterone.pipeline.publish
    import alibaba_jupiterone.pipeline.transform  # noqa: F401 - imported before the clock starts
    from alibaba_jupiterone.graph import ECS_INSTANCE, ConversionOptions, validate_entity
    from alibaba_jupiterone.sandbox.ecs.synthetic import synthetic_fleet

    (record,) = (record for records in synthetic_fleet(1)[1].values() for record in records)
    validate_entity(ECS_INSTANCE.to_entity(record, ConversionOptions(observed_on=0)))
    cpu_before = time.process_time()
    started = time.perf_counter()
    sync(*args)
    wall = time.perf_counter() - started
    return wall, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, time.process_time() - cpu_before


def in_process_sync(scope: str) -> None:
    """(a): fetch, transform and publish as the operators run them, the batches in a dict."""
    import logging

    from alibaba_jupiterone.graph import ECS_INSTANCE, ConversionOptions
    from alibaba_jupiterone.hooks.jupiterone import JupiterOneHook
    from alibaba_jupiterone.pipeline.fetch import fetch, plan
    from alibaba_jupiterone.pipeline.listings import AlibabaCloud
    from alibaba_jupiterone.pipeline.publish import publish
    from alibaba_jupiterone.pipeline.transform import transform

    batches: dict[str, list[Any]] = {}
    listings, _ = plan(AlibabaCloud("alibabacloud_default", [ECS_INSTANCE.type]))
    fetched = fetch(
        listings, store=batches.__setitem__, producer="fetch", batch_size=BATCH_SIZE, max_concurrent_listings=8
    )
    options = ConversionOptions(observed_on=int(time.time() * 1000))
    transformed = transform(
        fetched, options, load=batches.pop, store=batches.__setitem__, producer="transform", batch_size=BATCH_SIZE
    )
    publish(JupiterOneHook(), transformed, load=batches.pop, scope=scope, log=logging.getLogger("bench"))


class FileBatches:
    """Batches kept as files in ``folder``, encoded as the operators encode them for XCom."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)

    def store(self, key: str, items: list[Any]) -> None:
        from alibaba_jupiterone.operators.batches import encode_batch

        (self.folder / key).write_text(json.dumps(encode_batch(items)))

    def load(self, key: str) -> list[Any]:
        from alibaba_jupiterone.operators.batches import decode_batch

        return decode_batch(json.loads((self.folder / key).read_text()))


def fetch_step(folder: str) -> dict:
    """The fetch step alone, its batches written to ``folder``; returns its manifest."""
    from alibaba_jupiterone.graph import ECS_INSTANCE
    from alibaba_jupiterone.pipeline.fetch import fetch, plan
    from alibaba_jupiterone.pipeline.listings import AlibabaCloud

    listings, _ = plan(AlibabaCloud("alibabacloud_default", [ECS_INSTANCE.type]))
    store = FileBatches(folder).store
    return fetch(listings, store=store, producer="fetch", batch_size=BATCH_SIZE, max_concurrent_listings=8).to_dict()


def transform_step(folder: str, fetched: dict) -> dict:
    """The transform step alone, reading and writing batches in ``folder``; returns its manifest."""
    from alibaba_jupiterone.graph import ConversionOptions
    from alibaba_jupiterone.pipeline.manifest import Manifest
    from alibaba_jupiterone.pipeline.transform import transform

    batches = FileBatches(folder)
    options = ConversionOptions(observed_on=int(time.time() * 1000))
    return transform(
        Manifest.from_dict(fetched),
        options,
        load=batches.load,
        store=batches.store,
        producer="transform",
        batch_size=BATCH_SIZE,
    ).to_dict()


def publish_step(folder: str, transformed: dict, scope: str) -> None:
    """The publish step alone, reading its batches from ``folder``."""
    import logging

    from alibaba_jupiterone.hooks.jupiterone import JupiterOneHook
    from alibaba_jupiterone.pipeline.manifest import Manifest
    from alibaba_jupiterone.pipeline.publish import publish

    load = FileBatches(folder).load
    publish(JupiterOneHook(), Manifest.from_dict(transformed), load=load, scope=scope, log=logging.getLogger("bench"))


def step_memory(instances: int) -> dict[str, int]:
    """Each step alone in a fresh process, as a task runs under an executor: its peak RSS in bytes."""
    with tempfile.TemporaryDirectory(prefix="batches-") as folder:
        fetched, fetch_peak = in_fresh_process(fetch_step, folder)
        transformed, transform_peak = in_fresh_process(transform_step, folder, fetched)
        _, publish_peak = in_fresh_process(publish_step, folder, transformed, f"bench-m-{instances}")
    return {"fetch": fetch_peak, "transform": transform_peak, "publish": publish_peak}


def in_fresh_process(step: Any, *args: Any) -> tuple[Any, int]:
    """``step(*args)`` in a fresh process: its result and the process's peak RSS in bytes."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(peak_in_child, (step, *args))


def peak_in_child(step: Any, *args: Any) -> tuple[Any, int]:
    """``step(*args)`` and this process's peak RSS in bytes."""
    os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "WARNING"
    result = step(*args)
    return result, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def streaming_sync(scope: str) -> None:
    """(a'): the whole sync in one process, each page converted and uploaded as it arrives."""
    import logging

    from alibaba_jupiterone.graph import ECS_INSTANCE, ConversionOptions
    from alibaba_jupiterone.hooks.jupiterone import JupiterOneHook
    from alibaba_jupiterone.pipeline.listings import AlibabaCloud
    from alibaba_jupiterone.pipeline.stream import sync

    options = ConversionOptions(observed_on=int(time.time() * 1000))
    cloud = AlibabaCloud("alibabacloud_default", [ECS_INSTANCE.type])
    sync(cloud, JupiterOneHook(), options, scope=scope, log=logging.getLogger("bench"))


def reference_sync(scope: str) -> None:
    """(c): every region at once, pages of 10 by ``NextToken``, 250 entities a request, 6 in flight."""
    from alibaba_jupiterone.graph import ECS_INSTANCE, ConversionOptions, validate_entity
    from alibaba_jupiterone.hooks.alibaba_ecs import AlibabaEcsHook
    from alibaba_jupiterone.hooks.jupiterone import JupiterOneHook

    ecs, jupiterone = AlibabaEcsHook(), JupiterOneHook(max_in_flight=IN_FLIGHT)
    regions = ecs.list_regions()
    options = ConversionOptions(observed_on=int(time.time() * 1000))
    job_id = jupiterone.start_sync_job(scope=scope)["id"]
    entities: queue.Queue[dict | None] = queue.Queue(maxsize=10 * REFERENCE_UPLOAD)

    def read(region: str) -> None:
        try:
            for record in reference_pages(ecs, region):
                entity = ECS_INSTANCE.to_entity(record, options, region=region)
                validate_entity(entity)
                entities.put(entity)
        finally:
            entities.put(None)  # this region is done

    with ThreadPoolExecutor(len(regions)) as readers, ThreadPoolExecutor(IN_FLIGHT) as uploads:
        listings = [readers.submit(read, region) for region in regions]
        pending: set[Future] = set()
        for chunk in reference_chunks(entities, REFERENCE_UPLOAD, len(regions)):
            if len(pending) >= IN_FLIGHT:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    future.result()
            pending.add(uploads.submit(jupiterone.upload_entities, job_id, chunk))
        for future in [*listings, *pending]:
            future.result()
    jupiterone.finalize_sync_job(job_id)
    jupiterone.wait_for_sync_job(job_id)


def reference_pages(ecs: Any, region: str) -> Iterator[dict]:
    """The records of ``region`` as the reference reads them: ``PageSize=50`` with ``NextToken``."""
    from alibabacloud_ecs20140526.models import DescribeInstancesRequest
    from darabonba.runtime import RuntimeOptions

    client, token = ecs.get_conn(region), ""
    while True:
        request = DescribeInstancesRequest(region_id=region, page_size=50, next_token=token)
        body = client.describe_instances_with_options(request, RuntimeOptions()).body
        for instance in body.instances.instance or ():
            yield instance.to_map()
        token = body.next_token
        if not token:
            return


def reference_chunks(entities: queue.Queue, size: int, regions: int) -> Iterator[list[dict]]:
    """The entities of ``entities``, in lists of ``size``, until each of the ``regions`` has sent ``None``."""
    chunk: list[dict] = []
    while regions:
        entity = entities.get()
        if entity is None:
            regions -= 1
            continue
        chunk.append(entity)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def airflow_sync(sandboxes: Sandboxes, home: Path, name: str, dag_id: str) -> Run:
    """(b), or (b') with ``STREAMING_DAG_ID``: ``airflow dags test`` of the real DAG; its tasks' peak RSS
    sampled, its XCom read back."""
    sandboxes.reset()
    launched = time.time()
    process = subprocess.Popen(
        [sys.executable, "-m", "airflow", "dags", "test", dag_id],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    samples = RssSampler(process.pid)
    samples.start()
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    finished = time.time()
    samples.stop()
    if process.returncode:
        sys.exit(f"airflow dags test failed:\n{output[-6000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    run = Run(
        name=name,
        wall=finished - launched,
        peak_rss=usage.ru_maxrss * 1024,
        cpu=cpu,
        **sandboxes.stats(),
    )
    read_airflow_run(run, home / "airflow.db", dag_id, samples, launched=launched, finished=finished)
    return run


class RssSampler(threading.Thread):
    """Samples the RSS of a process and its children every 10 ms: ``(time, bytes)``."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.samples: list[tuple[float, int]] = []
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.wait(0.01):
            try:
                tree = [self.process, *self.process.children(recursive=True)]
                self.samples.append((time.time(), sum(member.memory_info().rss for member in tree)))
            except psutil.Error:
                return

    def stop(self) -> None:
        self._stopping.set()
        self.join()

    def peak(self, start: float, end: float) -> int:
        return max((rss for moment, rss in self.samples if start <= moment <= end), default=0)


def read_airflow_run(
    run: Run, database: Path, dag_id: str, samples: RssSampler, *, launched: float, finished: float
) -> None:
    """Fill in the task times, their peak RSS, Airflow's own time and the run's XCom from the metadata DB."""
    with sqlite3.connect(database) as db:
        (run_id,) = db.execute(
            "SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1", (dag_id,)
        ).fetchone()
        tasks = db.execute(
            "SELECT task_id, start_date, end_date FROM task_instance WHERE dag_id = ? AND run_id = ? "
            "ORDER BY start_date",
            (dag_id, run_id),
        ).fetchall()
        sizes = [
            size
            for (size,) in db.execute(
                "SELECT length(CAST(value AS BLOB)) FROM xcom WHERE dag_id = ? AND run_id = ?", (dag_id, run_id)
            )
        ]
    spans = {task: (epoch(start), epoch(end)) for task, start, end in tasks}
    run.task_seconds = {task: end - start for task, (start, end) in spans.items()}
    run.task_rss = {task: samples.peak(start, end) for task, (start, end) in spans.items()}
    run.airflow_fixed = (min(s for s, _ in spans.values()) - launched) + (finished - max(e for _, e in spans.values()))
    run.xcom_values, run.xcom_bytes, run.xcom_largest = len(sizes), sum(sizes), max(sizes, default=0)


def epoch(text: str) -> float:
    """Seconds since the epoch of a UTC time as SQLite holds it."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


NOOP_DAG = """
import pendulum
from airflow.sdk import DAG, task

with DAG("noop", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), schedule=None):
    task(lambda: None, task_id="noop")()
"""


def airflow_fixed_cost(home: Path, repeat: int = 2) -> float:
    """Airflow's fixed start-up: the wall time of ``airflow dags test`` of a DAG whose one task does nothing."""
    folder = home / "noop-dag"
    folder.mkdir(exist_ok=True)
    (folder / "noop.py").write_text(NOOP_DAG)
    environment = {**os.environ, "AIRFLOW__CORE__DAGS_FOLDER": str(folder)}
    best = math.inf
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "airflow", "dags", "test", "noop"], check=True, capture_output=True, env=environment
        )
        best = min(best, time.perf_counter() - started)
    return best


def prepare_airflow(home: Path) -> None:
    """A throw-away Airflow home on SQLite with the DAGs of ``dags/`` for one account, as steps and streaming."""
    config = home / "accounts.yaml"
    config.write_text(
        "accounts:\n  - account_name: Benchmark\n    scope: alibaba-cloud-benchmark\n"
        "    resources: [alibaba_cloud_ecs_instance]\n"
        "  - account_name: Benchmark Streaming\n    scope: alibaba-cloud-benchmark-streaming\n"
        "    resources: [alibaba_cloud_ecs_instance]\n    pipeline: streaming\n"
    )
    os.environ.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(ROOT / "dags"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        ALIBABA_JUPITERONE_CONFIG=str(config),
    )
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True)


def lower_bound(shape: Shape, latency: Latency, uploaded_bytes: int) -> float:
    """The critical path of a sync from the latencies and the APIs' rules (see the module's docstring)."""
    chain = max(1 + math.ceil(size / ECS_PAGE) for size in shape.region_sizes())
    requests = math.ceil(uploaded_bytes / MAX_REQUEST_BYTES)
    return latency.ecs * (1 + chain) + latency.jupiterone * (2 + math.ceil(requests / IN_FLIGHT))


def converter_rate(instances: int, repeat: int = 3) -> float:
    """ECS instances converted per second on one core (the best of ``repeat`` runs)."""
    from alibaba_jupiterone.graph import ECS_INSTANCE, ConversionOptions
    from alibaba_jupiterone.sandbox.ecs.synthetic import synthetic_fleet

    _, fleet = synthetic_fleet(instances, seed=1)
    options = ConversionOptions(observed_on=int(time.time() * 1000))
    cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cores)})
    try:
        best = math.inf
        for _ in range(repeat):
            started = time.perf_counter()
            for region, records in fleet.items():
                for _ in ECS_INSTANCE.to_entities(records, options, region=region):
                    pass
            best = min(best, time.perf_counter() - started)
    finally:
        os.sched_setaffinity(0, cores)
    return instances / best


def report(shape: Shape, latency: Latency, runs: list[Run], bound: float, airflow_fixed: float) -> None:
    """Print one fleet's table."""
    sizes = shape.region_sizes()
    print(
        f"\n{shape.instances:,} instances in {shape.regions} regions (largest {sizes[0]:,}); "
        f"{latency.ecs * 1000:.0f} ms per ECS call, {latency.jupiterone * 1000:.0f} ms per JupiterOne request; "
        f"lower bound {bound:.2f} s"
    )
    header = f"{'run':<19} {'wall s':>7} {'/bound':>6} {'µs/inst':>7} {'ECS calls':>9} {'J1 req':>6} {'J1 MB':>6} "
    print(header + f"{'peak RSS MB':>11}  XCom")
    for run in runs:
        xcom = (
            f"{run.xcom_values} values, {run.xcom_bytes / 1e6:.1f} MB, largest {run.xcom_largest / 1e6:.2f} MB"
            if run.xcom_values is not None
            else "-"
        )
        print(
            f"{run.name:<19} {run.wall:7.2f} {run.wall / bound:6.2f} {run.wall / shape.instances * 1e6:7.0f} "
            f"{run.ecs_calls:9,} {run.jupiterone_requests:6,} {run.jupiterone_bytes / 1e6:6.1f} "
            f"{run.peak_rss / 1e6:11.0f}  {xcom}"
        )
    for run in runs:
        print(
            f"  {run.name}: CPU {run.cpu:.2f} s in the sync's process(es), {run.sandbox_cpu:.2f} s in the sandboxes' "
            f"(floor on {os.cpu_count()} cores: {max(run.cpu, (run.cpu + run.sandbox_cpu) / os.cpu_count()):.2f} s)"
        )
    by_name = {run.name: run for run in runs}
    for label, dag_run, alone in (
        ("(b) - (a)", by_name["airflow dags test"], by_name["in-process"]),
        ("(b') - (a')", by_name["streaming DAG"], by_name["streaming"]),
    ):
        tasks = len(dag_run.task_seconds)
        print(
            f"  Airflow's overhead, {label}: {dag_run.wall - alone.wall:.2f} s; allowed: its fixed start-up "
            f"({airflow_fixed:.2f} s, a one-task DAG through airflow dags test) + 1 s x {tasks} tasks = "
            f"{airflow_fixed + tasks:.2f} s"
        )
    for run in runs:
        if run.task_seconds:
            tasks = ", ".join(
                f"{task} {seconds:.2f} s / {run.task_rss[task] / 1e6:.0f} MB"
                for task, seconds in run.task_seconds.items()
            )
            print(f"  {run.name}: Airflow's own start-up and shut-down {run.airflow_fixed:.2f} s; tasks: {tasks}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, nargs="+", default=[10_000, 100_000], help="fleet sizes to run")
    parser.add_argument("--regions", type=int, default=20)
    parser.add_argument("--big-share", type=float, default=0.5, help="share of the instances in the largest region")
    parser.add_argument("--ecs-latency", type=float, default=0.05, help="seconds added to every ECS call")
    parser.add_argument("--jupiterone-latency", type=float, default=0.1, help="seconds added to every J1 request")
    parser.add_argument("--reference-up-to", type=int, default=10_000, help="run (c) on fleets up to this size")
    args = parser.parse_args()

    latency = Latency(args.ecs_latency, args.jupiterone_latency)
    home = Path(tempfile.mkdtemp(prefix="sync-bench-"))
    prepare_airflow(home)
    print(f"{platform.node()}: {os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}")
    print(f"converter alone: {converter_rate(10_000):,.0f} instances/s on one core")
    airflow_fixed = airflow_fixed_cost(home)
    memory: dict[int, dict[str, dict[str, int]]] = {}
    for instances in args.instances:
        shape = Shape(instances, args.regions, args.big_share)
        with sandboxes(shape, latency) as services:
            runs = [measured(services, "in-process", in_process_sync, f"bench-a-{instances}")]
            runs.append(airflow_sync(services, home, "airflow dags test", DAG_ID))
            runs.append(measured(services, "streaming", streaming_sync, f"bench-s-{instances}"))
            if instances <= args.reference_up_to:
                runs.append(measured(services, "reference strategy", reference_sync, f"bench-c-{instances}"))
            runs.append(airflow_sync(services, home, "streaming DAG", STREAMING_DAG_ID))
            memory[instances] = {"alone": step_memory(instances), "airflow dags test": runs[1].task_rss}
        report(shape, latency, runs, lower_bound(shape, latency, runs[0].jupiterone_bytes), airflow_fixed)
    report_memory(memory)


def report_memory(memory: dict[int, dict[str, dict[str, int]]]) -> None:
    """Print each step's peak RSS at the smallest and the largest fleet, and its growth."""
    small, large = min(memory), max(memory)
    print(f"\nPeak RSS of each step, {small:,} -> {large:,} instances:")
    for how in ("alone", "airflow dags test"):
        steps = [step for step in memory[large][how] if step in memory[small][how]]
        figures = ", ".join(
            f"{step} {memory[small][how][step] / 1e6:.0f} -> {memory[large][how][step] / 1e6:.0f} MB "
            f"({memory[large][how][step] / memory[small][how][step] - 1:+.0%})"
            for step in steps
        )
        where = (
            "each alone in a fresh process (as under an executor), batches in files as in XCom"
            if how == "alone"
            else "the tasks of airflow dags test, which all run in one process"
        )
        print(f"  {where}: {figures}")


def cpu_model() -> str:
    """The CPU's model name, as ``/proc/cpuinfo`` gives it."""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
