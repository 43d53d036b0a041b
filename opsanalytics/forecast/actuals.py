"""Actual traffic per short code and local month: what R9 compares forecasts with and what
the next forecast is learnt from (queries/forecast/monthly_actuals.sql does the work)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from opsanalytics import warehouse
from opsanalytics.config import Contract
from opsanalytics.errors import WarehouseError
from opsanalytics.forecast.periods import add_months


def monthly_actuals(con: duckdb.DuckDBPyConnection, contract: Contract,
                    short_code: str | None = None) -> pd.DataFrame:
    """short_code, month (DATE, first day), actual_segments, actual_peak, busy_seconds."""
    frame = warehouse.fetch_df(con, "forecast/monthly_actuals", {"tz": contract.timezone, "short_code": short_code})
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame


def data_coverage(con: duckdb.DuckDBPyConnection, contract: Contract) -> tuple[dt.date | None, dt.date | None]:
    """First and last local day with MT data (None, None when there is none): the months R9
    may judge, and whether a report's period has traffic."""
    return day_range(con, contract, "forecast/mt_day_range")


def day_range(con: duckdb.DuckDBPyConnection, contract: Contract, query: str) -> tuple[dt.date | None, dt.date | None]:
    """(first_day, last_day) of a query over the facts, in the contract's time zone; facts
    not built yet are said as such."""
    try:
        first, last = warehouse.execute(con, query, {"tz": contract.timezone}).fetchone()
    except duckdb.CatalogException:
        raise WarehouseError("the facts are not built (no fct_mt): run `opsanalytics ingest` first") from None
    return first, last


def complete_months(first_day: dt.date | None, last_day: dt.date | None) -> list[dt.date]:
    """Months wholly inside [first_day, last_day]: the only ones a model may learn from."""
    if first_day is None or last_day is None:
        return []
    month = first_day.replace(day=1)
    if month < first_day:
        month = add_months(month, 1)
    months = []
    while add_months(month, 1) - dt.timedelta(days=1) <= last_day:
        months.append(month)
        month = add_months(month, 1)
    return months
