"""What the read-only commands of R11, R13 and R14 (`content`, `sla`, `quality`) share with
`audit`: the same period and filter options, the warehouse opened read-only with audit's
warnings (facts built with another contract, a short code or brand nothing matches), and one
JSON document on stdout."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable

from opsanalytics import warehouse
from opsanalytics.audits import Filters, facts_warnings
from opsanalytics.audits.scope import unmatched_filters
from opsanalytics.cli.audit import filters_from
from opsanalytics.config import Contract, load_contract

FORMATS = ("table", "json", "csv")


def add_scope_arguments(parser: argparse.ArgumentParser, *, brand: bool = True,
                        to_help: str = "last local calendar day (inclusive)") -> None:
    """--db, --config, --from, --to, --short-code, --brand (unless a brand means nothing to
    the command) and --format."""
    parser.add_argument("--db", required=True, help="warehouse DuckDB file (opened read-only)")
    parser.add_argument("--config", required=True, help="contract TOML")
    parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="first local calendar day (inclusive)")
    parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help=to_help)
    parser.add_argument("--short-code", help="only this short code")
    if brand:
        parser.add_argument("--brand", help="only this brand")
    else:
        parser.set_defaults(brand=None)
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default table)")


def read(args: argparse.Namespace, command: str,
         compute: Callable[[Any, Contract, Filters], Any]) -> Any:
    """compute(con, contract, filters) on the warehouse opened read-only, after the warnings
    `audit` gives, on stderr and named after `command`."""
    filters = filters_from(args)
    contract = load_contract(args.config)
    con = warehouse.connect(args.db, read_only=True)
    try:
        for warning in [*facts_warnings(con, contract), *unmatched_filters(con, contract, filters, args.config)]:
            print(f"opsanalytics {command}: warning: {warning}", file=sys.stderr)
        return compute(con, contract, filters)
    finally:
        con.close()


def write_json(doc: dict[str, Any]) -> None:
    json.dump(doc, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
