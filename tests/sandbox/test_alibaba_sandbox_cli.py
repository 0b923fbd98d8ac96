"""``python -m alibaba_jupiterone.sandbox alibaba`` and the ``alibaba_sandbox`` fixtures."""

from __future__ import annotations

import signal
import sys

import pytest
from alibaba_wire import ram_client, sts_client, vpc_client
from alibabacloud_ram20150501.models import ListGroupsRequest, ListUsersRequest
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException
from alibabacloud_vpc20160428.models import DescribeRegionsRequest, DescribeVpcsRequest
from cli_process import cli_process

from alibaba_jupiterone.sandbox import AlibabaCloudSandbox, Credential
from alibaba_jupiterone.sandbox.__main__ import build_parser
from alibaba_jupiterone.sandbox.pytest_plugin import PROXY_VARIABLES

KEY = Credential("cli-key-id", "cli-key-secret")


class _Endpoint:
    """What the clients need of a sandbox: its endpoint."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint


def test_serves_the_whole_world_until_signalled(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    command = [sys.executable, "-m", "alibaba_jupiterone.sandbox", "alibaba", "--instances", "20", "--regions", "2"]
    command += ["--users", "7", "--groups", "2", "--roles", "3", "--policies", "4", "--deny", "ram:ListGroups"]
    command += ["--access-key-id", KEY.access_key_id, "--access-key-secret", KEY.access_key_secret]
    command += ["--fault", "error:*:DescribeRegions,product=vpc,times=1"]
    with cli_process(command) as cli:
        sandbox = _Endpoint(cli.stdout.readline().strip())
        vpc, ram = vpc_client(sandbox, KEY), ram_client(sandbox, KEY)

        with pytest.raises(ServerException):
            vpc.describe_regions(DescribeRegionsRequest())
        regions = vpc.describe_regions(DescribeRegionsRequest()).body.regions.region
        vpcs = [vpc.describe_vpcs(DescribeVpcsRequest(region_id=r.region_id)).body.total_count for r in regions]
        users = ram.list_users(ListUsersRequest()).body.users.user
        with pytest.raises(ClientException) as denied:
            ram.list_groups(ListGroupsRequest())
        identity = sts_client(sandbox, KEY).get_caller_identity().body
        cli.send_signal(signal.SIGTERM)

        assert cli.wait(timeout=10) == 0
    assert sandbox.endpoint.startswith("127.0.0.1:")
    assert len(regions) == 2
    assert all(count >= 1 for count in vpcs)
    assert len(users) == 7
    assert denied.value.code == "NoPermission"
    assert identity.identity_type == "Account"


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["alibaba", "--deny", "ram:DeleteUser"], "serves no action"),
        (["alibaba", "--deny", "ram:ListUsers@cn-hangzhou"], "ram is global"),
        (["alibaba", "--fault", "error:*,product=oss"], "unknown product"),
        (["alibaba", "--load", "a.har", "--instances", "3"], "not allowed with argument"),
    ],
)
def test_bad_command_lines_are_refused(argv, error, capsys):
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(argv)

    assert exited.value.code == 2
    assert error in capsys.readouterr().err


@pytest.mark.parametrize(
    ("options", "named"),
    [(["--users", "3"], "--users"), (["--vpcs-per-region", "2", "--policies", "1"], "--policies, --vpcs-per-region")],
)
def test_directory_sizes_do_not_apply_to_loaded_worlds(options, named, capsys):
    args = build_parser().parse_args(["alibaba", "--load", "world.har", *options])

    with pytest.raises(SystemExit):
        args.build(args)
    assert f"{named} only apply to the synthetic world" in capsys.readouterr().err


def test_a_loaded_world_with_denials(shared_fixtures):
    recordings = shared_fixtures / "graph-alibaba-cloud" / "recordings"
    (users,) = recordings.glob("fetch-ram-users_*.har")
    (vpcs,) = recordings.glob("fetch-vpcs_*.har")
    args = build_parser().parse_args(["alibaba", "--load", str(users), str(vpcs), "--deny", "vpc:DescribeVpcs"])

    with args.build(args) as sandbox:
        listed = ram_client(sandbox).list_users(ListUsersRequest()).body.users.user
        with pytest.raises(ClientException) as denied:
            vpc_client(sandbox).describe_vpcs(DescribeVpcsRequest(region_id="cn-qingdao"))

    assert [user.user_name for user in listed] == [user["UserName"] for user in sandbox.ram.users]
    assert len(listed) == 4
    assert denied.value.code == "Forbidden.RAM"
    assert sandbox.denied == ["vpc:DescribeVpcs"]


def test_the_ecs_command_still_serves_ecs_with_product_faults():
    args = build_parser().parse_args(["ecs", "--instances", "4", "--regions", "1", "--fault", "drop:*,product=ram"])

    assert args.build(args).instance_count() == 4
    assert args.fault[0].product == "ram"


def test_help_names_the_alibaba_command(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    with pytest.raises(SystemExit):
        build_parser().parse_args(["alibaba", "--help"])
    out = capsys.readouterr().out

    assert "alibaba" in out
    assert "PRODUCT:ACTION[@REGION]" in out
    assert "product (ecs, vpc, ram, sts)" in out


def test_alibaba_sandbox_fixture_serves_every_product(alibaba_sandbox):
    assert alibaba_sandbox.instance_count() == 25
    assert len(alibaba_sandbox.region_ids) == len(alibaba_sandbox.vpc_region_ids) == 3
    ram = alibaba_sandbox.ram
    assert (len(ram.users), len(ram.groups), len(ram.roles)) == (12, 4, 6)
    assert len({(a.policy_type, a.policy_name) for a in ram.attachments}) == 10
    assert sts_client(alibaba_sandbox).get_caller_identity().body.account_id == alibaba_sandbox.account["AccountId"]


def test_alibaba_sandbox_factory_fixture(alibaba_sandbox_factory, ecs_sandbox_factory):
    plain = alibaba_sandbox_factory(denied=["sts:GetCallerIdentity"])
    synthetic = alibaba_sandbox_factory("synthetic", 2, region_count=1, users=1)
    former = ecs_sandbox_factory("synthetic", 3, region_count=1)

    assert isinstance(former, AlibabaCloudSandbox)
    assert len({plain.endpoint, synthetic.endpoint, former.endpoint}) == 3
    assert len(synthetic.ram.users) == 1
    assert plain.denied == ["sts:GetCallerIdentity"]
    with pytest.raises(ValueError, match="constructor must be one of"):
        alibaba_sandbox_factory("start")
