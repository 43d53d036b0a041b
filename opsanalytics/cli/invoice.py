"""`opsanalytics invoice --db DB --config CONTRACT.toml [--month YYYY-MM | --from/--to YYYY-MM]
[--short-code CODE] [--against INVOICE.csv] [--format table|json|csv]`: R12, the bill Orange
should send, and an invoice it sent compared with it.

The database is opened read-only, as `audit` opens it, with the same warnings (facts built
with another contract). Exit 0 whether or not the invoice differs: the verdicts say it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

import pandas as pd

from opsanalytics import billing, warehouse
from opsanalytics.audits import facts_warnings
from opsanalytics.cli.reading import FORMATS, write_json
from opsanalytics.config import load_contract
from opsanalytics.errors import UsageError
from opsanalytics.safe_text import for_spreadsheet, for_terminal, visible


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "invoice",
        help="R12: the bill Orange should send for a month, and an invoice compared with it",
        description="Compute the invoice of the Opérateur Push SMS contract from the warehouse (R12): "
                    "segments delivered x 0.030 EUR per short code, and each short code's monthly fees "
                    "(short code, throughput, OAdC and Géo Présence options), EUR excl. VAT. Segments with "
                    "no final receipt are shown apart (at_most_eur counts them as billed, with receipts that "
                    "link to no MT line and lossy texts at their most segments). With --against, "
                    "an invoice CSV (month,short_code,item,quantity,amount_eur; docs/billing.md) is "
                    "compared line by line. Exit 0 whether or not it differs.",
    )
    parser.add_argument("--db", required=True, help="warehouse DuckDB file (opened read-only)")
    parser.add_argument("--config", required=True, help="contract TOML")
    parser.add_argument("--month", metavar="YYYY-MM", help="one calendar month (same as --from M --to M)")
    parser.add_argument("--from", dest="month_from", metavar="YYYY-MM", help="first month (inclusive)")
    parser.add_argument("--to", dest="month_to", metavar="YYYY-MM", help="last month (inclusive)")
    parser.add_argument("--short-code", help="only this short code")
    parser.add_argument("--against", metavar="INVOICE.csv", help="an invoice to compare, as a CSV of invoice lines")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default table)")
    parser.set_defaults(func=main)


def _month(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.datetime.strptime(value.strip(), "%Y-%m").date()
    except ValueError:
        raise UsageError(f"{option}: expected a month YYYY-MM, got {value!r}") from None


def period(args: argparse.Namespace) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day of the months asked for (None: unbounded)."""
    if args.month and (args.month_from or args.month_to):
        raise UsageError("--month is one month: give it, or --from/--to, not both")
    first = _month(args.month or args.month_from, "--month" if args.month else "--from")
    last = _month(args.month or args.month_to, "--month" if args.month else "--to")
    if first and last and first > last:
        raise UsageError(f"--from {args.month_from} is after --to {args.month_to}")
    if last is not None:
        last = (last + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def main(args: argparse.Namespace) -> int:
    date_from, date_to = period(args)
    contract = load_contract(args.config)
    invoiced = billing.read_invoice(args.against) if args.against else None
    if invoiced is not None:
        invoiced, date_from, date_to = _scope(invoiced, args, date_from, date_to)
    if args.short_code is not None and contract.short_code(args.short_code) is None:
        print(f"opsanalytics invoice: warning: --short-code {args.short_code!r} is not a short code of "
              f"{args.config}: no monthly fee is counted for it", file=sys.stderr)
    con = warehouse.connect(args.db, read_only=True)
    try:
        for warning in facts_warnings(con, contract):
            print(f"opsanalytics invoice: warning: {visible(warning)}", file=sys.stderr)
        bill = billing.invoice(con, contract, date_from, date_to, args.short_code)
    finally:
        con.close()
    compared = billing.reconcile(bill, invoiced, totals=args.short_code is None) if invoiced is not None else None
    if args.format == "json":
        doc = bill.to_json()
        if compared is not None:
            doc["reconciliation"] = _records(compared)
        write_json(doc)
    elif args.format == "csv":
        for_spreadsheet(compared if compared is not None else bill.lines).to_csv(sys.stdout, index=False)
    else:
        _table(bill, compared)
    return 0


def _scope(invoiced: pd.DataFrame, args: argparse.Namespace, date_from, date_to):
    """What of the invoice to compare, and the months to bill: the invoice's months when no
    month is given (the warehouse may hold others, the invoice may bill one it does not
    hold), and with --short-code the lines of that short code only (its month total cannot
    be told from the invoice's)."""
    if date_from is None and date_to is None:
        months = sorted(invoiced["month"])
        date_from = dt.datetime.strptime(months[0], "%Y-%m").date()
        date_to = (dt.datetime.strptime(months[-1], "%Y-%m").date() + dt.timedelta(days=32)).replace(day=1) \
            - dt.timedelta(days=1)
    else:
        inside = [date_from is None or m >= date_from.strftime("%Y-%m") for m in invoiced["month"]]
        inside = [i and (date_to is None or m <= date_to.strftime("%Y-%m")) for i, m in zip(inside, invoiced["month"])]
        if not all(inside):
            print(f"opsanalytics invoice: warning: {len(inside) - sum(inside)} line(s) of {args.against} bill months "
                  "outside the months asked for: not compared", file=sys.stderr)
        invoiced = invoiced[inside]
    if args.short_code is not None:
        totals = int((invoiced["item"] == billing.TOTAL).sum())
        if totals:
            print(f"opsanalytics invoice: warning: --short-code {args.short_code}: the {totals} total line(s) of "
                  f"{args.against} are the whole contract's and are not compared", file=sys.stderr)
        invoiced = invoiced[invoiced["short_code"] == args.short_code]
    return invoiced, date_from, date_to


def _records(frame: pd.DataFrame) -> list[dict]:
    out = frame.astype(object).where(frame.notna(), None)
    return out.to_dict("records")


def _money(frame: pd.DataFrame, unit: str | None = None) -> pd.DataFrame:
    """Amounts to the cent (a unit price to the tenth of a cent: 0.030), blanks for missing
    values, as a reader of a bill expects them."""
    shown = frame.astype(object).where(frame.notna(), "")
    for column in frame.columns:
        if column.endswith("_eur"):
            digits = 3 if column == unit else 2
            shown[column] = [f"{v:,.{digits}f}" if v != "" else "" for v in shown[column]]
    return shown


def _table(bill: billing.Invoice, compared: pd.DataFrame | None) -> None:
    out = sys.stdout
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_colwidth", 60):
        if not len(bill.months):
            out.write("R12 bill: no month to bill (the warehouse holds no traffic; give --month)\n")
            return
        for month in bill.months.itertuples():
            out.write(f"R12 bill {month.month}: {month.total_eur:,.2f} EUR excl. VAT"
                      f" (at most {month.at_most_eur:,.2f} if every segment the log is unsure of was billed)"
                      f"{'' if month.complete else '; not complete'}\n")
        out.write(for_terminal(_money(bill.lines.drop(columns="basis"), unit="unit_eur")).to_string(index=False) + "\n")
        for note in bill.notes:
            out.write(f"  note: {note}\n")
        out.write("  not computed (not in the logs): " + "; ".join(bill.not_computed) + "\n")
        if compared is not None:
            differ = compared[compared["verdict"] != "match"]
            out.write(f"\nAgainst the invoice: {len(compared) - len(differ)} line(s) match, {len(differ)} differ\n")
            if len(differ):
                out.write(for_terminal(_money(differ)).to_string(index=False) + "\n")
