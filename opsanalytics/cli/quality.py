"""`opsanalytics quality --db DB --config CONTRACT.toml [--from D] [--to D] [--short-code C]
[--brand B] [--format table|json|csv]`: R14, how the accepted MT traffic was delivered.

Read-only, with `audit`'s warnings (facts built with another contract, an unknown short code
or brand). Exit 0: the contract promises no figure, so nothing here is a breach.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from opsanalytics import quality
from opsanalytics.cli.reading import add_scope_arguments, read, write_json
from opsanalytics.safe_text import for_spreadsheet, for_terminal


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
    add_scope_arguments(parser)
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    result = read(args, "quality", quality.quality)
    if args.format == "json":
        write_json(result.to_json())
    elif args.format == "csv":
        for_spreadsheet(result.groups).to_csv(sys.stdout, index=False)
    else:
        _table(result)
    return 0


def _seconds(value: float | None) -> str:
    """A latency, or n/a when no line was delivered."""
    return "n/a" if value is None else f"{value} s"


def _table(result: quality.Quality) -> None:
    out = sys.stdout
    total = result.total
    if not total.get("accepted"):
        out.write("R14 quality: no accepted MT line in the period\n")
        return
    rate = total["delivery_rate"]
    # (the rate's denominator is not final_known: lines whose dlr-mask asks one outcome only
    # are left out of it, docs/quality.md)
    out.write(f"R14 quality: {total['accepted']:,} accepted MT lines, {total['delivered']:,} delivered; "
              f"delivery rate {'n/a' if rate is None else f'{rate:.2%}'} of the {total['rate_lines']:,} "
              f"lines whose final status is known and whose dlr-mask asks both outcomes; "
              f"{total['receipt_coverage']:.2%} have a final status; latency p50 {_seconds(total['latency_p50_s'])}, "
              f"p99 {_seconds(total['latency_p99_s'])}\n")
    with pd.option_context("display.width", 220, "display.max_columns", 30, "display.max_colwidth", 40):
        for level in ("short_code", "brand", "campaign"):
            rows = result.shown(level)
            shown = rows.astype(object).where(rows.notna(), "")
            out.write(f"\nper {level.replace('_', ' ')}\n{for_terminal(shown).to_string(index=False)}\n")
        if len(result.errors):
            shown = result.errors.astype(object).where(result.errors.notna(), "")
            out.write(f"\nerrors of lines not delivered\n{for_terminal(shown).to_string(index=False)}\n")
