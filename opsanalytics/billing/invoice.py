"""R12 BILL: the invoice Orange should send for a month, computed from the logs.

The SQL counts the segments (queries/audits/r12_bill_*.sql); this module prices them and
adds the monthly fees of the contract's short codes (pricing.monthly_fees). Money is counted
in whole cents (every price of the grid is a whole number of cents), so that a month of
millions of segments adds up exactly.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from opsanalytics import pricing, warehouse
from opsanalytics.config import Contract

#: the items of an invoice line, in the order a bill lists them for one short code
ITEMS = ("mt_delivered", "short_code_setup", "short_code_monthly", "throughput_option", "oadc_option",
         "geo_presence_option")
MT_CENTS = int(pricing.MT_DELIVERED_EUR * 100)
LINE_COLUMNS = ["month", "short_code", "item", "quantity", "unit_eur", "amount_eur", "basis"]


def cents(eur: Any) -> int:
    return int(round(eur * 100))


def month_label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every calendar month from `first`'s to `last`'s."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


@dataclass
class Invoice:
    """What Orange should bill (`lines`), month by month (`months`), with what the bill rests
    on: per brand (`brands`, to re-bill each brand its share) and the segments it leaves out
    (`not_billed`: undelivered, or with no final receipt, which Orange may have billed, and
    the segments more that texts the log wrote lossily may stand for)."""

    lines: pd.DataFrame       # LINE_COLUMNS: one row per month, short code and item
    months: pd.DataFrame      # month, days, days_in_period, days_logged, complete, total_eur, at_most_eur,
                              # delivered_receipts_without_mt
    brands: pd.DataFrame      # month, short_code, brand, delivered_lines, delivered_segments, amount_eur,
                              # unknown_segments
    not_billed: pd.DataFrame  # month, short_code, accepted_segments, delivered_segments, undelivered_segments,
                              # unknown_segments, delivered_segments_inexact, segments_possibly_more,
                              # unknown_eur, delivered_receipts_without_mt
    not_computed: tuple[str, ...] = pricing.NOT_FROM_LOGS
    notes: list[str] = field(default_factory=list)

    @property
    def total_eur(self) -> float:
        return cents(self.lines["amount_eur"].sum()) / 100 if len(self.lines) else 0.0

    def to_json(self) -> dict[str, Any]:
        """The JSON of `opsanalytics invoice --format json` (docs/billing.md)."""
        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            out = frame.astype(object).where(frame.notna(), None)
            return [{k: _plain(v) for k, v in row.items()} for row in out.to_dict("records")]

        return {
            "rule": "R12",
            "name": "bill",
            "currency": "EUR",
            "vat": "excluded",
            "total_eur": self.total_eur,
            "months": records(self.months),
            "lines": records(self.lines),
            "brands": records(self.brands),
            "not_billed": records(self.not_billed),
            "not_computed": list(self.not_computed),
            "notes": list(self.notes),
        }


def _plain(value: Any) -> Any:
    """numpy scalars to what json writes."""
    if hasattr(value, "item"):
        return value.item()
    return value


def invoice(con: duckdb.DuckDBPyConnection, contract: Contract, date_from: dt.date | None = None,
            date_to: dt.date | None = None, short_code: str | None = None) -> Invoice:
    """The bill of every calendar month the period touches (every month the warehouse holds
    traffic in, when it has no bounds), for one short code or all. A month the period or the
    logs cover in part still carries its whole monthly fees: it is flagged not complete, and
    its delivered segments are those of the days covered."""
    params = {"tz": contract.timezone, "date_from": date_from, "date_to": date_to, "short_code": short_code}
    dated = [sc for sc in contract.short_codes if sc.since is not None or sc.until is not None]
    segments = warehouse.fetch_df(con, "audits/r12_bill_segments", {
        **params, "subscribed_codes": [sc.code for sc in dated],
        "subscribed_since": [sc.since for sc in dated], "subscribed_until": [sc.until for sc in dated]})
    days = warehouse.fetch_df(con, "audits/r12_bill_days", params)
    orphans = warehouse.fetch_df(con, "audits/r12_receipts_without_mt", params)
    for frame in (segments, days, orphans):
        frame["month"] = pd.to_datetime(frame["month"]).dt.date
    if date_from is not None or date_to is not None:
        known = [*segments["month"], *days["month"]]
        first = date_from or (min(known) if known else date_to)
        last = date_to or (max(known) if known else date_from)
        months = months_between(first, last)
    else:
        # every month from the first to the last with traffic: a month with no log in
        # between still owes its fees (and is flagged, 0 days logged)
        known = sorted(set(segments["month"]) | set(days["month"]))
        months = months_between(known[0], known[-1]) if known else []
    per_code = (segments.drop(columns="brand").groupby(["month", "short_code"], dropna=False, as_index=False).sum()
                if len(segments) else segments.drop(columns="brand"))
    lines = _lines(months, contract, short_code, per_code)
    unknown = per_code.assign(unknown_eur=per_code["unknown_segments"] * MT_CENTS / 100)
    not_billed = _with_receipts_without_mt(unknown[[
        "month", "short_code", "accepted_segments", "delivered_segments", "undelivered_segments",
        "unknown_segments", "delivered_segments_inexact", "segments_possibly_more", "unknown_eur"]], orphans)
    brands = segments.assign(amount_eur=segments["delivered_segments"] * MT_CENTS / 100)[
        ["month", "short_code", "brand", "delivered_lines", "delivered_segments", "amount_eur", "unknown_segments"]]
    month_table = _months(months, date_from, date_to, days, lines, not_billed)
    notes = _notes(per_code, month_table)
    for frame in (lines, month_table, brands, not_billed):
        frame["month"] = frame["month"].map(month_label)
    return Invoice(lines=lines, months=month_table, brands=brands.reset_index(drop=True),
                   not_billed=not_billed.reset_index(drop=True), notes=notes)


def _lines(months: list[dt.date], contract: Contract, short_code: str | None, per_code: pd.DataFrame) -> pd.DataFrame:
    """One row per month, short code and item: the delivered segments of every short code of
    the contract held that month (0 when it sent nothing) and of any other the traffic names,
    then the fees; a held month's line says how many were sent outside the code's since/until."""
    delivered = {(r.month, r.short_code if isinstance(r.short_code, str) else None): int(r.delivered_segments)
                 for r in per_code.itertuples()}
    outside = {(r.month, r.short_code): int(r.delivered_outside) for r in per_code.itertuples()}
    order = [sc.code for sc in contract.short_codes if short_code is None or sc.code == short_code]
    others = sorted({code for (_, code) in delivered if code not in order}, key=lambda c: (c is None, c or ""))
    rows = []
    for month in months:
        fees = [f for f in pricing.monthly_fees(contract.short_codes, month) if f.short_code in order]
        held = {f.short_code for f in fees}
        for code in [*order, *others]:
            in_contract = code in order
            if (not in_contract or code not in held) and (month, code) not in delivered:
                continue
            quantity = delivered.get((month, code), 0)
            basis = ("segments of accepted MT lines whose final receipt says delivered (of a message "
                     "Kannel split that failed in part: part 1, when its receipt says delivered)")
            if code is None:
                basis += "; no short code: neither the connection nor the sender names one"
            elif not in_contract:
                basis += "; a short code the contract does not list (no monthly fee counted)"
            elif code not in held:
                basis += "; sent outside the subscription the contract gives (since, until): no monthly fee"
            elif outside.get((month, code)):
                basis += (f"; {outside[(month, code)]:,} of them sent on days outside the subscription the "
                          "contract gives (since, until)")
            rows.append((month, code, "mt_delivered", quantity, float(pricing.MT_DELIVERED_EUR),
                         quantity * MT_CENTS / 100, basis))
            for fee in (f for f in fees if f.short_code == code):
                rows.append((month, code, fee.item, 1, float(fee.eur), cents(fee.eur) / 100, fee.basis))
    return pd.DataFrame(rows, columns=LINE_COLUMNS)


def _with_receipts_without_mt(not_billed: pd.DataFrame, orphans: pd.DataFrame) -> pd.DataFrame:
    """`not_billed` with, per month and short code, the receipts that say delivered and link
    to no MT line (queries/audits/r12_receipts_without_mt.sql): Orange may bill them, so they
    widen what the bill may rightly be, as segments without a final receipt do."""
    keys = ["month", "short_code"]
    found = orphans.rename(columns={"receipts": "delivered_receipts_without_mt"})
    merged = not_billed.astype({"short_code": object}).merge(found.astype({"short_code": object}), on=keys,
                                                             how="outer")
    counts = [c for c in merged.columns if c not in ("month", "short_code", "unknown_eur")]
    merged[counts] = merged[counts].fillna(0).astype("int64")
    merged["unknown_eur"] = merged["unknown_eur"].fillna(0.0)
    return merged.sort_values(keys, key=lambda c: c.map(str) if c.name == "short_code" else c, na_position="last")


def _months(months: list[dt.date], date_from, date_to, days: pd.DataFrame, lines: pd.DataFrame,
            not_billed: pd.DataFrame) -> pd.DataFrame:
    logged = dict(zip(days["month"], days["days_logged"]))
    rows = []
    for month in months:
        length = calendar.monthrange(month.year, month.month)[1]
        last = month.replace(day=length)
        start, end = max(month, date_from or month), min(last, date_to or last)
        in_period = max((end - start).days + 1, 0)
        in_lines = lines[lines["month"] == month]
        total = sum(cents(v) for v in in_lines["amount_eur"])
        this = not_billed[not_billed["month"] == month]
        unknown = int(this["unknown_segments"].sum())
        without_mt = int(this["delivered_receipts_without_mt"].sum())
        # (a lossy text delivered or with no final receipt may be a segment or more longer)
        more = int(this["segments_possibly_more"].sum())
        rows.append((month, length, in_period, int(logged.get(month, 0)),
                     in_period == length and logged.get(month, 0) == length,
                     total / 100, (total + (unknown + without_mt + more) * MT_CENTS) / 100, without_mt))
    return pd.DataFrame(rows, columns=["month", "days", "days_in_period", "days_logged", "complete",
                                       "total_eur", "at_most_eur", "delivered_receipts_without_mt"])


def _notes(per_code: pd.DataFrame, months: pd.DataFrame) -> list[str]:
    """What a reader of the bill must know: months counted in part, segments counted from
    lossy texts, segments whose delivery the log does not know."""
    notes = []
    partial = months[~months["complete"]]
    if len(partial):
        notes.append("not complete: " + ", ".join(
            f"{month_label(r.month)} ({r.days_logged} of {r.days} days logged"
            + (f", {r.days_in_period} in the period" if r.days_in_period < r.days else "") + ")"
            for r in partial.itertuples())
            + ": the monthly fees are whole, the delivered segments those of the days logged in the period")
    inexact = int(per_code["delivered_segments_inexact"].sum()) if len(per_code) else 0
    more = int(per_code["segments_possibly_more"].sum()) if len(per_code) else 0
    may_be_more = (f"texts the log wrote lossily, delivered or with no final receipt, may stand for up to {more:,} "
                   "more segment(s) (fct_mt.segments_max: each '.' read as one character, each part one septet "
                   "short for a '€' a dot may hide): at_most_eur counts them as billed")
    if inexact:
        notes.append(f"{inexact:,} delivered segment(s) are counted from texts the log wrote lossily or not at all: "
                     "the best reading, not a certainty (docs/schema.md, fct_mt.segments_exact)"
                     + (f"; {may_be_more}" if more else ""))
    elif more:
        notes.append(may_be_more[0].upper() + may_be_more[1:])
    unknown = int(per_code["unknown_segments"].sum()) if len(per_code) else 0
    if unknown:
        notes.append(f"{unknown:,} accepted segment(s) have no final receipt (none asked for, lost or pending): "
                     "Orange may have delivered and billed them; at_most_eur counts them as billed")
    orphans = int(months["delivered_receipts_without_mt"].sum()) if len(months) else 0
    if orphans:
        notes.append(f"{orphans:,} receipt(s) say delivered and link to no MT line: a submit Kannel resent when "
                     "its answer was late (wait-ack, a reconnect), which the SMSC had accepted already, reaches the "
                     "handset twice and its second copy is in no line; or an MT the warehouse does not hold. Orange "
                     "may bill them: at_most_eur counts them, one segment each")
    return notes
