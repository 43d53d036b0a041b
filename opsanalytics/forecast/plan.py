"""The next semester's forecast for Orange (R9): per short code and month, MT segments and
peak rate from history, with intervals, the analyst's planned campaigns added, and what the
forecast peak means for the throughput tier to subscribe (RULES.md price grid)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

import duckdb
import numpy as np
import pandas as pd

from opsanalytics import pricing, warehouse
from opsanalytics.config import Contract
from opsanalytics.errors import ForecastFileError, UsageError
from opsanalytics.forecast.actuals import complete_months, data_coverage, monthly_actuals
from opsanalytics.forecast.backtest import MIN_MONTHS as BACKTEST_MONTHS, backtest_frame
from opsanalytics.forecast.model import (DEFAULT_LEVEL, MIN_PROFILE_MONTHS, forecast_series, run_rate,
                                         seasonal_profile)
from opsanalytics.forecast.periods import Semester, add_months, month_label, months_between


@dataclass
class NextForecast:
    """What `opsanalytics forecast` writes: figures (the file's rows), throughput (tier
    options per short code), and the monthly history they were learnt from."""

    contractor: str
    semester: str
    made_on: dt.date
    level: float
    history_until: dt.date | None
    figures: pd.DataFrame
    throughput: pd.DataFrame
    history: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    #: short codes with MT traffic the contract does not declare: short_code, method,
    #: mt_segments (semester), forecast_peak, required_rate, note. Not in the file for Orange:
    #: the file needs a subscribed rate and only the contract knows one.
    outside: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: first and last local day of MT data (the run rate's days when there is no complete month)
    data_days: tuple[dt.date, dt.date] | None = None
    #: the notes on short codes outside the contract (missing months, run rate): for the
    #: analyst (left_out()), never in `notes`, which the Cover sheet for Orange carries
    outside_notes: list[str] = field(default_factory=list)

    def history_label(self) -> str:
        """What the forecast was learnt from, for the summary line and the cover sheet."""
        if self.history_until is not None:
            return f"until {month_label(self.history_until)}"
        if self.data_days is not None:
            first, last = self.data_days
            return f"no complete month: run rate of {first.isoformat()} to {last.isoformat()}"
        return "none"

    def only(self, short_code: str | None) -> "NextForecast":
        """The same forecast shown for one short code (a report filtered on it); the file for
        Orange is still the whole contract's."""
        if not short_code:
            return self

        def of(frame: pd.DataFrame) -> pd.DataFrame:
            return frame[frame["short_code"] == short_code] if "short_code" in frame else frame

        return replace(self, figures=of(self.figures), throughput=of(self.throughput), history=of(self.history),
                       outside=of(self.outside),
                       outside_notes=[n for n in self.outside_notes if short_code in n.split(":", 1)[0].split(", ")])

    def totals(self) -> dict[str, float]:
        """segments_low/high are the sums of the monthly bounds over months and short codes:
        not an interval of the total at `level` (their errors are largely independent, so the
        sum covers far more than `level`)."""
        return {
            "short_codes": int(self.figures["short_code"].nunique()),
            "mt_segments": int(self.figures["mt_segments"].sum()),
            "segments_low": int(self.figures["segments_low"].sum()),
            "segments_high": int(self.figures["segments_high"].sum()),
            "peak_sms_per_s": float(self.figures["peak_sms_per_s"].max()) if len(self.figures) else 0.0,
        }

    def left_out(self) -> list[str]:
        """One line per short code with MT traffic the contract does not declare, left out of
        the file for Orange: said by `forecast` and page 60 alike (the page dropped it
        silently: its count of short codes read as the whole traffic); then the notes on
        them (outside_notes)."""
        return [f"{row.short_code}: {row.method}; {row.note}"
                for row in self.outside.itertuples(index=False)] + list(self.outside_notes)

    def headline(self) -> dict[str, object]:
        """The totals as a page shows them, each labelled for what it is (the bounds are sums
        of monthly bounds, not an interval of the total)."""
        totals, level = self.totals(), f"{self.level:.0%}"
        return {"semester": self.semester, "short codes": totals["short_codes"],
                "MT segments": totals["mt_segments"],
                f"sum of the monthly {level} low bounds": totals["segments_low"],
                f"sum of the monthly {level} high bounds": totals["segments_high"],
                "highest monthly peak (SMS/s)": totals["peak_sms_per_s"]}


#: a short code's months without MT traffic after its first one are treated as missing by the
#: forecast (logs never loaded, a pause), unless they are more than this share of its months:
#: then the code sends only now and then (campaigns) and its zeros are real
MAX_MISSING_SHARE = 1 / 3


def monthly_history(con: duckdb.DuckDBPyConnection, contract: Contract,
                    short_code: str | None = None) -> pd.DataFrame:
    """Complete months only, each short code from its first month with traffic, gaps as zero:
    short_code, month, actual_segments, actual_peak. (The forecast treats those zeros as
    missing months: see months_without_traffic.)"""
    months = complete_months(*data_coverage(con, contract))
    actuals = monthly_actuals(con, contract, short_code)
    columns = ["short_code", "month", "actual_segments", "actual_peak"]
    if not months or actuals.empty:
        return pd.DataFrame(columns=columns)
    actuals = actuals[actuals["month"].isin(months)]
    frames = []
    for code, group in actuals.groupby("short_code", sort=True):
        span = [m for m in months if m >= group["month"].min()]
        full = pd.DataFrame({"month": span}).merge(group[columns], on="month", how="left")
        full["short_code"] = code
        frames.append(full[columns].fillna({"actual_segments": 0, "actual_peak": 0}))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    return out.astype({"actual_segments": "int64", "actual_peak": "int64"})


def months_without_traffic(history: pd.DataFrame) -> dict[str, tuple[list[dt.date], bool]]:
    """Per short code with such months: its complete months without MT traffic after its
    first month with some, and whether the forecast treats them as missing (True) or, the
    code sending only now and then (more than MAX_MISSING_SHARE of its months), as zeros."""
    out = {}
    for code, group in history.groupby("short_code", sort=True):
        empty = sorted(group.loc[group["actual_segments"] == 0, "month"])
        if empty:
            out[code] = (empty, len(empty) <= MAX_MISSING_SHARE * len(group))
    return out


#: a month in which a short code that usually sends on at least SILENT_USUAL_DAYS days falls
#: silent for SILENT_RUN_DAYS days in a row or more holds part of its traffic only (logs not
#: loaded for those days, an outage): the forecast treats it as missing, as a month without
#: traffic (a probe: three weeks of missing logs took a March forecast from 1,449 to 528),
#: unless the same month of another year has such a silence too (a seasonal pause)
SILENT_USUAL_DAYS = 20
SILENT_RUN_DAYS = 10


def silent_months(con: duckdb.DuckDBPyConnection, contract: Contract,
                  history: pd.DataFrame) -> dict[str, list[tuple[dt.date, int, int]]]:
    """Per short code, its months with traffic and a long silence: (month, longest run of
    days without traffic inside it, the code's usual days with traffic in a month). Only the
    days the contract holds the code count (its since/until): a code subscribed on the 20th
    sent nothing before, no log is missing (a probe); a month held in part is not a usual
    month either (part_held_months treats it as missing, for the contract's reason)."""
    if history.empty:
        return {}
    months = warehouse.fetch_df(con, "forecast/month_silences", {"tz": contract.timezone})
    months["month"] = pd.to_datetime(months["month"]).dt.date
    months = months.merge(history.loc[history["actual_segments"] > 0, ["short_code", "month"]])
    part = part_held_months(contract, history)
    months = months[[m not in part.get(c, ()) for c, m in zip(months["short_code"], months["month"])]]
    months = months.assign(longest_silence=[_longest_held(contract.short_code(c), runs)
                                            for c, runs in zip(months["short_code"], months["silences"])])
    out: dict[str, list[tuple[dt.date, int, int]]] = {}
    for code, group in months.groupby("short_code", sort=True):
        usual = int(np.median(group["active_days"]))
        if usual < SILENT_USUAL_DAYS:
            continue
        # a silence that comes back in the same month of another year is the code's own
        # season (a Christmas pause), not logs missing: kept as it is
        long = group[group["longest_silence"] >= SILENT_RUN_DAYS]
        once = long[~long["month"].map(lambda m: m.month).duplicated(keep=False)]
        if len(once):
            out[code] = [(m, int(r), usual) for m, r in zip(once["month"], once["longest_silence"])]
    return out


def _longest_held(declared, runs) -> int:
    """The longest run of silent days (month_silences' first_day, last_day) counted over the
    days the contract holds the code (all days for a code it does not declare)."""
    since = declared.since if declared is not None and declared.since else dt.date.min
    until = declared.until if declared is not None and declared.until else dt.date.max
    lengths = [(min(run["last_day"], until) - max(run["first_day"], since)).days + 1 for run in runs]
    return max([n for n in lengths if n > 0], default=0)


def part_held_months(contract: Contract, history: pd.DataFrame) -> dict[str, list[dt.date]]:
    """Per contract short code, the months of its history the contract holds it in part (its
    since or until inside the month): their traffic is that of some days only, and the
    forecast treats them as missing (learnt as a whole month, 19 days of 30 would pull every
    month forecast down)."""
    out: dict[str, list[dt.date]] = {}
    for code, group in history.groupby("short_code", sort=True):
        declared = contract.short_code(code)
        if declared is None:
            continue
        months = [m for m in sorted(group["month"]) if _part_months(contract, code, [m])]
        if months:
            out[code] = months
    return out


def _part_held_notes(part: dict[str, list[dt.date]], contract: Contract) -> list[str]:
    return [f"{code}: {', '.join(month_label(m) for m in months)} held in part in the contract "
            f"({_dates(contract.short_code(code))}): treated as missing for the forecast (not a whole month of "
            "traffic)" for code, months in sorted(part.items())]


def _silent_notes(silent: dict[str, list[tuple[dt.date, int, int]]]) -> list[str]:
    return [f"{code}: {', '.join(f'{month_label(m)} ({run} days without MT traffic in a row)' for m, run, _ in found)}"
            f": it sends on {found[0][2]} days of a usual month; treated as missing for the forecast (part of "
            "the month's logs not loaded, or an outage?); load them and forecast again"
            for code, found in sorted(silent.items())]


def _as_missing(history: pd.DataFrame, also: dict[str, list[dt.date]] | None = None) -> pd.DataFrame:
    """The history with the months the forecast treats as missing as NaN (float columns);
    `also`: more of them per short code (silent_months)."""
    missing = [(code, month) for code, (months, treated) in months_without_traffic(history).items() if treated
               for month in months]
    missing += [(code, month) for code, months in (also or {}).items() for month in months]
    if not missing:
        return history
    out = history.astype({"actual_segments": float, "actual_peak": float})
    keys = pd.MultiIndex.from_frame(out[["short_code", "month"]]).isin(missing)
    out.loc[keys, ["actual_segments", "actual_peak"]] = np.nan
    return out


def _gap_notes(gaps: dict[str, tuple[list[dt.date], bool]]) -> list[str]:
    notes = []
    for code, (months, missing) in gaps.items():
        listed = ", ".join(month_label(m) for m in months)
        if missing:
            notes.append(f"{code}: no MT traffic in {listed}: treated as missing for the forecast (not as zero "
                         "traffic); logs not loaded? Load them and forecast again; if the short code was paused, "
                         "its forecast assumes it sends as before")
        else:
            notes.append(f"{code}: no MT traffic in {len(months)} of its months ({listed}): kept as zeros (a "
                         "short code that sends only now and then); its forecast is unreliable: check it "
                         "(--adjustments for planned campaigns)")
    return notes


def backtest(con: duckdb.DuckDBPyConnection, contract: Contract, horizon: int = 6,
             short_code: str | None = None) -> pd.DataFrame:
    """Scores per short code, metric (segments, peak) and method; see backtest.py."""
    return _backtest(con, contract, horizon, short_code)[0]


def backtest_detail(con: duckdb.DuckDBPyConnection, contract: Contract, horizon: int = 6,
                    short_code: str | None = None) -> pd.DataFrame:
    """Every scored forecast of the backtest (short_code, metric, origin, step, month, method...)."""
    return _backtest(con, contract, horizon, short_code)[1]


def _backtest(con, contract, horizon, short_code) -> tuple[pd.DataFrame, pd.DataFrame]:
    history = _as_missing(monthly_history(con, contract, short_code))
    parts = [backtest_frame(history, f"actual_{metric}", horizon) for metric in ("segments", "peak")]
    out = []
    for frames in zip(*parts):  # (scores of both metrics), (details of both metrics)
        kept = [f for f in frames if not f.empty]
        frame = pd.concat(kept, ignore_index=True) if kept else frames[0]
        if "metric" in frame:
            frame["metric"] = frame["metric"].str.removeprefix("actual_")
        out.append(frame)
    return out[0], out[1]


def backtest_notes(con: duckdb.DuckDBPyConnection, contract: Contract,
                   short_code: str | None = None) -> list[str]:
    """Why short codes are missing from the backtest: each needs a year of complete months
    before the first month it scores (BACKTEST_MONTHS in all)."""
    history = monthly_history(con, contract, short_code)
    need = (f"a short code needs at least {BACKTEST_MONTHS} complete months of history "
            "(a year before the first month scored)")
    if history.empty:
        first_day, last_day = data_coverage(con, contract)
        if first_day is None:
            return [f"no backtest: {need}; there is no MT data in the warehouse"]
        span = f"{first_day.isoformat()} to {last_day.isoformat()}"
        if short_code and monthly_actuals(con, contract, short_code).empty:
            return [f"no backtest: short code {short_code} has no MT traffic in the data ({span})"]
        return [f"no backtest: {need}; the MT data ({span}) holds no complete month"]
    gaps = _gap_notes(months_without_traffic(history))
    spans = history.groupby("short_code")["month"].agg(["size", "min", "max"])
    short = spans[spans["size"] < BACKTEST_MONTHS]
    if short.empty:
        return gaps
    head = "no backtest" if len(short) == len(spans) else "not backtested"
    return [f"{head}: {need}"] + [
        f"  {code}: {row['size']} complete month{'' if row['size'] == 1 else 's'} "
        f"({month_label(row['min'])} to {month_label(row['max'])})" for code, row in short.iterrows()] + gaps


def _check_adjustments(adjustments: pd.DataFrame, semester: Semester, contract: Contract) -> None:
    """A campaign on a short code outside the contract is refused, not dropped from the file
    unseen: the file needs the code's subscribed rate, which only the contract knows. So is
    one in a month the contract does not hold the code in (before its `since`, after its
    `until`): the file has no row for that month (a probe: 6,000 of 11,000 segments asked
    were lost, exit 0)."""
    errors = [f"row {r}, column month: {month_label(m)} is not in semester {semester.label}"
              for r, m in zip(adjustments["row_no"], adjustments["month"]) if m not in semester.months]
    errors += [f"row {r}, column short_code: {c} is not in the contract (add it with its subscribed rate "
               "to forecast it)" for r, c in zip(adjustments["row_no"], adjustments["short_code"])
               if contract.short_code(c) is None]
    for r, c, m in zip(adjustments["row_no"], adjustments["short_code"], adjustments["month"]):
        declared = contract.short_code(c)
        if declared is None or m not in semester.months or declared.held_in(m, _month_end(m)):
            continue
        errors.append(f"row {r}, column month: {month_label(m)} is outside the months the contract holds short "
                      f"code {c} in ({_dates(declared)}): fix the month, or the code's since/until in the contract")
    errors.sort(key=lambda e: int(e.split(",", 1)[0].removeprefix("row ")))
    if errors and adjustments.attrs.get("source"):  # read_adjustments: as its own errors read
        raise ForecastFileError(f"{adjustments.attrs['source']}: malformed:\n  " + "\n  ".join(errors))
    if errors:
        raise ForecastFileError("adjustments file: " + "; ".join(errors))


def next_forecast(con: duckdb.DuckDBPyConnection, contract: Contract, semester: str,
                  adjustments: pd.DataFrame | None = None, made_on: dt.date | None = None,
                  level: float = DEFAULT_LEVEL) -> NextForecast:
    """Forecast every short code (contract, history, adjustments) for each month of `semester`."""
    try:
        target = Semester.parse(semester)
    except ValueError as exc:
        raise UsageError(f"--semester: {exc}") from None
    made_on = made_on or default_made_on()
    first_day, last_day = data_coverage(con, contract)
    history = monthly_history(con, contract)
    until = history["month"].max() if len(history) else None
    _check_semester(target, until, last_day)
    if adjustments is None:
        adjustments = pd.DataFrame(columns=["row_no", "short_code", "month", "extra_segments", "peak_sms_per_s"])
    _check_adjustments(adjustments, target, contract)

    # run rates: every code without a complete month of traffic that has some since the last
    # complete month (all the data when there is none): a code opened in the partial month
    # at the end of the logs is forecast from it, not as a code without history
    since = add_months(until, 1) if until is not None else None
    rates = {code: rate for code, rate in _run_rates(con, contract, since).items()
             if code not in set(history["short_code"])}
    declared = {s.code for s in contract.short_codes}
    seen = set(history["short_code"]) | set(rates)
    if not declared:
        raise UsageError("nothing to forecast: the contract declares no short code"
                         + (f" (MT traffic on {', '.join(sorted(seen))})" if seen else ""))
    steps = months_between(until, target.months[-1]) if until is not None else 6
    gaps = months_without_traffic(history)
    missing = {code: months for code, (months, treated_missing) in gaps.items() if treated_missing}
    silent = silent_months(con, contract, history)
    part_held = part_held_months(contract, history)
    also = {code: [m for m, _, _ in found] for code, found in silent.items()}
    for code, months in part_held.items():
        also[code] = [*also.get(code, []), *months]
    for code, months in also.items():
        missing[code] = sorted({*missing.get(code, []), *months})
    profiles, lenders = _profiles(history, also)
    held = {code: _held_months(contract, code, target) for code in declared}
    parts = {code: _part_months(contract, code, held[code]) for code in declared}
    frames = {code: _code_rows(code, contract, history, rates, adjustments, target, steps, made_on, level,
                               missing.get(code, []), profiles, parts.get(code))
              for code in sorted(declared | seen)}
    figures = pd.concat([frames[c][frames[c]["month"].isin(held[c])] for c in sorted(declared)], ignore_index=True)
    # the notes go to Orange (Cover sheet): a short code outside the contract is in none of
    # them (traffic on an undeclared code is an R6 matter, not Orange's news); its own notes
    # are for the analyst (outside_notes, with left_out())
    def split(found: dict) -> tuple[dict, dict]:
        return ({c: v for c, v in found.items() if c in declared}, {c: v for c, v in found.items() if c not in declared})

    (gaps_in, gaps_out), (silent_in, silent_out) = split(gaps), split(silent)
    notes = (_gap_notes(gaps_in) + _silent_notes(silent_in) + _part_held_notes(part_held, contract)
             + _held_notes(held, contract, target)
             + _part_notes(_forecast_parts(parts, figures), contract)
             + _clamp_notes(adjustments, figures)
             + _profile_notes(figures, [c for c in lenders if c in declared], any(c not in declared for c in lenders)))
    outside_notes = _gap_notes(gaps_out) + _silent_notes(silent_out)
    if until is None:
        notes.append("no complete month of MT data: short codes with traffic are forecast from their daily "
                     "run rate ('run_rate'), the others are 'no_history' (zero + adjustments)")
    else:
        for codes, into in ((sorted(set(rates) & declared), notes), (sorted(set(rates) - declared), outside_notes)):
            if codes:
                into.append(f"{', '.join(codes)}: MT traffic only after the last complete month "
                            f"({month_label(until)}): forecast from the daily run rate of those days ('run_rate')")
    notes += _no_history_notes(figures) + _made_on_notes(made_on, last_day, target)
    return NextForecast(contract.forecast.contractor, target.label, made_on, level, until, figures,
                        throughput_options(figures), history, notes,
                        _outside([frames[c] for c in sorted(seen - declared)]),
                        (first_day, last_day) if first_day is not None else None, outside_notes)


def skipped_semesters(forecast: NextForecast) -> list[str]:
    """For the analyst (the command's stderr), never the file: the semesters a forecast skips
    when it is not for the next one, the one after the semester holding its made_on (or the
    data's last day, when later). A probe: `--semester 2028H2` made on 2026-11-27 was written
    without a word, 2027H1, 2027H2 and 2028H1 in between (a typo, or a forecast Orange never gets)."""
    days = [forecast.made_on] + ([forecast.data_days[1]] if forecast.data_days else [])
    after = Semester.of(add_months(Semester.of(max(days)).months[-1], 1))
    target = Semester.parse(forecast.semester)
    between, semester = [], after
    while semester.start < target.start:
        between.append(semester.label)
        semester = Semester.of(add_months(semester.months[-1], 1))
    if not between:
        return []
    return [f"{target.label} is not the next semester: made on {forecast.made_on.isoformat()}, the next one is "
            f"{after.label}; this forecast skips {', '.join(between)} (a typo in --semester? each semester "
            "needs its own forecast for Orange)"]


def default_made_on() -> dt.date:
    """The date a forecast is made on when none is given: today, the day its file is
    written. `opsanalytics forecast` and page 60 both take it, so the page shows what the
    file says (a probe: the page dated it the data's last day, the file the day it was made)."""
    return dt.date.today()


def _held_months(contract: Contract, code: str, target: Semester) -> list[dt.date]:
    """The semester's months in which the contract holds `code` (its `since` and `until`): a
    code given up has no forecast to send, and R9 would then judge the months after it
    against a forecast of traffic it never meant to carry."""
    declared = contract.short_code(code)
    return [m for m in target.months if declared.held_in(m, add_months(m, 1) - dt.timedelta(days=1))]


def _part_months(contract: Contract, code: str, months: list[dt.date]) -> dict[dt.date, tuple[int, int]]:
    """The months among `months` the contract holds `code` in part (its `since` or `until`
    inside the month): month -> (days held, days of the month). A whole month's forecast for
    a code held 15 of its 31 days would read at R9 as a -52 % shortfall (a probe)."""
    declared = contract.short_code(code)
    out = {}
    for month in months:
        end = _month_end(month)
        first = max(month, declared.since) if declared.since else month
        last = min(end, declared.until) if declared.until else end
        days, held = (end - month).days + 1, (last - first).days + 1
        if 0 < held < days:  # (a month not held at all has no row: _held_months)
            out[month] = (held, days)
    return out


def _forecast_parts(parts: dict[str, dict[dt.date, tuple[int, int]]],
                    figures: pd.DataFrame) -> dict[str, dict[dt.date, tuple[int, int]]]:
    """`parts` less the months a code has no forecast in to scale (no history: its placeholder
    0 has its own note; a probe: 'the whole month's forecast x 17/31' beside 'a placeholder')."""
    placeholder = {(r.short_code, r.month) for r in figures.itertuples() if str(r.method).startswith("no_history")}
    return {code: {m: v for m, v in months.items() if (code, m) not in placeholder} for code, months in parts.items()}


def _part_notes(parts: dict[str, dict[dt.date, tuple[int, int]]], contract: Contract) -> list[str]:
    return [f"{code}: held {held} of the {days} days of {month_label(month)} ({_dates(contract.short_code(code))} "
            f"in the contract): that month's segments and their interval are the whole month's forecast x "
            f"{held}/{days}; its peak rate is as forecast"
            for code, months in sorted(parts.items()) for month, (held, days) in sorted(months.items())]


def _no_history_notes(figures: pd.DataFrame) -> list[str]:
    """A contract short code without MT traffic goes to Orange as 0 segments and 0/s in the
    months no planned campaign fills: a placeholder, said so (R9 flags any traffic against a
    forecast of 0)."""
    notes = []
    for code, group in figures.groupby("short_code", sort=True):
        if not group["method"].str.startswith("no_history").all():
            continue
        empty = group.loc[group["method"] == "no_history", "month"]
        if empty.empty:
            continue
        which = "" if len(empty) == len(group) else " in " + ", ".join(month_label(m) for m in sorted(empty))
        notes.append(f"{code}: no MT traffic in the history ('no_history'): its 0 segments and 0/s{which} are a "
                     "placeholder, not a forecast; give its planned campaigns with --adjustments")
    return notes


def _month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def _dates(declared) -> str:
    """A short code's `since` and `until` as the contract gives them ('since 2027-04-01')."""
    return ", ".join(f"{key} {value.isoformat()}" for key, value in
                     (("since", declared.since), ("until", declared.until)) if value is not None)


def _held_notes(held: dict[str, list[dt.date]], contract: Contract, target: Semester) -> list[str]:
    notes = []
    for code, months in sorted(held.items()):
        if len(months) == len(target.months):
            continue
        declared = contract.short_code(code)
        dates = ", ".join(f"{key} {value.isoformat()}" for key, value in
                          (("since", declared.since), ("until", declared.until)) if value is not None)
        left = [month_label(m) for m in target.months if m not in months]
        notes.append(f"{code}: subscribed {dates} in the contract: no forecast for {', '.join(left)}"
                     + ("" if months else f" (none of {target.label})"))
    return notes


def _made_on_notes(made_on: dt.date, last_day: dt.date | None, target: Semester) -> list[str]:
    """A `made_on` the file could not truly carry: before the last day of the logs it was
    learnt from (back-dated: R9 judges each month by the version made before it), or once
    the semester has begun (its past months are hindsight, `forecast load` says which)."""
    notes = []
    if last_day is not None and made_on < last_day:
        notes.append(f"made on {made_on.isoformat()}, before the last day of the logs it was learnt from "
                     f"({last_day.isoformat()}): a back-dated forecast; R9 will judge months by this date")
    if made_on >= target.months[0]:
        notes.append(f"made on {made_on.isoformat()}, once {target.label} has begun: its months up to then "
                     "are hindsight, not a forecast (forecast load says which)")
    return notes


def _clamp_notes(adjustments: pd.DataFrame, figures: pd.DataFrame) -> list[str]:
    """Adjustments that would take a month below 0 segments: what was asked, what was applied."""
    if adjustments.empty:
        return []
    asked = adjustments.groupby(["short_code", "month"])["extra_segments"].sum()
    applied = figures.set_index(["short_code", "month"])["adjustment_segments"]
    return [f"{code} {month_label(month)}: adjustment of {int(want):,} segments applied as {int(applied[(code, month)]):,}: "
            f"the forecast ({-int(applied[(code, month)]):,}) cannot go below 0 segments"
            for (code, month), want in asked.items()
            if (code, month) in applied.index and int(applied[(code, month)]) != int(want)]


def _check_semester(target: Semester, until: dt.date | None, last_day: dt.date | None) -> None:
    """The semester must not have started by the end of the data, complete months or not."""
    if until is not None:
        if target.start <= until:
            raise UsageError(f"semester {target.label} starts on or before {month_label(until)}, the last "
                             "complete month of data: forecast a semester that has not started yet")
    elif last_day is None:
        raise UsageError("no MT data in the warehouse: there is no complete month of history to forecast "
                         "from (ingest the logs first)")
    elif target.start <= last_day:
        raise UsageError(f"semester {target.label} starts on or before {last_day.isoformat()}, the last day "
                         "of MT data, and the data holds no complete month of history to forecast from: "
                         "forecast a semester that has not started yet")


def _profiles(history: pd.DataFrame, silent: dict[str, list[dt.date]]) -> tuple[dict[str, np.ndarray], list[str]]:
    """The seasonal profiles (segments, peak) the short codes with two years of history lend
    to those too new to show their own seasons (model.seasonal_profile), and the lenders;
    `silent`: months treated as missing beside those without traffic (silent_months)."""
    observed = _as_missing(history, silent)
    # (a code that sends only now and then keeps its zero months: on the log scale they would
    # be seasons of their own; it lends none)
    steady = [g for _, g in observed.groupby("short_code", sort=True) if not (g["actual_segments"] == 0).any()]
    series = {column: [(list(g["month"]), g[column].to_numpy(dtype=float)) for g in steady]
              for column in ("actual_segments", "actual_peak")}
    lenders = sorted(g["short_code"].iloc[0] for g in steady
                     if int(g["actual_segments"].notna().sum()) >= MIN_PROFILE_MONTHS)
    profiles = {key: seasonal_profile(series[column]) for key, column in (("segments", "actual_segments"),
                                                                          ("peak", "actual_peak"))}
    return {key: value for key, value in profiles.items() if value is not None}, lenders


def _profile_notes(figures: pd.DataFrame, lenders: list[str], others: bool = False) -> list[str]:
    """`lenders`: the contract's codes lending their seasons, named; `others`: codes outside
    the contract lend too (never named in a note for Orange)."""
    borrowers = sorted(set(figures.loc[figures["method"].str.contains("seasonal_(?:mean_last_3|last_value)"),
                                       "short_code"]))
    if not borrowers:
        return []
    named = ", ".join(lenders + (["other short codes of the logs"] if others else []))
    if not lenders:
        named = "other short codes of the logs"
    return [f"{', '.join(borrowers)}: less than a year of history: forecast with the seasons of "
            f"{named} (two years or more), not by carrying its last months' level into the "
            "semester (a code opened in autumn would carry December into January)"]


def _code_rows(code, contract, history, rates, adjustments, target, steps, made_on, level,
               missing=(), profiles=None, parts=None) -> pd.DataFrame:
    """One short code's six months; subscribed_rate is NA for a code outside the contract.
    `missing`: months of its history without traffic that the fit treats as missing;
    `profiles`: the seasons a code too new to show its own borrows (_profiles); `parts`: the
    months the contract holds it in part (_part_months), whose segments and interval are
    scaled to the days held (planned campaigns are added whole; the peak is a rate, kept)."""
    profiles, parts = profiles or {}, parts or {}
    series = history[history["short_code"] == code]
    series = series.assign(**{column: series[column].astype(float).where(~series["month"].isin(list(missing)))
                              for column in ("actual_segments", "actual_peak")})
    if code in rates:  # less than one complete month of its traffic: the semester's six months
        per_day, seen_peak = rates[code]
        days = np.array([(add_months(m, 1) - m).days for m in target.months])
        seg, peak = run_rate(per_day, days, level), run_rate(seen_peak, np.ones(6), level)
        first = 0
    else:  # `steps` months after the history, the semester's the last six
        months = list(series["month"])
        seg = forecast_series(series["actual_segments"].to_numpy(), steps, level, months, profiles.get("segments"))
        peak = forecast_series(series["actual_peak"].to_numpy(), steps, level, months, profiles.get("peak"))
        first = steps - 6
    declared = contract.short_code(code)
    codes = adjustments["short_code"] == code
    extra = adjustments[codes].groupby("month")["extra_segments"].sum()
    planned_peak = adjustments[codes].dropna(subset=["peak_sms_per_s"]).groupby("month")["peak_sms_per_s"].max()
    rows = []
    for i, month in enumerate(target.months):
        k = first + i
        add = int(extra.get(month, 0))
        held, days = parts.get(month, (1, 1))
        share = held / days
        base = int(round(seg.mean[k] * share))
        applied = max(0, base + add) - base  # a removal larger than the forecast stops at 0 segments
        peak_mean = max(float(peak.mean[k]), float(planned_peak.get(month, 0.0)))
        peak_high = max(float(peak.high[k]), float(planned_peak.get(month, 0.0)))
        method = seg.method if seg.method == peak.method else f"{seg.method} / peak: {peak.method}"
        # a code without history and no planned peak: its 0/s is a placeholder, no tier is
        # advised on it (a probe: required_rate 10 beside the note saying 'no tier advice')
        placeholder = method.startswith("no_history") and peak_mean == 0
        tier = None if placeholder else pricing.cheapest_tier(math.ceil(peak_mean - 1e-9))
        rows.append({
            "short_code": code, "month": month,
            "mt_segments": base + applied,
            "peak_sms_per_s": float(math.ceil(peak_mean - 1e-9)),
            "subscribed_rate": declared.rate if declared else pd.NA, "semester": target.label, "made_on": made_on,
            "segments_low": max(0, int(math.floor(seg.low[k] * share)) + add),
            "segments_high": max(0, int(math.ceil(seg.high[k] * share)) + add),
            "peak_low": float(math.floor(peak.low[k])), "peak_high": float(math.ceil(peak_high - 1e-9)),
            "required_rate": tier.rate if tier else np.nan,   # (a float column: 10.0, NaN; written 10, empty)
            "adjustment_segments": applied,
            "method": method + (" + adjustment" if add else ""),
        })
    return pd.DataFrame(rows)


def _outside(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Per short code outside the contract: what its traffic would need, and why it is left out."""
    rows = []
    for frame in frames:
        peak = float(frame["peak_sms_per_s"].max())
        needed = pricing.cheapest_tier(peak)
        rows.append({
            "short_code": frame["short_code"].iloc[0], "method": frame["method"].iloc[0],
            "mt_segments": int(frame["mt_segments"].sum()), "forecast_peak": peak,
            "required_rate": needed.rate if needed else pd.NA,
            "note": (f"MT traffic but not in the contract: left out of the file for Orange (forecast peak "
                     f"{peak:g}/s); add it to the contract with its subscribed rate to forecast it"),
        })
    return pd.DataFrame(rows, columns=["short_code", "method", "mt_segments", "forecast_peak", "required_rate",
                                       "note"])


def _run_rates(con: duckdb.DuckDBPyConnection, contract: Contract,
               since: dt.date | None = None) -> dict[str, tuple[float, float]]:
    """Per short code: segments per day over the days the data covers (from `since`, the
    first day of a month, when given), and the peak seen over them."""
    first_day, last_day = data_coverage(con, contract)
    if first_day is None:
        return {}
    start = first_day if since is None else max(first_day, since)
    if start > last_day:
        return {}
    actuals = monthly_actuals(con, contract)
    actuals = actuals[actuals["month"] >= start.replace(day=1)]
    covered = (last_day - start).days + 1
    return {code: (float(group["actual_segments"].sum()) / covered, float(group["actual_peak"].max()))
            for code, group in actuals.groupby("short_code")}


def throughput_options(figures: pd.DataFrame) -> pd.DataFrame:
    """Per short code: forecast peak vs subscribed tier, the tier it needs, and every tier's
    monthly cost (50 SMS/s and more must be requested from Orange). `peak_month` is the month
    of `forecast_peak` (the first, on a tie), `peak_high_month` that of `forecast_peak_high`."""
    rows = []
    for code, group in figures.groupby("short_code", sort=True):
        peak = float(group["peak_sms_per_s"].max())
        peak_high = float(group["peak_high"].max())
        subscribed = int(group["subscribed_rate"].iloc[0])
        no_history = "method" in group and bool(group["method"].str.startswith("no_history").all())
        placeholder = no_history and peak == 0   # no tier advised on a placeholder 0/s
        needed = None if placeholder else pricing.cheapest_tier(peak)
        needed_high = None if placeholder and peak_high == 0 else pricing.cheapest_tier(peak_high)
        row = {
            "short_code": code, "subscribed_rate": subscribed, "forecast_peak": peak,
            # each peak beside its own month: the high bound's largest may fall in another
            # month than the forecast's (a probe: peak_month 2027-01 beside June's 132/s)
            "peak_month": month_label(group.loc[group["peak_sms_per_s"].idxmax(), "month"]),
            "forecast_peak_high": peak_high,
            "peak_high_month": month_label(group.loc[group["peak_high"].idxmax(), "month"]),
            "required_rate": needed.rate if needed else pd.NA,
            "required_rate_high": needed_high.rate if needed_high else pd.NA,
        }
        row["needs_higher_tier"] = not placeholder and (needed is None or needed.rate > subscribed)
        row["must_request"] = bool(row["needs_higher_tier"] and (needed is None or needed.must_request))
        row["required_monthly_eur"] = needed.monthly_eur if needed else np.nan
        row["subscribed_monthly_eur"] = pricing.THROUGHPUT_MONTHLY_EUR[subscribed]
        row["change_fee_eur"] = pricing.THROUGHPUT_CHANGE_EUR if row["needs_higher_tier"] and needed else 0.0
        for option in pricing.tier_options(peak):
            row[f"eur_{option.rate}"] = option.monthly_eur
        row["note"] = _tier_note(peak, subscribed, needed, peak_high, needed_high, no_history)
        rows.append(row)
    return pd.DataFrame(rows)


def _tier_note(peak: float, subscribed: int, needed, peak_high: float | None = None, needed_high=None,
               no_history: bool = False) -> str:
    """What the forecast peak asks of the throughput tier: a higher one (and at what cost),
    or none; and a lower one when even the interval's high peak fits it (money the contract
    spends on a rate the traffic does not use). `no_history`: the code has no MT traffic to
    learn from, its peak is the planned campaigns' or a placeholder 0: no cheaper tier is
    advised on it (a probe: '800 EUR/month less' for a code not opened yet)."""
    if no_history and peak == 0:
        return (f"no history: forecast peak {peak:g}/s is a placeholder, not a forecast; no tier advice "
                "(give its planned campaigns with --adjustments)")
    if needed is None:
        return (f"forecast peak {peak:g}/s exceeds the largest tier (150/s): spread campaigns over "
                "more time or more short codes")
    if needed.rate <= subscribed:
        if no_history:
            return f"forecast peak {peak:g}/s (planned campaigns only, no history) fits the subscribed {subscribed}/s"
        note = f"forecast peak {peak:g}/s fits the subscribed {subscribed}/s"
        if needed_high is not None and needed_high.rate < subscribed:
            saving = pricing.THROUGHPUT_MONTHLY_EUR[subscribed] - needed_high.monthly_eur
            note += (f"; the {needed_high.rate}/s tier would carry even the high peak {peak_high:g}/s, "
                     f"{saving:,.0f} EUR/month less ({pricing.THROUGHPUT_CHANGE_EUR:,.0f} EUR change fee)")
        return note
    ask = " and must be requested from Orange" if needed.must_request else ""
    return (f"forecast peak {peak:g}/s exceeds the subscribed {subscribed}/s: the {needed.rate}/s tier "
            f"({needed.monthly_eur:,.0f} EUR/month, {pricing.THROUGHPUT_CHANGE_EUR:,.0f} EUR change fee) is needed{ask}")
