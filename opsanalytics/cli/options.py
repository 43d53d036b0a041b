"""The period and filter options every reading command takes (`audit`, `content`, `quality`,
`sla`, `forecast compare`, `report`), parsed one way: a bad date is one line naming the
option, never a traceback."""

from __future__ import annotations

import argparse
import datetime as dt

from opsanalytics.audits.result import Filters
from opsanalytics.errors import UsageError

FORMATS = ("table", "json", "csv")


def parse_date(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option (None when not given)."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option}: expected a date YYYY-MM-DD, got {value!r}") from None


def filters_from(args: argparse.Namespace) -> Filters:
    """--from, --to, --short-code and --brand as audit filters (a period running backwards is
    refused)."""
    date_from = parse_date(args.date_from, "--from")
    date_to = parse_date(args.date_to, "--to")
    if date_from and date_to and date_from > date_to:
        raise UsageError(f"--from {date_from} is after --to {date_to}")
    return Filters(date_from, date_to, args.short_code, getattr(args, "brand", None))


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
