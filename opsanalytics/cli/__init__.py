"""The `opsanalytics` command: argument parsing only; each subcommand lives in its own
module here and calls the library. Errors the user can cause (OpsError) are printed once,
without a traceback, and exit non-zero."""

from __future__ import annotations

import argparse
import importlib
import sys

from opsanalytics import __version__
from opsanalytics.errors import OpsError

#: subcommand modules, in the order `--help` lists them; each defines register(subparsers)
COMMANDS = ("simulate", "ingest", "status", "audit", "forecast", "report", "demo")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="opsanalytics",
        description="Audit and plan SMS traffic routed to Orange France (Opérateur Push SMS, rules R1-R14).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"opsanalytics.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"opsanalytics.cli.{name}":
                continue  # command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except OpsError as exc:
        print(f"opsanalytics {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"opsanalytics {args.command}: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
