"""Run a sandbox from the command line: ``python -m alibaba_jupiterone.sandbox SERVICE [options]``.

The first line on stdout is the address to give clients (Alibaba Cloud: ``host:port``; JupiterOne:
the base URL ``http://host:port``); the process serves until SIGINT or SIGTERM. Each service is a subcommand
whose parser sets ``build``, a function from the parsed arguments to a sandbox (with ``start``,
``stop`` and ``inject``), and ``address``, a function from the running sandbox to what to print.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from operator import attrgetter
from typing import Any

from alibaba_jupiterone.sandbox.alibaba import DEFAULT_CREDENTIAL, AlibabaCloudSandbox, Credential
from alibaba_jupiterone.sandbox.alibaba.faults import parse_fault as parse_alibaba_fault
from alibaba_jupiterone.sandbox.alibaba.permissions import Denial
from alibaba_jupiterone.sandbox.jupiterone import JupiterOneSandbox
from alibaba_jupiterone.sandbox.jupiterone.faults import parse_fault as parse_jupiterone_fault
from alibaba_jupiterone.sandbox.jupiterone.server import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_KEY,
    DEFAULT_FINALIZE_DELAY,
    DEFAULT_MAX_REQUEST_BYTES,
)

_FAULT_HELP = """\
fault specs: KIND:REGION[:ACTION][,key=value...] with KIND one of throttle, error, latency,
timeout, drop; REGION or ACTION '*' (or empty) for all; keys: times, rate, retry_after_ms,
code (a gateway error code, e.g. InternalError), delay (seconds), product (ecs, vpc, ram, sts).
"""
_ECS_EXAMPLES = f"""\
examples:
  python -m alibaba_jupiterone.sandbox ecs --instances 5000 --regions 20
  python -m alibaba_jupiterone.sandbox ecs --load fetch-ecs-instances.har --forbid cn-beijing
  python -m alibaba_jupiterone.sandbox ecs --fault throttle:cn-hangzhou:DescribeInstances,times=3,retry_after_ms=500

{_FAULT_HELP}"""
_ALIBABA_EXAMPLES = f"""\
examples:
  python -m alibaba_jupiterone.sandbox alibaba --instances 200 --users 30 --groups 5 --roles 10 --policies 20
  python -m alibaba_jupiterone.sandbox alibaba --load fetch-vpcs.har fetch-ram-users-policies.har
  python -m alibaba_jupiterone.sandbox alibaba --deny ram:ListUsers vpc:DescribeVpcs@cn-beijing
  python -m alibaba_jupiterone.sandbox alibaba --fault error:*:DescribeRegions,product=vpc,times=2

deny specs: PRODUCT:ACTION[@REGION], answered with the product's no-permission error.
{_FAULT_HELP}"""
_JUPITERONE_EXAMPLES = """\
examples:
  python -m alibaba_jupiterone.sandbox jupiterone --port 8765 --database graph.sqlite
  python -m alibaba_jupiterone.sandbox jupiterone --fault status:upload,status=429,retry_after=1,times=2

fault specs: KIND[:ENDPOINT][,key=value...] with KIND one of status, slow, drop, fail_finalize;
ENDPOINT one of start, entities, relationships, upload, get, finalize, abort ('*' or empty
for all); keys: times, rate, status (an HTTP error status, default 503), retry_after (whole
seconds), delay (seconds).
"""


def main(argv: Sequence[str] | None = None) -> None:
    """Parse ``argv``, start the chosen sandbox, print its address, serve until interrupted."""
    args = build_parser().parse_args(argv)
    sandbox = args.build(args)
    for fault in args.fault:
        sandbox.inject(fault)
    # Both stop it, even when started with SIGINT ignored (as a shell does for background jobs).
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, signal.default_int_handler)
    with sandbox, suppress(KeyboardInterrupt):
        address = args.address(sandbox)
        print(address, flush=True)
        print(f"{args.service} sandbox serving on {address}; Ctrl-C to stop", file=sys.stderr)
        while True:
            time.sleep(3600)


def build_parser() -> argparse.ArgumentParser:
    """The command line parser, one subcommand per service."""
    parser = argparse.ArgumentParser(
        prog="python -m alibaba_jupiterone.sandbox",
        description="Local stand-ins for the services the provider talks to, for tests and demos.",
        epilog="Run 'python -m alibaba_jupiterone.sandbox SERVICE --help' for a service's options.",
    )
    services = parser.add_subparsers(dest="service", required=True, metavar="SERVICE")
    _add_alibaba(services)
    _add_ecs(services)
    _add_jupiterone(services)
    return parser


def _add_common_options(parser: argparse.ArgumentParser, parse_fault: Callable[[str], Any]) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default)")
    parser.add_argument(
        "--fault",
        type=_fault_type(parse_fault),
        action="append",
        default=[],
        metavar="SPEC",
        help="inject a fault (repeatable; see below)",
    )


def _fault_type(parse_fault: Callable[[str], Any]) -> Callable[[str], Any]:
    def fault(spec: str) -> Any:
        try:
            return parse_fault(spec)
        except (TypeError, ValueError) as error:
            raise argparse.ArgumentTypeError(f"{spec!r}: {error}") from None

    return fault


def _add_alibaba(services: argparse._SubParsersAction) -> None:
    alibaba = services.add_parser(
        "alibaba",
        help="Alibaba Cloud OpenAPI of ECS, VPC, RAM and STS on one port",
        description=(
            "Serve the ECS, VPC, RAM and STS OpenAPIs to the official SDKs (endpoint HOST:PORT, protocol http): "
            "a synthetic world, or the one recordings hold."
        ),
        epilog=_ALIBABA_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_cloud_options(alibaba, "world")
    for name, what in (("users", "RAM users"), ("groups", "RAM groups"), ("roles", "RAM roles")):
        alibaba.add_argument(f"--{name}", type=int, metavar="N", help=f"{what} of the synthetic world")
    alibaba.add_argument("--policies", type=int, metavar="N", help="attached RAM policies of the synthetic world")
    alibaba.add_argument("--vpcs-per-region", type=int, metavar="N", help="VPCs per region (default: 1 to 3)")
    alibaba.add_argument(
        "--deny",
        nargs="+",
        action="extend",
        type=_deny_type,
        default=[],
        metavar="SPEC",
        help="actions the caller may not call (PRODUCT:ACTION[@REGION], e.g. ram:ListUsers)",
    )
    alibaba.set_defaults(build=_build_alibaba, address=attrgetter("endpoint"), parser=alibaba)


def _add_ecs(services: argparse._SubParsersAction) -> None:
    ecs = services.add_parser(
        "ecs",
        help="Alibaba Cloud ECS OpenAPI (DescribeRegions, DescribeInstances); 'alibaba' serves more",
        description="Serve the ECS OpenAPI to the official SDK (endpoint HOST:PORT, protocol http).",
        epilog=_ECS_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_cloud_options(ecs, "fleet")
    ecs.set_defaults(build=_build_ecs, address=attrgetter("endpoint"), parser=ecs)


def _add_cloud_options(parser: argparse.ArgumentParser, world: str) -> None:
    """The options ``ecs`` and ``alibaba`` share; ``world`` is what they call what they serve."""
    _add_common_options(parser, parse_alibaba_fault)
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--instances", type=int, default=100, metavar="N", help="synthetic ECS instances (default: %(default)s)"
    )
    source.add_argument("--load", nargs="+", metavar="FILE", help=f"serve the {world} in HAR recordings or JSON files")
    parser.add_argument("--regions", type=int, metavar="N", help=f"regions of the synthetic {world} (default: 20)")
    parser.add_argument(
        "--seed", type=int, default=0, metavar="S", help=f"seed of the synthetic {world} and of fault rates"
    )
    parser.add_argument(
        "--forbid",
        nargs="+",
        action="extend",
        default=[],
        metavar="REGION",
        help="regions where the caller may not read ECS: empty listings, DryRun answers Forbidden.RAM",
    )
    parser.add_argument("--access-key-id", default=DEFAULT_CREDENTIAL.access_key_id, help="(default: %(default)s)")
    parser.add_argument(
        "--access-key-secret", default=DEFAULT_CREDENTIAL.access_key_secret, help="(default: %(default)s)"
    )
    parser.add_argument("--security-token", help="make the key an STS credential that needs this token")


def _deny_type(spec: str) -> str:
    try:
        return str(Denial.parse(spec))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add_jupiterone(services: argparse._SubParsersAction) -> None:
    jupiterone = services.add_parser(
        "jupiterone",
        help="JupiterOne synchronization API (jobs, uploads, finalize with DIFF)",
        description="Serve JupiterOne's synchronization API at the base URL printed first (http://HOST:PORT).",
        epilog=_JUPITERONE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_common_options(jupiterone, parse_jupiterone_fault)
    jupiterone.add_argument("--account-id", default=DEFAULT_ACCOUNT_ID, help="(default: %(default)s)")
    jupiterone.add_argument("--api-key", default=DEFAULT_API_KEY, help="(default: %(default)s)")
    jupiterone.add_argument(
        "--database", metavar="FILE", help="SQLite file keeping the graphs and jobs across runs (default: in memory)"
    )
    jupiterone.add_argument(
        "--max-request-bytes",
        type=int,
        default=DEFAULT_MAX_REQUEST_BYTES,
        metavar="N",
        help="larger bodies answer 413 (default: %(default)s)",
    )
    jupiterone.add_argument(
        "--finalize-delay",
        type=float,
        default=DEFAULT_FINALIZE_DELAY,
        metavar="SECONDS",
        help="how long a finalized job stays FINALIZE_PENDING (default: %(default)s)",
    )
    jupiterone.add_argument("--seed", type=int, default=0, metavar="S", help="seed of fault rates")
    jupiterone.set_defaults(build=_build_jupiterone, address=attrgetter("url"))


def _build_alibaba(args: argparse.Namespace) -> AlibabaCloudSandbox:
    counts = {
        "users": args.users,
        "groups": args.groups,
        "roles": args.roles,
        "policies": args.policies,
        "vpcs_per_region": args.vpcs_per_region,
    }
    if args.load:
        given = [f"--{name.replace('_', '-')}" for name, count in counts.items() if count is not None]
        if given:
            args.parser.error(f"{', '.join(given)} only apply to the synthetic world, not to --load")
    return _build_cloud(args, "world", denied=args.deny, **counts)


def _build_ecs(args: argparse.Namespace) -> AlibabaCloudSandbox:
    return _build_cloud(args, "fleet")


def _build_cloud(
    args: argparse.Namespace, world: str, denied: Sequence[str] = (), **counts: int | None
) -> AlibabaCloudSandbox:
    if args.load and args.regions is not None:
        args.parser.error(f"--regions only applies to the synthetic {world}, not to --load")
    common = {
        "credentials": [Credential(args.access_key_id, args.access_key_secret, args.security_token)],
        "forbidden_regions": args.forbid,
        "denied": denied,
        "host": args.host,
        "port": args.port,
    }
    if args.load:
        return AlibabaCloudSandbox.from_files(*args.load, seed=args.seed, **common)
    region_count = 20 if args.regions is None else args.regions
    return AlibabaCloudSandbox.synthetic(args.instances, region_count, args.seed, **counts, **common)


def _build_jupiterone(args: argparse.Namespace) -> JupiterOneSandbox:
    return JupiterOneSandbox(
        account_id=args.account_id,
        api_key=args.api_key,
        database=args.database,
        max_request_bytes=args.max_request_bytes,
        finalize_delay=args.finalize_delay,
        host=args.host,
        port=args.port,
        seed=args.seed,
    )


if __name__ == "__main__":
    main()
