"""Run a sandbox from the command line: ``python -m alibaba_jupiterone.sandbox SERVICE [options]``.

The first line on stdout is the ``host:port`` served; the process serves until SIGINT or SIGTERM.
Each service is a subcommand whose parser sets ``build``: a function from the parsed arguments
to a sandbox with ``start``, ``stop`` and ``endpoint``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Sequence
from contextlib import suppress

from alibaba_jupiterone.sandbox.ecs import DEFAULT_CREDENTIAL, Credential, EcsSandbox
from alibaba_jupiterone.sandbox.ecs.faults import Fault, parse_fault

_ECS_EXAMPLES = """\
examples:
  python -m alibaba_jupiterone.sandbox ecs --instances 5000 --regions 20
  python -m alibaba_jupiterone.sandbox ecs --load fetch-ecs-instances.har --forbid cn-beijing
  python -m alibaba_jupiterone.sandbox ecs --fault throttle:cn-hangzhou:DescribeInstances,times=3,retry_after_ms=500

fault specs: KIND:REGION[:ACTION][,key=value...] with KIND one of throttle, error, latency,
timeout, drop; REGION or ACTION '*' (or empty) for all; keys: times, rate, retry_after_ms,
code (a gateway error code, e.g. InternalError), delay (seconds).
"""


def main(argv: Sequence[str] | None = None) -> None:
    """Parse ``argv``, start the chosen sandbox, print its ``host:port``, serve until interrupted."""
    args = build_parser().parse_args(argv)
    sandbox = args.build(args)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with sandbox, suppress(KeyboardInterrupt):
        print(sandbox.endpoint, flush=True)
        print(f"{args.service} sandbox serving on {sandbox.endpoint}; Ctrl-C to stop", file=sys.stderr)
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
    return parser


def _add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default)")


def _add_ecs(services: argparse._SubParsersAction) -> None:
    ecs = services.add_parser(
        "ecs",
        help="Alibaba Cloud ECS OpenAPI (DescribeRegions, DescribeInstances)",
        description="Serve the ECS OpenAPI to the official SDK (endpoint HOST:PORT, protocol http).",
        epilog=_ECS_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_server_options(ecs)
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
    ecs.add_argument(
        "--fault",
        type=_fault,
        action="append",
        default=[],
        metavar="SPEC",
        help="inject a fault (repeatable; see below)",
    )
    ecs.set_defaults(build=_build_ecs, parser=ecs)


def _fault(spec: str) -> Fault:
    try:
        return parse_fault(spec)
    except (TypeError, ValueError) as error:
        raise argparse.ArgumentTypeError(f"{spec!r}: {error}") from None


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
        sandbox = EcsSandbox.from_files(*args.load, seed=args.seed, **common)
    else:
        region_count = 20 if args.regions is None else args.regions
        sandbox = EcsSandbox.synthetic(args.instances, region_count, args.seed, **common)
    for fault in args.fault:
        sandbox.inject(fault)
    return sandbox


if __name__ == "__main__":
    main()
