"""``python -m alibaba_jupiterone.sandbox jupiterone`` and the JupiterOne pytest fixtures."""

from __future__ import annotations

import signal
import sys

import pytest
import requests
from cli_process import cli_process
from jupiterone_wire import JOBS, Client, entity

from alibaba_jupiterone.sandbox import JupiterOneFault, JupiterOneSandbox
from alibaba_jupiterone.sandbox.__main__ import build_parser


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serves_until_signalled_after_printing_the_base_url(stop_signal, tmp_path):
    database = tmp_path / "graph.sqlite"
    command = [sys.executable, "-m", "alibaba_jupiterone.sandbox", "jupiterone", "--account-id", "acme"]
    command += ["--api-key", "cli-key", "--database", str(database), "--finalize-delay", "0"]
    command += ["--fault", "status:start,status=429,retry_after=1,times=1"]
    with cli_process(command) as cli:
        url = cli.stdout.readline().strip()
        session = requests.Session()
        session.headers.update({"Authorization": "Bearer cli-key", "JupiterOne-Account": "acme"})
        start = {"source": "api", "scope": "cli"}

        throttled = session.post(url + JOBS, json=start)
        job_id = session.post(url + JOBS, json=start).json()["job"]["id"]
        session.post(f"{url}{JOBS}/{job_id}/entities", json={"entities": [entity(1)]})
        session.post(f"{url}{JOBS}/{job_id}/finalize")
        graph = session.get(url + "/sandbox/graph", params={"scope": "cli"}).json()
        cli.send_signal(stop_signal)

        assert cli.wait(timeout=10) == 0
    assert url.startswith("http://127.0.0.1:")
    assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "1")
    assert graph["entities"] == [entity(1)]
    with JupiterOneSandbox(database=database) as restarted:
        assert restarted.entities(scope="cli") == [entity(1)]


def test_options_reach_the_sandbox():
    args = build_parser().parse_args(
        ["jupiterone", "--max-request-bytes", "100", "--finalize-delay", "0.5", "--fault", "drop:get", "--seed", "3"]
    )

    with args.build(args) as sandbox:
        address = args.address(sandbox)
        too_large = Client(sandbox).post(JOBS, {"source": "api", "scope": "x" * 100})

    assert address.startswith("http://127.0.0.1:")
    assert (args.max_request_bytes, args.finalize_delay, args.seed) == (100, 0.5, 3)
    assert args.fault == [JupiterOneFault("drop", "get")]
    assert too_large.status_code == 413


def test_help_describes_the_fault_specs(capsys):
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["jupiterone", "--help"])

    assert exited.value.code == 0
    assert "KIND[:ENDPOINT][,key=value...]" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["jupiterone", "--fault", "explode"],
        ["jupiterone", "--fault", "status:graph"],
        ["jupiterone", "--fault", "status,often=yes"],
        ["jupiterone", "--max-request-bytes", "lots"],
    ],
)
def test_bad_command_lines_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(argv)

    assert exited.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_jupiterone_sandbox_fixture(jupiterone_sandbox):
    assert jupiterone_sandbox.url.startswith("http://127.0.0.1:")
    assert (jupiterone_sandbox.account_id, jupiterone_sandbox.api_key) == ("sandbox-account", "sandbox-api-key")
    assert jupiterone_sandbox.jobs() == []


def test_jupiterone_sandbox_factory_fixture(jupiterone_sandbox_factory):
    first = jupiterone_sandbox_factory(account_id="one")
    second = jupiterone_sandbox_factory(account_id="two")
    Client(first).start()

    assert first.url != second.url
    assert (len(first.jobs()), len(second.jobs())) == (1, 0)
