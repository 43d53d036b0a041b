"""Submitted forecasts in the warehouse (R9): every file loaded is a version, kept for good.

Orange receives a forecast twice a year and corrections in between; R9 compares each month
with the version that was current for it, and an auditor must be able to see the original
beside its corrections, so nothing here ever updates or deletes a row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from opsanalytics import warehouse
from opsanalytics.forecast.files import read_forecast_file


@dataclass(frozen=True)
class ForecastLoad:
    path: str
    version_id: int
    rows: int
    state: str  # loaded | skipped (same bytes already loaded)


def load_forecast_file(con: duckdb.DuckDBPyConnection, path: str | Path) -> ForecastLoad:
    """Validate `path` (CSV/XLSX) and store it as a new version; the same bytes twice are skipped.

    Raises ForecastFileError naming row and column before anything is written.
    """
    path = Path(path).resolve()
    frame = read_forecast_file(path)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    warehouse.ensure_schema(con)
    with warehouse.transaction(con):
        existing, rows = warehouse.execute(con, "forecast/forecast_version_by_sha", {"sha256": sha256}).fetchall()[0]
        if existing is not None:
            return ForecastLoad(str(path), int(existing), int(rows), "skipped")
        (version_id,) = warehouse.execute(con, "forecast/next_version_id").fetchall()[0]
        con.register("forecast_upload", frame)
        try:
            warehouse.execute(con, "forecast/insert_forecast_version", {
                "version_id": int(version_id),
                "source": str(path),
                "sha256": sha256,
                "loaded_at": dt.datetime.now(dt.timezone.utc),
            }).fetchall()
        finally:
            con.unregister("forecast_upload")
    return ForecastLoad(str(path), int(version_id), len(frame), "loaded")


def has_forecasts_table(con: duckdb.DuckDBPyConnection) -> bool:
    """False on a warehouse created before R9 existed and opened read-only (no schema applied)."""
    return bool(warehouse.execute(con, "forecast/has_forecasts_table").fetchall()[0][0])


def forecast_versions(con: duckdb.DuckDBPyConnection, short_code: str | None = None) -> pd.DataFrame:
    """Every version loaded, oldest first (source, made_on, months, rows, total segments)."""
    if not has_forecasts_table(con):
        return pd.DataFrame(columns=["version_id", "source", "sha256", "loaded_at", "semesters", "made_on",
                                     "first_month", "last_month", "short_codes", "rows", "mt_segments"])
    return warehouse.fetch_df(con, "forecast/forecast_versions", {"short_code": short_code})
