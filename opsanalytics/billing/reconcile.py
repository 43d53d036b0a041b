"""R12: an invoice Orange sent, line by line against the one the logs give.

Orange's invoice comes as a PDF or a portal export, each with its own wording; the analyst
types or maps it into a small CSV of the items opsanalytics computes (docs/billing.md):

    month,short_code,item,quantity,amount_eur
    2026-11,36180,mt_delivered,118204,3546.12
    2026-11,36180,short_code_monthly,1,150
    2026-11,,total,,5296.12

`short_code` is empty on a `total` line (the month's total). As Excel saves it in France too:
semicolons, decimal commas, Windows-1252. Every error names the file, the line and the column,
and says what was expected.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd

from opsanalytics.billing.invoice import ITEMS, MT_CENTS, Invoice, cents
from opsanalytics.errors import UsageError

TOTAL = "total"
#: a comma, or the semicolon (or tab) that Excel writes where the decimal mark is a comma
SEPARATORS = (",", ";", "\t")
REQUIRED = ("month", "item", "amount_eur")
OPTIONAL = ("short_code", "quantity")
#: an invoiced amount within this of the expected one (EUR) is the same: rounding per line
TOLERANCE_CENTS = 1
COLUMNS = ["month", "short_code", "item", "expected_quantity", "invoiced_quantity", "expected_eur",
           "invoiced_eur", "difference_eur", "verdict", "line"]


class InvoiceFileError(UsageError):
    """An invoice CSV that cannot be read as docs/billing.md describes it."""


def read_invoice(path: str | Path) -> pd.DataFrame:
    """The invoice's lines: month (YYYY-MM), short_code ('' on a total), item, quantity (int
    or None), amount_cents (int), line (its line in the file). Read with the csv module, not
    pandas: an error must name the line a spreadsheet shows, blank lines and quoted line
    breaks counted."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvoiceFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise InvoiceFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV (séparateur: point-virgule)" on a French Windows writes Windows-1252
        text = data.decode("cp1252", errors="replace")
    expected = ",".join((*REQUIRED[:1], *OPTIONAL[:1], *REQUIRED[1:2], *OPTIONAL[1:], *REQUIRED[2:]))
    if not text.strip():
        raise InvoiceFileError(f"{path}: the file is empty; expected a header line {expected} and invoice lines")
    records = _records(text)
    header_line, header = records[0]
    columns = [c.strip().lower() for c in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise InvoiceFileError(f"{path}, line {header_line}: missing column(s) {', '.join(missing)} in the header "
                               f"{','.join(header)!r}; expected {expected} (separated by commas or semicolons; "
                               "quantity and short_code may be left out)")
    unknown = [c for c in columns if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise InvoiceFileError(f"{path}, line {header_line}: unknown column(s) {', '.join(unknown)}; expected "
                               f"{', '.join(REQUIRED + OPTIONAL)}")
    rows = []
    for line, fields in records[1:]:
        where = f"{path}, line {line}"
        if len(fields) != len(columns):
            raise InvoiceFileError(f"{where}: {len(fields)} fields where the header has {len(columns)} "
                                   f"({', '.join(columns)})")
        row = {c: v.strip() for c, v in zip(columns, fields)}
        item, code = row["item"], row.get("short_code", "")
        if item not in (*ITEMS, TOTAL):
            raise InvoiceFileError(f"{where}, column item: {item!r} is not an item; expected one of "
                                   f"{', '.join((*ITEMS, TOTAL))}")
        if item == TOTAL and code:
            raise InvoiceFileError(f"{where}, column short_code: a total line is the month's, with no short code "
                                   f"(got {code!r})")
        if item != TOTAL and not re.fullmatch(r"[0-9]{5}", code):
            raise InvoiceFileError(f"{where}, column short_code: expected a 5-digit short code such as 36180, "
                                   f"got {code!r}")
        rows.append((_month(row["month"], where), code, item, _quantity(row.get("quantity", ""), where),
                     _amount(row["amount_eur"], where), line))
    if not rows:
        raise InvoiceFileError(f"{path}: no invoice line after the header; expected lines such as "
                               "2026-11,36180,mt_delivered,9861,295.83")
    frame = pd.DataFrame(rows, columns=["month", "short_code", "item", "quantity", "amount_cents", "line"])
    frame["quantity"] = frame["quantity"].astype("Int64")
    repeated = frame[frame.duplicated(["month", "short_code", "item"], keep=False)]
    if len(repeated):
        first = repeated.iloc[0]
        lines = ", ".join(str(n) for n in repeated["line"])
        raise InvoiceFileError(f"{path}: lines {lines} bill the same item ({first['month']}, "
                               f"{first['short_code'] or 'no short code'}, {first['item']}): add them up into one line")
    return frame


def _records(text: str) -> list[tuple[int, list[str]]]:
    """(line where the record starts, fields) of every record that is not empty (a blank
    line, or only separators as Excel leaves after a table), the separator guessed from the
    first one: a comma, or the semicolon (or tab) Excel writes where a comma is the decimal mark."""
    first = next(line for line in text.splitlines() if line.strip())
    separator = max(SEPARATORS, key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, skipinitialspace=True)
    records, start = [], 1
    for fields in reader:
        if any(f.strip() for f in fields):
            records.append((start, fields))
        start = reader.line_num + 1
    return records


def _month(value: str, where: str) -> str:
    value = value.strip()
    try:
        return dt.datetime.strptime(value, "%Y-%m").strftime("%Y-%m")
    except ValueError:
        raise InvoiceFileError(f"{where}, column month: expected a month YYYY-MM, got {value!r}") from None


def _quantity(value: str, where: str) -> int | None:
    value = value.strip().replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    if not value:
        return None
    if not value.isdecimal() or not value.isascii():
        raise InvoiceFileError(f"{where}, column quantity: expected a whole number, got {value!r}")
    return int(value)


#: an amount as invoices write it, once spaces (thousands) and a euro sign are taken out: a
#: decimal point or comma and at most two decimals. '1.600' or '1,600' (a thousands separator,
#: or three decimals?) and '1e2' are refused, never guessed
_AMOUNT = re.compile(r"-?[0-9]+(?:[.,][0-9]{1,2})?")


def _amount(value: str, where: str) -> int:
    """Cents of an amount written 1234.56 (or 1 234,56 as a French invoice writes it)."""
    text = re.sub(r"[\s\u202f\xa0]", "", value).removesuffix("€").removesuffix("EUR")
    if not _AMOUNT.fullmatch(text):
        raise InvoiceFileError(f"{where}, column amount_eur: expected an amount in euros to the cent such as "
                               f"1234.56 or 1 234,56 (spaces for thousands), got {value!r}")
    return int(Decimal(text.replace(",", ".")) * 100)


def reconcile(bill: Invoice, invoiced: pd.DataFrame, totals: bool = True) -> pd.DataFrame:
    """Each line of either invoice with its verdict: `match` (within a cent, and the same
    quantity when the invoice gives one), `quantity differs` (the amount matches, the count
    not: a wrong count at a price that hides it), `over` or
    `under` (invoiced more or less than expected), `within unknown` (delivered segments or a
    total above the logs' count but not above what the segments with no final receipt, the
    delivered receipts of no MT line and the segments more lossy texts may stand for could
    add: the log cannot tell), `not invoiced` (expected, absent from the invoice), `not
    expected` (on the invoice only). A line expected at 0 and not invoiced is a match, and so
    is one invoiced at 0 and not expected; a line on one side only differs by all of it.
    `line`: the invoice's line in its file. `totals`: compare the months' totals (not for the
    bill of one short code, which an invoice's total is not)."""
    expected = bill.lines.assign(short_code=bill.lines["short_code"].fillna(""),
                                 cents=bill.lines["amount_eur"].map(cents))
    # (a receipt that says delivered and links to no MT line may be billed as much, and so may
    # the segments more a lossy text delivered or with no final receipt may stand for)
    unknown = {(r["month"], r["short_code"] or ""): (int(r["unknown_segments"]) + int(r["delivered_receipts_without_mt"])
                                                     + int(r["segments_possibly_more"])) * MT_CENTS
               for r in bill.not_billed.to_dict("records")}
    month_totals = {r["month"]: (cents(r["total_eur"]), cents(r["at_most_eur"])) for r in bill.months.to_dict("records")}
    ours = {(r["month"], r["short_code"], r["item"]): (r["quantity"], r["cents"]) for r in expected.to_dict("records")}
    for month, (total, _) in month_totals.items() if totals else ():
        ours[(month, "", TOTAL)] = (None, total)
    theirs = {(r["month"], r["short_code"], r["item"]): (None if pd.isna(r["quantity"]) else int(r["quantity"]),
                                                          r["amount_cents"], r["line"])
              for r in invoiced.to_dict("records")}
    # A total above ours is within unknown only by what its delivered-segment lines are, each
    # up to its own short code's segments with no final receipt: a fee is never uncertain, nor
    # a cent the lines do not add up to (a probe: a throughput option billed 30 EUR over, and a
    # total 2 cents above its own lines, read `within unknown` on the month's whole allowance).
    # An invoice that bills no delivered segments per short code gets the month's allowance.
    total_room: dict[str, int] = {}
    for (month, code, item), (_, ic, _) in theirs.items():
        if item == "mt_delivered":
            ec = ours.get((month, code, item), (None, 0))[1] or 0
            total_room[month] = total_room.get(month, 0) + min(max(ic - ec, 0), unknown.get((month, code), 0))
    rows = []
    for key in [*ours, *(k for k in theirs if k not in ours)]:
        month, code, item = key
        (eq, ec), (iq, ic, line) = ours.get(key, (None, None)), theirs.get(key, (None, None, None))
        if item == TOTAL:
            headroom = total_room.get(month, month_totals[month][1] - month_totals[month][0]
                                      if month in month_totals else 0)
        else:
            headroom = unknown.get((month, code), 0) if item == "mt_delivered" else 0
        verdict = _verdict(ec, ic, headroom)
        if verdict == "match" and None not in (eq, iq) and eq != iq:
            verdict = "quantity differs"
        # (a line on one side only differs by all of it: -expected not invoiced, +invoiced not
        # expected, so that the lines' differences add up to the total's)
        difference = None if ec is None and ic is None else (ic or 0) - (ec or 0)
        rows.append((month, code or None, item, eq, iq, _eur(ec), _eur(ic), _eur(difference), verdict, line))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    order = {item: n for n, item in enumerate((*ITEMS, TOTAL))}
    frame = (frame.assign(_o=frame["item"].map(order), _c=frame["short_code"].isna())
             .sort_values(["month", "_c", "short_code", "_o"], kind="stable")
             .drop(columns=["_o", "_c"]).reset_index(drop=True)
             .astype({"expected_quantity": "Int64", "invoiced_quantity": "Int64", "line": "Int64"}))
    # (sorting turns the total's None into NaN: a missing short code is None, as in the bill)
    frame["short_code"] = frame["short_code"].astype(object).where(frame["short_code"].notna(), None)
    return frame


def _eur(value: int | None) -> float | None:
    return None if value is None else value / 100


def _verdict(expected: int | None, invoiced: int | None, headroom: int) -> str:
    if invoiced is None:
        return "match" if expected == 0 else "not invoiced"
    if expected is None:
        # (a line netted to nothing, a charge and its credit note, bills nothing: no difference)
        return "match" if abs(invoiced) <= TOLERANCE_CENTS else "not expected"
    if abs(invoiced - expected) <= TOLERANCE_CENTS:
        return "match"
    if invoiced < expected:
        return "under"
    return "within unknown" if invoiced <= expected + headroom + TOLERANCE_CENTS else "over"
