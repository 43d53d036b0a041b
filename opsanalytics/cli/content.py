"""`opsanalytics content --db DB --config CONTRACT.toml [--from D] [--to D] [--short-code C]
[--brand B] [--format table|json|csv]`: R11, the texts to review.

Read-only, with `audit`'s warnings. Exit 0: a flag asks for a person's judgement.
"""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from opsanalytics import content, warehouse
from opsanalytics.audits import facts_warnings
from opsanalytics.audits.scope import unmatched_filters
from opsanalytics.cli.audit import filters_from
from opsanalytics.config import load_contract

FORMATS = ("table", "json", "csv")
TABLE_ROWS = 50


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "content",
        help="R11: texts to review (adult words, priced 'free' claims, brand not named, interpersonal tone, "
             "cost of a reply not disclosed)",
        description="Flag the texts of accepted messages for review (R11): an adult word; the service "
                    "claimed free in a text that names a price; a marketing text that names neither its "
                    "brand nor comes from a sender that does; an interpersonal word in marketing; a call to "
                    "reply with a keyword other than STOP/START that says nothing of the cost. Each text once, "
                    "with its reasons, the words that raised them and how many messages carried it; the word "
                    "lists are the contract's [content] settings (docs/content.md). Exit 0.",
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
            print(f"opsanalytics content: warning: {warning}", file=sys.stderr)
        result = content.content(con, contract, filters)
    finally:
        con.close()
    if args.format == "json":
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.format == "csv":
        result.texts.assign(reasons=[" ".join(r) for r in result.texts["reasons"]]).to_csv(sys.stdout, index=False)
    else:
        _table(result)
    return 0


def _table(result: content.Content) -> None:
    out = sys.stdout
    texts = result.texts
    out.write(f"R11 content: {len(texts)} text(s) to review, {int(texts['messages'].sum()) if len(texts) else 0} "
              "message(s)\n")
    for reason, counts in result.by_reason.items():
        if counts["texts"]:
            out.write(f"  {reason}: {counts['texts']} text(s), {counts['messages']} message(s)\n")
    if len(texts):
        shown = texts.head(TABLE_ROWS).assign(reasons=[", ".join(r) for r in texts["reasons"].head(TABLE_ROWS)])
        shown = shown[["short_code", "brand", "reasons", "hits", "messages", "text"]]
        with pd.option_context("display.width", 220, "display.max_columns", 10, "display.max_colwidth", 70):
            out.write(shown.astype(object).where(shown.notna(), "").to_string(index=False) + "\n")
        if len(texts) > TABLE_ROWS:
            out.write(f"  ... {len(texts) - TABLE_ROWS} more (use --format json or csv)\n")
