"""`forecast load`'s entry point: the same forecast in another file type (its CSV and its XLSX)
is the version already holding its rows, not a second one; any other file goes to
store.load_forecast_file, which skips the same bytes and stores a new version.

(Kept outside store.py: the rows are compared before the store is asked, so a version is
never written twice for one forecast; a probe: CSV + XLSX of one forecast made 2 versions.)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from opsanalytics import warehouse
from opsanalytics.config import Contract
from opsanalytics.forecast import store
from opsanalytics.forecast.files import read_forecast_file, read_once


@dataclass(frozen=True)
class SameRowsLoad(store.ForecastLoad):
    """A file skipped for holding the same rows as version `version_id` (other bytes: another
    file type, or another file written by the same forecast); `same_as`: that version's file."""

    same_as: str = ""


def same_rows_version(con: duckdb.DuckDBPyConnection, frame) -> tuple[int, str] | None:
    """(version_id, source) of the first version holding exactly `frame`'s rows, or None."""
    if not store.has_forecasts_table(con):
        return None
    con.register("forecast_upload", frame)
    try:
        found = warehouse.execute(con, "forecast/forecast_version_by_rows").fetchall()
    finally:
        con.unregister("forecast_upload")
    return (int(found[0][0]), str(found[0][1])) if found else None


def load_forecast_file(con: duckdb.DuckDBPyConnection, path: str | Path,
                       contract: Contract | None = None) -> store.ForecastLoad:
    """store.load_forecast_file, except that a file whose rows a version already holds, in
    other bytes, is skipped as that version (SameRowsLoad), with the contract's warnings as a
    skipped file has them. Raises ForecastFileError naming row and column, as the store does."""
    path = Path(path).resolve()
    with read_once():  # (the store reads the file again: parsed once all the same)
        frame = read_forecast_file(path)
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        if store.has_forecasts_table(con):
            (by_sha, _), = warehouse.execute(con, "forecast/forecast_version_by_sha", {"sha256": sha256}).fetchall()
            if by_sha is None:  # (the same bytes: the store's skip, as ever)
                same = same_rows_version(con, frame)
                if same is not None:
                    warnings = tuple(store.against_contract(frame, contract)) if contract is not None else ()
                    return SameRowsLoad(str(path), same[0], len(frame), "skipped", warnings, same_as=same[1])
        return store.load_forecast_file(con, path, contract)
