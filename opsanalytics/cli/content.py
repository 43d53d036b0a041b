"""`opsanalytics content --db DB --config CONTRACT.toml [--from D] [--to D] [--short-code C]
[--brand B] [--format table|json|csv]`: R11, the texts to review.

Read-only, with `audit`'s warnings. Exit 0: a flag asks for a person's judgement.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from opsanalytics import content
from opsanalytics.cli.reading import add_scope_arguments, read, write_json
from opsanalytics.safe_text import for_spreadsheet, for_terminal
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
    add_scope_arguments(parser)
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    result = read(args, "content", content.content)
    if result.texts_not_logged:
        print(f"opsanalytics content: warning: {result.not_logged_note()}", file=sys.stderr)
    if args.format == "json":
        write_json(result.to_json())
    elif args.format == "csv":
        texts = result.texts.assign(reasons=[" ".join(r) for r in result.texts["reasons"]])
        for_spreadsheet(texts).to_csv(sys.stdout, index=False)
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
            out.write(for_terminal(shown.astype(object).where(shown.notna(), "")).to_string(index=False) + "\n")
        if len(texts) > TABLE_ROWS:
            out.write(f"  ... {len(texts) - TABLE_ROWS} more (use --format json or csv)\n")
