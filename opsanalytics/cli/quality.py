"""`opsanalytics quality --db DB --config CONTRACT.toml [--from D] [--to D] [--short-code C]
[--brand B] [--format table|json|csv]`: R14, how the accepted MT traffic was delivered.

Read-only, with `audit`'s warnings (facts built with another contract, an unknown short code
or brand). Exit 0: the contract promises no figure, so nothing here is a breach.
"""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from opsanalytics import quality, warehouse
from opsanalytics.audits import facts_warnings
from opsanalytics.audits.scope import unmatched_filters
from opsanalytics.cli.audit import filters_from
from opsanalytics.config import load_contract

FORMATS = ("table", "json", "csv")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "quality",
        help="R14: delivery rate, latency and errors per short code, brand and campaign",
        description="Report how the accepted MT lines were delivered (R14): final statuses, delivery rate "
                    "(among lines whose final status is known), receipt coverage, latency from submit to "
                    "the delivered receipt (p50, p90, p99, max), per short code, brand and campaign (Kannel's "
                    "BINF), the network errors of what was not delivered (GSM MAP codes named), and per day. "
                    "--format csv prints the groups. Exit 0.",
    )
    parser.add_argument("--db", required=True, help="warehouse DuckDB file (opened read-only)")
    parser.add_argument("--config", required=True, help="contract TOML")
    parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="first local calendar day (inclusive)")
    parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last local calendar day (inclusive)")
    parser.add_argument("--short-code", help="only this short code")
    parser.add_argument("--brand", help="only this brand")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default table)")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    filters = filters_from(args)
    contract = load_contract(args.config)
    con = warehouse.connect(args.db, read_only=True)
    try:
        for warning in [*facts_warnings(con, contract), *unmatched_filters(con, contract, filters, args.config)]:
            print(f"opsanalytics quality: warning: {warning}", file=sys.stderr)
        result = quality.quality(con, contract, filters)
    finally:
        con.close()
    if args.format == "json":
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.format == "csv":
        result.groups.to_csv(sys.stdout, index=False)
    else:
        _table(result)
    return 0


def _table(result: quality.Quality) -> None:
    out = sys.stdout
    total = result.total
    if not total.get("accepted"):
        out.write("R14 quality: no accepted MT line in the period\n")
        return
    rate = total["delivery_rate"]
    out.write(f"R14 quality: {total['accepted']:,} accepted MT lines, {total['delivered']:,} delivered"
              f" ({'n/a' if rate is None else f'{rate:.2%}'} of those with a final status; "
              f"{total['receipt_coverage']:.2%} have one), latency p50 {total['latency_p50_s']} s, "
              f"p99 {total['latency_p99_s']} s\n")
    with pd.option_context("display.width", 220, "display.max_columns", 30, "display.max_colwidth", 40):
        for level in ("short_code", "brand", "campaign"):
            rows = result.level(level)
            if level == "campaign":
                rows = rows.fillna({"campaign": "(no BINF)"})
            shown = rows.astype(object).where(rows.notna(), "")
            out.write(f"\nper {level.replace('_', ' ')}\n{shown.to_string(index=False)}\n")
        if len(result.errors):
            shown = result.errors.astype(object).where(result.errors.notna(), "")
            out.write(f"\nerrors of lines not delivered\n{shown.to_string(index=False)}\n")
