"""R14 QUALITY: how the accepted MT traffic was delivered, from its receipts.

The SQL counts (queries/audits/r14_*.sql): final statuses, delivery rate and latency per
short code, brand and campaign, per day, and the network errors of what was not delivered.
This module names the errors (GSM MAP codes, 3GPP TS 29.002) and shapes the result for the
`quality` command and report page 80. Not a rule with breaches: the contract promises no
figure, so nothing here is red; an aggregator reads it to see a route, a brand or a campaign
go wrong, and to argue with Orange with figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from opsanalytics import warehouse
from opsanalytics.audits.result import Filters
from opsanalytics.config import Contract

#: GSM MAP errors an SMSC reports in a receipt (3GPP TS 29.002, MAP-Errors), by code
GSM_ERRORS = {
    0: "no error",
    1: "unknown subscriber",
    5: "unidentified subscriber",
    6: "absent subscriber (SM)",
    9: "illegal subscriber",
    10: "bearer service not provisioned",
    11: "teleservice not provisioned",
    12: "illegal equipment",
    13: "call barred",
    21: "facility not supported",
    27: "absent subscriber",
    31: "subscriber busy for MT-SMS",
    32: "SM delivery failure (memory full, equipment error)",
    33: "message waiting list full",
    34: "system failure",
    35: "data missing",
    36: "unexpected data value",
}
#: META dlr_err as Kannel logs it (hex: network type 03 = GSM, then the 2-byte error)
_META_GSM = re.compile(r"03([0-9A-Fa-f]{4})")
#: a receipt's err: field (decimal, 3 digits as SMPP 3.4 appendix B writes it)
_RECEIPT_ERR = re.compile(r"[0-9]{1,4}")


def gsm_error(dlr_err: str | None) -> int | None:
    """The GSM error of fct_mt.dlr_err, read as r10_non_orange_share.sql reads it; None when
    the log gives none or another network's."""
    if not isinstance(dlr_err, str):
        return None
    if match := _META_GSM.fullmatch(dlr_err):
        return int(match.group(1), 16)
    if _RECEIPT_ERR.fullmatch(dlr_err):
        return int(dlr_err)
    return None


def error_meaning(code: int | None) -> str:
    if code is None or pd.isna(code):  # (NaN: a column of codes with a missing one)
        return "not given by the log"
    return GSM_ERRORS.get(code, "other (SMSC-specific)")


#: how a page names a group whose key is empty
UNNAMED = {"short_code": "(no short code)", "brand": "(no brand)", "campaign": "(no BINF)"}


@dataclass
class Quality:
    """`groups`: one row per level (total, short_code, brand, campaign) and key;
    `errors`: per short code, final status and error; `daily`: per day and short code."""

    groups: pd.DataFrame
    errors: pd.DataFrame
    daily: pd.DataFrame

    def level(self, name: str) -> pd.DataFrame:
        """The rows of one level, without the key columns of the others."""
        keys = {"total": [], "short_code": ["short_code"], "brand": ["brand"], "campaign": ["campaign"]}[name]
        rows = self.groups[self.groups["level"] == name]
        return rows.drop(columns=["level", *(k for k in ("short_code", "brand", "campaign") if k not in keys)]) \
                   .reset_index(drop=True)

    def shown(self, name: str) -> pd.DataFrame:
        """`level(name)` as a page or a terminal shows it: an empty key named (refused lines
        Kannel logged with neither a connection nor a short code as sender have no short
        code; a campaign is empty without BINF), where JSON and CSV keep null."""
        return self.level(name).fillna({name: UNNAMED[name]}) if name in UNNAMED else self.level(name)

    @property
    def total(self) -> dict[str, Any]:
        rows = self.level("total")
        return _records(rows)[0] if len(rows) else {}

    def to_json(self) -> dict[str, Any]:
        """The JSON of `opsanalytics quality --format json` (docs/quality.md)."""
        return {
            "rule": "R14",
            "name": "quality",
            "total": self.total,
            "short_codes": _records(self.level("short_code")),
            "brands": _records(self.level("brand")),
            "campaigns": _records(self.level("campaign")),
            "errors": _records(self.errors),
            "daily": _records(self.daily.assign(day=self.daily["day"].astype(str))),
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = frame.astype(object).where(frame.notna(), None)
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in out.to_dict("records")]


def quality(con: duckdb.DuckDBPyConnection, contract: Contract, filters: Filters) -> Quality:
    params = filters.params(contract)
    groups = warehouse.fetch_df(con, "audits/r14_quality", params)
    errors = _by_gsm_error(warehouse.fetch_df(con, "audits/r14_errors", params))
    daily = warehouse.fetch_df(con, "audits/r14_daily", params)
    if len(daily):
        daily["day"] = pd.to_datetime(daily["day"]).dt.date
    return Quality(groups=groups, errors=errors, daily=daily)


def _by_gsm_error(errors: pd.DataFrame) -> pd.DataFrame:
    """One row per short code, final status and GSM error, whichever way the log wrote it:
    META dlr_err `03001B` and a receipt's `err:027` are one error, 27 (a receipt Kannel
    matched carries both, a `FAILED Receive DLR` only the receipt's err:); `dlr_err` lists
    the forms seen. An error that is no GSM one keeps its own row."""
    codes = errors["dlr_err"].map(gsm_error).astype("Int64")
    key = codes.astype(object).where(codes.notna(), "raw:" + errors["dlr_err"].fillna(""))
    grouped = (errors.assign(gsm_error=codes, _key=key)
               .groupby(["short_code", "final_status", "_key"], dropna=False, sort=False)
               .agg(dlr_err=("dlr_err", lambda v: ", ".join(sorted(v.dropna().unique())) or None),
                    gsm_error=("gsm_error", "first"), lines=("lines", "sum"))
               .reset_index().drop(columns="_key"))
    grouped.insert(4, "meaning", grouped["gsm_error"].map(error_meaning))
    return grouped.sort_values(["lines", "short_code", "final_status", "gsm_error"], ascending=[False, True, True, True],
                               na_position="last", kind="stable").reset_index(drop=True)[
        ["short_code", "final_status", "dlr_err", "gsm_error", "meaning", "lines"]]


def errors_by_meaning(errors: pd.DataFrame) -> pd.DataFrame:
    """Lines per final status and error over every short code, most frequent first (a page's
    bar chart): 'failed: 27 absent subscriber', 'expired: 0 no error'."""
    if errors.empty:
        return pd.DataFrame(columns=["error", "lines"])
    code = errors["gsm_error"].map(lambda c: "" if pd.isna(c) else f"{int(c)} ")
    label = errors["final_status"] + ": " + code + errors["meaning"]
    frame = errors.assign(error=label).groupby("error", as_index=False)["lines"].sum()
    return frame.sort_values(["lines", "error"], ascending=[False, True], kind="stable").reset_index(drop=True)
