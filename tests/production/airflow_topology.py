"""Airflow's components as separate processes on one shared environment, and its REST API with a JWT."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import psutil
import requests

from alibaba_jupiterone.dag_factory import AccountConfig
from alibaba_jupiterone.sandbox import EcsSandbox, JupiterOneSandbox

AIRFLOW = (sys.executable, "-m", "airflow")
PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")

T = TypeVar("T")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check: Callable[[], T | None], *, timeout: float, what: str, interval: float = 0.5) -> T:
    """Call ``check`` until it returns something other than ``None`` (or ``False``), and return that."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result is not None and result is not False:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def answers_ok(url: str) -> bool:
    """Whether ``GET url`` answers with a success status (``False`` while nothing listens)."""
    with requests.Session() as session:
        session.trust_env = False  # no proxy for 127.0.0.1
        try:
            return session.get(url, timeout=5).ok
        except requests.ConnectionError:
            return False


class AirflowTopology:
    """Airflow's long-running components, each its own process (and session), all on the same environment.

    :param environment: every variable the components and CLI commands get (the connections included).
    :param logs: the folder of each component's output.
    """

    def __init__(self, environment: Mapping[str, str], logs: Path) -> None:
        self.environment = {k: v for k, v in environment.items() if k not in PROXY_VARIABLES}
        self.logs = logs
        self._processes: dict[str, subprocess.Popen] = {}

    def run(self, *arguments: str, timeout: float = 120) -> str:
        """Run an ``airflow`` command to completion; its output. Raises with the output when it fails."""
        result = subprocess.run(
            [*AIRFLOW, *arguments], env=self.environment, capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode:
            raise RuntimeError(f"airflow {' '.join(arguments)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
        return result.stdout

    def start(self, name: str, *arguments: str) -> None:
        """Start ``airflow <name> <arguments>`` in a session of its own, its output in ``<logs>/<name>.log``."""
        self.logs.mkdir(parents=True, exist_ok=True)
        with (self.logs / f"{name}.log").open("wb") as log:
            self._processes[name] = subprocess.Popen(
                [*AIRFLOW, name, *arguments],
                env=self.environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def check_running(self) -> None:
        """Raise, with its log, if a component has exited."""
        for name, process in self._processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"airflow {name} exited with {process.returncode}:\n{self.log_tail(name)}")

    def log_tail(self, name: str, characters: int = 4000) -> str:
        """The end of a component's output."""
        return (self.logs / f"{name}.log").read_text(errors="replace")[-characters:]

    def stop(self) -> None:
        """Stop every component: SIGTERM to its process group, SIGKILL after 30 s, then SIGKILL to what it had
        started that still runs (Airflow puts each task process in a process group of its own)."""
        started = [child for process in self._processes.values() for child in _children(process.pid)]
        for process in reversed(self._processes.values()):
            _signal_group(process, signal.SIGTERM)
        for process in self._processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
            _signal_group(process, signal.SIGKILL)  # anything left in its group
        for child in started:
            with suppress(psutil.NoSuchProcess):
                child.kill()  # psutil checks first that the PID still names the same process
        psutil.wait_procs(started, timeout=10)


def _signal_group(process: subprocess.Popen, sent: signal.Signals) -> None:
    """Signal the process group a component leads (its session), if any of it is still there."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sent)


def _children(pid: int) -> list[psutil.Process]:
    """Every process below ``pid``, whatever its process group."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


class RestApi:
    """Airflow 3's REST API: a JWT from ``POST /auth/token``, then ``Authorization: Bearer`` on ``/api/v2``.

    :param base_url: ``http://host:port`` of the API server.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy for 127.0.0.1

    def is_healthy(self) -> bool:
        """Whether the API server answers its (public) health endpoint."""
        return answers_ok(f"{self.base_url}/api/v2/monitor/health")

    def log_in(self, username: str, password: str) -> None:
        """Get a JWT for the user and send it with every later request."""
        answer = self.session.post(
            f"{self.base_url}/auth/token", json={"username": username, "password": password}, timeout=30
        )
        answer.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def call(self, method: str, path: str, *, expect: tuple[int, ...] = (200,), **kwargs: Any) -> Any:
        """``method /api/v2<path>``; the JSON answer, or ``None`` for an expected non-2xx status."""
        answer = self.session.request(method, f"{self.base_url}/api/v2{path}", timeout=30, **kwargs)
        if answer.status_code not in expect:
            raise AssertionError(f"{method} {path}: {answer.status_code} {answer.text[:2000]}")
        return answer.json() if answer.ok else None


@dataclass(frozen=True)
class Production:
    """What the topology test drives and checks: the components, their REST API, the account, both sandboxes."""

    airflow: AirflowTopology
    api: RestApi
    scheduler_health_url: str
    account: AccountConfig
    ecs: EcsSandbox
    jupiterone: JupiterOneSandbox

    def wait(self, check: Callable[[], T | None], what: str, timeout: float = 180) -> T:
        """:func:`wait_until` while watching the components; a time-out shows the end of the scheduler's log."""

        def watched() -> T | None:
            self.airflow.check_running()
            return check()

        try:
            return wait_until(watched, timeout=timeout, what=what)
        except TimeoutError as error:
            raise TimeoutError(f"{error}; the scheduler's log ends:\n{self.airflow.log_tail('scheduler')}") from None
