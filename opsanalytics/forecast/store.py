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
from opsanalytics.config import Contract
from opsanalytics.forecast.actuals import data_coverage, monthly_actuals
from opsanalytics.forecast.files import read_forecast_file
from opsanalytics.forecast.periods import Semester, add_months, month_label


@dataclass(frozen=True)
class ForecastLoad:
    path: str
    version_id: int
    rows: int
    state: str  # loaded | skipped (same bytes already loaded)
    #: several made_on dates in one file (see mixed_made_on), months the version was made during
    #: or after (see made_late), months of its semesters
    #: no version covers (see uncovered_months, unforecast_codes), then what it says against
    #: the contract given (see against_contract, outside_held_months): loaded all the same.
    #: Empty for a skipped file: they were given when its version was loaded
    warnings: tuple[str, ...] = ()
    #: skipped for holding the rows of version `version_id` in other bytes (the CSV and the
    #: XLSX of one forecast): that version's file
    same_as: str = ""


def made_late(frame: pd.DataFrame) -> list[str]:
    """What a version made once a month it covers had started does to R9, per made_on date.

    Made during the month: it is the forecast R9 judges that month against (the last made on
    or before the month's end), replacing any made before the month: a restatement, not a
    forecast. Made after the month ended: kept, never judged against it. Loading an old file
    late is fine: only made_on against the months counts here, never the load date."""
    out = []
    for made_on, group in frame.groupby("made_on", sort=True):
        months = sorted(set(group["month"]))
        during = [m for m in months if m <= made_on < add_months(m, 1)]
        after = [m for m in months if add_months(m, 1) <= made_on]
        for month in during:
            out.append(f"R9 judges {month_label(month)} against a forecast made on {made_on.isoformat()}, during "
                       "that month: this version replaces any made before the month (a restatement, not a "
                       "forecast; check made_on)")
        if after:
            listed = ", ".join(month_label(m) for m in after)
            out.append(f"made on {made_on.isoformat()}, after {listed} ended: kept, but R9 never judges "
                       f"{'that month' if len(after) == 1 else 'those months'} against it (hindsight)")
    return out


def mixed_made_on(frame: pd.DataFrame) -> list[str]:
    """A file whose rows give several made_on dates: one forecast is made on one day, so
    this is most likely a typo or two versions pasted together. Loaded as it is (R9 takes
    each row's own made_on), but said, as the dates decide which version R9 judges."""
    dates = sorted(set(frame["made_on"]))
    if len(dates) < 2:
        return []
    first_rows = {d: int(frame.loc[frame["made_on"] == d, "row_no"].min()) for d in dates}
    listed = ", ".join(f"{d.isoformat()} (first on row {first_rows[d]})" for d in dates)
    return [f"made_on gives {len(dates)} dates in one file: {listed}; R9 takes each row's own date to choose the "
            "version it judges a month against (check made_on, or load each forecast as a file of its own)"]


def undeclared_codes(frame: pd.DataFrame, contract: Contract) -> list[str]:
    """Short codes of a forecast file that `contract` does not declare, each at its first row:
    most likely a typo (R9 then finds no traffic for it, and no forecast for the real code)."""
    declared = {s.code for s in contract.short_codes}
    return [f"row {row_no}: short code {code} is not in {contract.source}"
            for code, row_no in frame.groupby("short_code")["row_no"].min().items() if code not in declared]


def against_contract(frame: pd.DataFrame, contract: Contract) -> list[str]:
    """What a forecast file says that the contract does not (warnings: the file is stored all
    the same, the contract may be about to change): short codes it does not declare, a
    subscribed rate other than the contract's, a peak above the code's subscribed rate (R8
    would find it over). A probe: all were stored silently."""
    out = undeclared_codes(frame, contract)
    codes = {s.code: s for s in contract.short_codes}
    for code, rows in frame.groupby("short_code", sort=True):
        spec = codes.get(code)
        if spec is None:
            continue
        differs = rows[rows["subscribed_rate"] != spec.rate]
        if len(differs):
            first = differs.iloc[0]
            out.append(f"row {first['row_no']}: short code {code} subscribed_rate {first['subscribed_rate']:g}/s, "
                       f"the contract {contract.source} says {spec.rate}/s")
        over = rows[rows["peak_sms_per_s"] > spec.rate]
        if len(over):
            first = over.iloc[0]
            out.append(f"row {first['row_no']}: short code {code} peak {first['peak_sms_per_s']:g}/s above its "
                       f"subscribed {spec.rate}/s (R8 would find it over; subscribe the tier it needs)")
    return out


def unforecast_codes(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, contract: Contract,
                     traffic: _Traffic | None = None) -> list[str]:
    """Short codes the contract holds in a semester of the file that neither the file nor any
    version in the warehouse forecasts, for a month the code is held (its since/until): R9
    finds no forecast for them (a probe: three contract codes left out of a file, stored
    silently). Only the months R9 reports or may report (`_no_forecast_months`): a month the
    MT data holds whole without traffic of the code is never no_forecast, and is not named.
    A code the file names is `uncovered_months`'s. `traffic`: `_traffic`'s (read when not given)."""
    covered = {(code, month) for code, month in warehouse.execute(con, "forecast/forecast_months").fetchall()}
    traffic = traffic or _traffic(con, contract)
    out = []
    for semester in sorted(frame["semester"].unique()):
        named = set(frame.loc[frame["semester"] == semester, "short_code"])
        for spec in contract.short_codes:
            if spec.code in named:
                continue
            missing = [m for m in Semester.parse(semester).months if _held(spec, m) and (spec.code, m) not in covered]
            reported, maybe = _no_forecast_months(spec.code, missing, traffic)
            if reported:
                out.append(f"short code {spec.code} of {contract.source} is held in {_listed(reported)}, has MT "
                           f"traffic there and no version forecasts it: R9 will report {_them(reported)} as "
                           "no_forecast")
            if maybe:
                out.append(f"short code {spec.code} of {contract.source} is held in {_listed(maybe)} and no version "
                           f"forecasts it there: R9 would report {_them(maybe)} as no_forecast once it sends MT "
                           "traffic there")
    return out


def _listed(months: list[dt.date]) -> str:
    return ", ".join(month_label(m) for m in months)


def _them(months: list[dt.date]) -> str:
    return "it" if len(months) == 1 else "them"


@dataclass(frozen=True)
class _Traffic:
    """The MT data as R9 reads it: its first and last local day (None: no data), and the
    (short code, month) pairs with accepted MT traffic."""
    first_day: dt.date | None
    last_day: dt.date | None
    months: frozenset


def _traffic(con: duckdb.DuckDBPyConnection, contract: Contract | None) -> _Traffic:
    """What R9 would judge today; a warehouse whose facts are not built has no MT data."""
    if not warehouse.has_table(con, "fct_mt"):  # (not a query that fails: it would abort the transaction)
        return _Traffic(None, None, frozenset())
    zone = contract if contract is not None else Contract()
    first_day, last_day = data_coverage(con, zone)
    if first_day is None:
        return _Traffic(None, None, frozenset())
    actuals = monthly_actuals(con, zone)
    return _Traffic(first_day, last_day, frozenset(zip(actuals["short_code"], actuals["month"])))


def _no_forecast_months(code: str, months: list[dt.date], traffic: _Traffic) -> tuple[list[dt.date], list[dt.date]]:
    """`months` no version covers for `code`, split as R9 judges them (docs/forecast.md):
    those the MT data holds whole with traffic of the code (R9 reports them no_forecast),
    and those the data does not hold whole yet (R9 would, once the code sends there). A month
    the data holds whole without traffic of the code is in neither: R9 never reports it."""
    reported, maybe = [], []
    for month in months:
        whole = (traffic.first_day is not None and month >= traffic.first_day
                 and add_months(month, 1) - dt.timedelta(days=1) <= traffic.last_day)
        if not whole:
            maybe.append(month)
        elif (code, month) in traffic.months:
            reported.append(month)
    return reported, maybe


def _held(spec, month: dt.date) -> bool:
    """Whether the contract's short code `spec` (None: one it does not declare) is held on a
    day of `month` (its since/until)."""
    return spec is None or spec.held_in(month, add_months(month, 1) - dt.timedelta(days=1))


def _dates(spec) -> str:
    """A short code's `since` and `until` as the contract gives them ('since 2027-04-01')."""
    return ", ".join(f"{name} {value.isoformat()}" for name, value in
                     (("since", spec.since), ("until", spec.until)) if value is not None)


def outside_held_months(frame: pd.DataFrame, contract: Contract) -> list[str]:
    """Rows forecasting a month the contract does not hold their short code in (wholly before
    its `since` or after its `until`): --adjustments refuses such a month, but a forecast file
    is Orange's record, so it is stored and said, per row. R9 judges the month as any other
    once the MT data holds it whole (a forecast above 0 against no traffic is flagged)."""
    specs = {s.code: s for s in contract.short_codes}
    out = []
    for row_no, code, month in zip(frame["row_no"], frame["short_code"], frame["month"]):
        spec = specs.get(code)
        if spec is None or _held(spec, month):
            continue
        out.append(f"row {row_no}: short code {code} forecast for {month_label(month)}, a month the contract "
                   f"{contract.source} does not hold it in ({_dates(spec)}): stored as Orange's record; R9 judges "
                   "it as any other month once the MT data covers it whole (a forecast above 0 with no traffic "
                   "is flagged)")
    return out


def uncovered_months(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame,
                     contract: Contract | None = None, traffic: _Traffic | None = None) -> list[str]:
    """Months of the semesters `frame` forecasts that no version in the warehouse covers for a
    short code it names, per short code and semester. A file may restate a few months on
    purpose (the other months keep their earlier versions), so only months no version at
    all covers are named, and of those only the months R9 reports or may report
    (`_no_forecast_months`: with MT traffic, or not yet held whole by the data; a probe: the
    warning promised no_forecast for past months without traffic, which R9 never reports).
    With `contract`, not the months the code is not held in (its since/until): the file the
    forecast command writes has no row for them (a probe: four false warnings on loading it);
    nor a code the contract does not declare: `undeclared_codes` names it (a probe: a typo got
    the coverage warning first). `traffic`: `_traffic`'s (read when not given)."""
    covered = {(code, month) for code, month in warehouse.execute(con, "forecast/forecast_months").fetchall()}
    specs = {s.code: s for s in contract.short_codes} if contract is not None else {}
    traffic = traffic or _traffic(con, contract)
    out = []
    for (code, semester), _ in frame.groupby(["short_code", "semester"], sort=True):
        if contract is not None and code not in specs:
            continue
        missing = [m for m in Semester.parse(semester).months
                   if (code, m) not in covered and _held(specs.get(code), m)]
        reported, maybe = _no_forecast_months(code, missing, traffic)
        if reported:
            out.append(f"short code {code}: no version covers {_listed(reported)} of semester {semester}, "
                       f"{'a month' if len(reported) == 1 else 'months'} with MT traffic of the code: R9 will "
                       f"report {_them(reported)} as no_forecast")
        if maybe:
            out.append(f"short code {code}: no version covers {_listed(maybe)} of semester {semester}: R9 would "
                       f"report {_them(maybe)} as no_forecast once the code sends MT traffic there")
    return out


def load_forecast_file(con: duckdb.DuckDBPyConnection, path: str | Path,
                       contract: Contract | None = None) -> ForecastLoad:
    """Validate `path` (CSV/XLSX) and store it as a new version; the same bytes twice are skipped,
    and so are the rows of a stored version in other bytes (`same_as`: that version's file).
    With `contract`, its warnings name what the file says against the contract. A skipped
    file gives no warning: its version was warned about when loaded (a probe: the XLSX of a
    forecast loaded as its CSV repeated every peak-above-rate warning).

    Raises ForecastFileError naming row and column before anything is written.
    """
    path = Path(path).resolve()
    frame = read_forecast_file(path)
    unknown = (*against_contract(frame, contract), *outside_held_months(frame, contract)) if contract is not None else ()
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    warehouse.ensure_schema(con)
    with warehouse.transaction(con):
        existing, rows = warehouse.execute(con, "forecast/forecast_version_by_sha", {"sha256": sha256}).fetchall()[0]
        if existing is not None:
            return ForecastLoad(str(path), int(existing), int(rows), "skipped")
        con.register("forecast_upload", frame)
        try:
            # the same rows in other bytes (the CSV and the XLSX of one forecast: a probe
            # loaded both and got two versions of one forecast) are the version holding them
            same = warehouse.execute(con, "forecast/forecast_version_by_rows").fetchall()
            if same:
                [(held_by, source)] = same
                return ForecastLoad(str(path), int(held_by), len(frame), "skipped", same_as=str(source))
            (version_id,) = warehouse.execute(con, "forecast/next_version_id").fetchall()[0]
            warehouse.execute(con, "forecast/insert_forecast_version", {
                "version_id": int(version_id),
                "source": str(path),
                "sha256": sha256,
                "loaded_at": dt.datetime.now(dt.timezone.utc),
            }).fetchall()
        finally:
            con.unregister("forecast_upload")
        traffic = _traffic(con, contract)   # (read once: R9's actuals over the whole warehouse)
        uncovered = uncovered_months(con, frame, contract, traffic)
        if contract is not None:
            uncovered += unforecast_codes(con, frame, contract, traffic)
    return ForecastLoad(str(path), int(version_id), len(frame), "loaded",
                        (*mixed_made_on(frame), *made_late(frame), *uncovered, *unknown))


def has_forecasts_table(con: duckdb.DuckDBPyConnection) -> bool:
    """False on a warehouse created before R9 existed and opened read-only (no schema applied)."""
    return warehouse.has_table(con, "forecasts")


def forecast_versions(con: duckdb.DuckDBPyConnection, short_code: str | None = None) -> pd.DataFrame:
    """Every version loaded, oldest first (source, made_on, months, rows, total segments)."""
    if not has_forecasts_table(con):
        return pd.DataFrame(columns=["version_id", "source", "sha256", "loaded_at", "semesters", "made_on",
                                     "first_month", "last_month", "short_codes", "rows", "mt_segments"])
    frame = warehouse.fetch_df(con, "forecast/forecast_versions", {"short_code": short_code})
    # DATE columns come back as midnight timestamps and the BIGINT sum as a float: printed as
    # '2024-12-15T00:00:00' and 7723.0, where compare and audit print dates and whole numbers
    for column in ("made_on", "first_month", "last_month"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    frame["mt_segments"] = frame["mt_segments"].round().astype("Int64")
    return frame
