"""R9 FORECAST: actual traffic against the forecasts submitted to Orange.

Per short code and month: actual MT segments and peak rate against the version that was
current for the month (queries/audits/r09_forecast.sql), deviations against the contract's
`rules.forecast_tolerance`, and a summary per semester. `audit_r9` wraps it in the
AuditResult every audit returns; violations are the flagged short-code months.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from opsanalytics import warehouse
from opsanalytics.audits.result import AuditResult, Filters
from opsanalytics.config import Contract
from opsanalytics.forecast.actuals import complete_months, data_coverage, monthly_actuals
from opsanalytics.forecast.store import forecast_versions, has_forecasts_table

_FORECAST_DTYPES = {
    "version_id": "int32", "source": "object", "sha256": "object", "loaded_at": "datetime64[us, UTC]",
    "row_no": "int32", "short_code": "object", "month": "datetime64[s]", "mt_segments": "int64",
    "peak_sms_per_s": "float64", "subscribed_rate": "int32", "semester": "object", "made_on": "datetime64[s]",
}


def forecast_vs_actuals(con: duckdb.DuckDBPyConnection, contract: Contract,
                        filters: Filters | None = None) -> pd.DataFrame:
    """One row per short code and month of the data: forecast, actual, deviations, status.

    status: ok | flagged (deviation beyond the tolerance; `reason` says segments, peak or
    both) | no_forecast (traffic no version covered) | partial (month only partly in the data,
    not judged).
    """
    filters = filters or Filters()
    first_day, last_day = data_coverage(con, contract)
    if first_day is None:
        return _empty()
    actuals = monthly_actuals(con, contract, filters.short_code)
    params = filters.params(contract) | {"data_first_day": first_day, "data_last_day": last_day}
    con.register("r9_actuals", actuals)
    missing_table = not has_forecasts_table(con)
    if missing_table:  # read-only warehouse from before R9: nothing was ever submitted
        con.register("forecasts", pd.DataFrame({k: pd.Series(dtype=v) for k, v in _FORECAST_DTYPES.items()}))
    try:
        frame = warehouse.fetch_df(con, "audits/r09_forecast", params)
    finally:
        con.unregister("r9_actuals")
        if missing_table:
            con.unregister("forecasts")
    for column in ("month", "made_on"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=[
        "short_code", "month", "semester", "status", "reason", "forecast_segments", "actual_segments",
        "segments_deviation", "forecast_peak", "actual_peak", "peak_deviation", "subscribed_rate",
        "version_id", "made_on", "loaded_at", "versions", "source", "row_no",
    ])


def semester_summary(months: pd.DataFrame) -> pd.DataFrame:
    """Per semester: months judged, flagged, without forecast; totals and their deviation."""
    judged = months[months["status"] != "partial"]
    if judged.empty:
        return pd.DataFrame(columns=["semester", "short_codes", "months", "flagged", "no_forecast",
                                     "forecast_segments", "actual_segments", "segments_deviation",
                                     "max_abs_segments_deviation", "max_abs_peak_deviation"])
    covered = judged[judged["forecast_segments"].notna()]
    out = judged.groupby("semester").agg(
        short_codes=("short_code", "nunique"),
        months=("month", "size"),
        flagged=("status", lambda s: int((s == "flagged").sum())),
        no_forecast=("status", lambda s: int((s == "no_forecast").sum())),
    )
    sums = covered.groupby("semester").agg(
        forecast_segments=("forecast_segments", "sum"),
        actual_segments=("actual_segments", "sum"),
        max_abs_segments_deviation=("segments_deviation", lambda s: s.abs().max()),
        max_abs_peak_deviation=("peak_deviation", lambda s: s.abs().max()),
    )
    out = out.join(sums, how="left")
    # counts stay whole numbers: a semester without any forecast (no sums to join) made the
    # columns float for every semester (17573.0 in the JSON, documented as an integer)
    for column in ("forecast_segments", "actual_segments"):
        out[column] = out[column].round().astype("Int64")
    out["segments_deviation"] = (out["actual_segments"] / out["forecast_segments"] - 1).astype("float64")
    columns = ["short_codes", "months", "flagged", "no_forecast", "forecast_segments", "actual_segments",
               "segments_deviation", "max_abs_segments_deviation", "max_abs_peak_deviation"]
    return out[columns].reset_index()


def compare_notes(con: duckdb.DuckDBPyConnection, contract: Contract, months: pd.DataFrame,
                  filters: Filters | None = None) -> dict[str, list[str]]:
    """Why the months or the semester summary hold nothing (and whether any forecast is
    loaded), said rather than left as an empty table: {"months": [...], "semesters": [...]}."""
    filters = filters or Filters()
    notes: dict[str, list[str]] = {"months": [], "semesters": []}
    first_day, last_day = data_coverage(con, contract)
    if first_day is None:
        notes["months"].append("no MT data in the warehouse: nothing to compare (ingest the logs first)")
    elif months.empty:
        notes["months"].append(f"no MT traffic in the period or short code asked (the data covers "
                               f"{first_day.isoformat()} to {last_day.isoformat()})")
    if len(months) and (months["status"] == "partial").all():
        span = f"{first_day.isoformat()} to {last_day.isoformat()}"
        why = (f"the data ({span}) holds no complete month" if not complete_months(first_day, last_day)
               else f"the months asked lie only partly inside the data ({span})")
        notes["semesters"].append(f"no semester summary: no month is judged; a month is judged once the MT data "
                                  f"covers it from its first to its last day, and {why}")
    elif months.empty:
        notes["semesters"].append("no semester summary: no month to judge")
    if forecast_versions(con, filters.short_code).empty:
        whose = f" for short code {filters.short_code}" if filters.short_code else ""
        notes["semesters"].append(f"no forecast is loaded{whose}: every judged month with traffic is "
                                  "no_forecast (opsanalytics forecast load FILE... --db DB)")
    return notes


def audit_r9(con: duckdb.DuckDBPyConnection, contract: Contract, filters: Filters | None = None) -> AuditResult:
    """R9 as an audit: rows = flagged short-code months (deviation or no forecast)."""
    filters = filters or Filters()
    months = forecast_vs_actuals(con, contract, filters)
    rows = months[months["status"].isin(["flagged", "no_forecast"])].reset_index(drop=True)
    semesters = semester_summary(months)
    versions = forecast_versions(con, filters.short_code)
    judged = months[months["status"] != "partial"]
    summary = {
        "tolerance": contract.rules.forecast_tolerance,
        "months_judged": int(len(judged)),
        "months_flagged": int((judged["status"] == "flagged").sum()),
        "months_without_forecast": int((judged["status"] == "no_forecast").sum()),
        "months_partial": int((months["status"] == "partial").sum()),
        "forecast_versions": int(len(versions)),
        "semesters": semesters.to_dict("records"),
    }
    if filters.brand:
        summary["note"] = "forecasts are per short code: the brand filter does not apply to R9"
    return AuditResult(
        rule="R9", name="forecast", violations=len(rows), rows=rows, summary=summary,
        details={"months": months, "semesters": semesters, "versions": versions},
    )
