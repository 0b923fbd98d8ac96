"""``python -m alibaba_jupiterone.sandbox`` and the pytest fixtures."""

from __future__ import annotations

import signal
import sys

import pytest
from alibabacloud_ecs20140526.client import Client
from alibabacloud_ecs20140526.models import DescribeInstancesRequest, DescribeRegionsRequest
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config
from cli_process import cli_process
from ecs_wire import sdk_client

from alibaba_jupiterone.sandbox import Credential, Fault
from alibaba_jupiterone.sandbox.__main__ import build_parser
from alibaba_jupiterone.sandbox.alibaba.ecs.regions import default_regions

KEY = Credential("cli-key-id", "cli-key-secret")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serves_until_signalled_after_printing_host_and_port(stop_signal):
    command = [sys.executable, "-m", "alibaba_jupiterone.sandbox", "ecs", "--instances", "30", "--regions", "3"]
    command += ["--access-key-id", KEY.access_key_id, "--access-key-secret", KEY.access_key_secret]
    command += ["--fault", "throttle:*:DescribeRegions,times=1"]
    with cli_process(command) as cli:
        endpoint = cli.stdout.readline().strip()
        client = Client(
            Config(
                access_key_id=KEY.access_key_id,
                access_key_secret=KEY.access_key_secret,
                endpoint=endpoint,
                protocol="http",
            )
        )

        with pytest.raises(ClientException) as raised:
            client.describe_regions(DescribeRegionsRequest())
        regions = client.describe_regions(DescribeRegionsRequest()).body.regions.region
        listed = sum(
            client.describe_instances(DescribeInstancesRequest(region_id=r.region_id, max_results=100)).body.total_count
            for r in regions
        )
        cli.send_signal(stop_signal)

        assert cli.wait(timeout=10) == 0
    assert endpoint.startswith("127.0.0.1:")
    assert raised.value.code == "Throttling.User"
    assert (len(regions), listed) == (3, 30)


def test_help_describes_the_services_and_fault_specs(capsys):
    for argv in ([], ["ecs"]):
        with pytest.raises(SystemExit) as exited:
            build_parser().parse_args([*argv, "--help"])
        assert exited.value.code == 0
    out = capsys.readouterr().out

    assert "ecs" in out
    assert "KIND:REGION[:ACTION][,key=value...]" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["ecs", "--fault", "explode:*"],
        ["ecs", "--fault", "throttle:*,often=yes"],
        ["ecs", "--instances", "5", "--load", "fleet.json"],
        ["ecs", "--port", "many"],
        [],
    ],
)
def test_bad_command_lines_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(argv)

    assert exited.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_regions_do_not_apply_to_loaded_fleets(capsys):
    args = build_parser().parse_args(["ecs", "--load", "fleet.har", "--regions", "4"])

    with pytest.raises(SystemExit):
        args.build(args)
    assert "--regions only applies to the synthetic fleet" in capsys.readouterr().err


def test_a_loaded_fleet_with_forbidden_regions(shared_fixtures):
    recording = shared_fixtures / "graph-alibaba-cloud" / "recordings" / "fetch-ecs-instances_256277370.har"
    args = build_parser().parse_args(["ecs", "--load", str(recording), "--forbid", "us-east-1", "--port", "0"])

    with args.build(args) as sandbox:
        body = sdk_client(sandbox).describe_instances(DescribeInstancesRequest(region_id="us-east-1")).body

    assert (sandbox.instance_count(), len(sandbox.region_ids)) == (4, 29)
    assert body.total_count == 0


def test_ecs_sandbox_fixture(ecs_sandbox):
    populated = [region_id for region_id in ecs_sandbox.region_ids if ecs_sandbox.instances(region_id)]

    assert ecs_sandbox.region_ids == [region["RegionId"] for region in default_regions()]
    assert set(populated) <= set(ecs_sandbox.region_ids[:3])
    assert ecs_sandbox.instance_count() == 25
    assert sdk_client(ecs_sandbox).describe_regions(DescribeRegionsRequest()).status_code == 200


def test_ecs_sandbox_factory_fixture(ecs_sandbox_factory):
    plain = ecs_sandbox_factory(regions=[{"RegionId": "cn-hangzhou"}], forbidden_regions=["cn-hangzhou"])
    synthetic = ecs_sandbox_factory("synthetic", 12, region_count=2)
    plain.inject(Fault("error"))

    assert plain.endpoint != synthetic.endpoint
    assert synthetic.instance_count() == 12
    with pytest.raises(ValueError, match="constructor must be one of"):
        ecs_sandbox_factory("start")
