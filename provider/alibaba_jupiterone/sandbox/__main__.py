"""Run a sandbox from the command line: ``python -m alibaba_jupiterone.sandbox SERVICE [options]``.

The first line on stdout is the address to give clients (ECS: ``host:port``; JupiterOne: the base
URL ``http://host:port``); the process serves until SIGINT or SIGTERM. Each service is a subcommand
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

from alibaba_jupiterone.sandbox.ecs import DEFAULT_CREDENTIAL, Credential, EcsSandbox
from alibaba_jupiterone.sandbox.ecs.faults import parse_fault as parse_ecs_fault
from alibaba_jupiterone.sandbox.jupiterone import JupiterOneSandbox
from alibaba_jupiterone.sandbox.jupiterone.faults import parse_fault as parse_jupiterone_fault
from alibaba_jupiterone.sandbox.jupiterone.server import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_KEY,
    DEFAULT_FINALIZE_DELAY,
    DEFAULT_MAX_REQUEST_BYTES,
)

_ECS_EXAMPLES = """\
examples:
  python -m alibaba_jupiterone.sandbox ecs --instances 5000 --regions 20
  python -m alibaba_jupiterone.sandbox ecs --load fetch-ecs-instances.har --forbid cn-beijing
  python -m alibaba_jupiterone.sandbox ecs --fault throttle:cn-hangzhou:DescribeInstances,times=3,retry_after_ms=500

fault specs: KIND:REGION[:ACTION][,key=value...] with KIND one of throttle, error, latency,
timeout, drop; REGION or ACTION '*' (or empty) for all; keys: times, rate, retry_after_ms,
code (a gateway error code, e.g. InternalError), delay (seconds).
"""
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
    signal.signal(signal.SIGTERM, signal.default_int_handler)
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


def _add_ecs(services: argparse._SubParsersAction) -> None:
    ecs = services.add_parser(
        "ecs",
        help="Alibaba Cloud ECS OpenAPI (DescribeRegions, DescribeInstances)",
        description="Serve the ECS OpenAPI to the official SDK (endpoint HOST:PORT, protocol http).",
        epilog=_ECS_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_common_options(ecs, parse_ecs_fault)
    fleet = ecs.add_mutually_exclusive_group()
    fleet.add_argument(
        "--instances", type=int, default=100, metavar="N", help="synthetic instances (default: %(default)s)"
    )
    fleet.add_argument("--load", nargs="+", metavar="FILE", help="serve the fleet in HAR recordings or JSON files")
    ecs.add_argument("--regions", type=int, metavar="N", help="regions of the synthetic fleet (default: 20)")
    ecs.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the synthetic fleet and of fault rates")
    ecs.add_argument(
        "--forbid",
        nargs="+",
        action="extend",
        default=[],
        metavar="REGION",
        help="regions the caller may not read: empty listings, DryRun answers Forbidden.RAM",
    )
    ecs.add_argument("--access-key-id", default=DEFAULT_CREDENTIAL.access_key_id, help="(default: %(default)s)")
    ecs.add_argument("--access-key-secret", default=DEFAULT_CREDENTIAL.access_key_secret, help="(default: %(default)s)")
    ecs.add_argument("--security-token", help="make the key an STS credential that needs this token")
    ecs.set_defaults(build=_build_ecs, address=attrgetter("endpoint"), parser=ecs)


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


def _build_ecs(args: argparse.Namespace) -> EcsSandbox:
    if args.load and args.regions is not None:
        args.parser.error("--regions only applies to the synthetic fleet, not to --load")
    common = {
        "credentials": [Credential(args.access_key_id, args.access_key_secret, args.security_token)],
        "forbidden_regions": args.forbid,
        "host": args.host,
        "port": args.port,
    }
    if args.load:
        return EcsSandbox.from_files(*args.load, seed=args.seed, **common)
    region_count = 20 if args.regions is None else args.regions
    return EcsSandbox.synthetic(args.instances, region_count, args.seed, **common)


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
