"""Months of monthly-seasonal MT traffic with known growth, and the forecasts "submitted" to
Orange for past semesters with known deviations injected: the ground truth of R9.

Scale is deliberately low (tens of segments a day per short code, sent as one burst a day)
so that two years load in seconds; what R9 needs is exact: every month's accepted segments
and peak per-second rate are known by construction, and so is every forecast deviation.
Traps: refused lines in the busiest second (they must count neither in volume nor in peak),
long messages logged once as 2 segments, a forecast correction that hides an original
deviation, one that introduces a new one, a late correction made after its month ended
(hindsight, ignored), and a short code launched late with no forecast for its first month.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from opsanalytics.forecast.periods import Semester, add_months, month_label

#: monthly seasonal index (January..December), mean 1: summer trough, December peak
SEASONALITY = (0.85, 0.80, 0.95, 1.00, 1.05, 0.95, 0.75, 0.60, 1.00, 1.10, 1.25, 1.70)
CONTRACTOR = "Acme Messaging SAS"


@dataclass(frozen=True)
class CodeSpec:
    code: str
    service: str
    rate: int               # subscribed SMS/s in the contract
    daily_segments: float   # level at month 0 per sending day, before seasonality
    peak: float             # burst rate (segments/s) at month 0, before seasonality
    growth: float           # per month, compounded
    first_month: int = 0    # month index the short code starts sending
    hour: int = 10          # local hour of the daily burst
    every: int = 1          # sends on the 1st, then every `every` days of the month


CODES = (
    CodeSpec("36180", "acme", 10, daily_segments=30, peak=6, growth=0.020),
    CodeSpec("36181", "promo", 20, daily_segments=45, peak=22, growth=0.015, hour=11, every=3),
    CodeSpec("36190", "news", 10, daily_segments=20, peak=4, growth=0.030, first_month=20, hour=14),
)


@dataclass(frozen=True)
class Injection:
    """One forecast deviation planted on purpose. deviation = actual / forecast - 1."""

    code: str
    month_index: int
    segments: float = 0.0       # deviation of the segments forecast
    peak: float = 0.0           # deviation of the peak forecast
    version: str = "original"   # original | correction | late
    flagged: bool = True        # what R9 must say about the month


INJECTIONS = (
    Injection("36180", 3, segments=0.45),
    Injection("36181", 8, segments=-0.40),
    Injection("36181", 11, peak=0.60),
    Injection("36180", 14, segments=-0.30, peak=0.50),
    Injection("36181", 16, segments=0.50, flagged=False),          # the correction fixes it
    Injection("36180", 17, segments=-0.35, version="correction"),   # the correction breaks it
    Injection("36181", 20, segments=0.15, flagged=False),           # within the 20 % tolerance
)
#: month indexes of the corrections: (semester start index, months covered, made_on offset)
CORRECTION_MONTHS = (15, 16, 17)


@dataclass
class History:
    """Everything the generator made: events, contract, forecast files and the truth."""

    start: dt.date
    months: int
    contract_toml: str
    events: pd.DataFrame                      # columns of the `events` table, minus provenance
    forecasts: dict[str, pd.DataFrame]        # file name -> rows of a forecast file
    truth_months: pd.DataFrame                # short_code, month, segments, peak, expected_segments
    truth_flags: pd.DataFrame                 # short_code, month, reason
    next_semester: str = ""
    codes: tuple[CodeSpec, ...] = field(default=CODES)

    def write(self, out: str | Path) -> dict[str, Path]:
        """events.parquet (canonical columns), contract.toml, forecasts/*.csv, truth.json."""
        from opsanalytics.forecast.files import write_forecast_csv

        out = Path(out)
        (out / "forecasts").mkdir(parents=True, exist_ok=True)
        paths = {"events": out / "events.parquet", "contract": out / "contract.toml", "truth": out / "truth.json"}
        self.events.to_parquet(paths["events"], index=False)
        paths["contract"].write_text(self.contract_toml, encoding="utf-8")
        for name, frame in self.forecasts.items():
            write_forecast_csv(frame, out / "forecasts" / name)
        truth = {
            "start": month_label(self.start), "months": self.months, "next_semester": self.next_semester,
            "monthly": [{**r, "month": month_label(r["month"])} for r in self.truth_months.to_dict("records")],
            "r9_flags": [{**r, "month": month_label(r["month"])} for r in self.truth_flags.to_dict("records")],
            "forecast_files": sorted(self.forecasts),
        }
        paths["truth"].write_text(json.dumps(truth, indent=1, default=_json), encoding="utf-8")
        return paths


def _json(value):
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def contract_toml(codes: tuple[CodeSpec, ...] = CODES) -> str:
    lines = ['timezone = "Europe/Paris"', 'log_timezone = "UTC"', "", "[rules]", "forecast_tolerance = 0.20", "",
             "[forecast]", f'contractor = "{CONTRACTOR}"', ""]
    for spec in codes:
        lines += ["[[short_codes]]", f'code = "{spec.code}"', f'smsc = "orange_{spec.code}"', f"rate = {spec.rate}", ""]
    for spec in codes:
        lines += ["[[services]]", f'name = "{spec.service}"', f'brand = "{spec.service.capitalize()}"',
                  'category = "marketing"', ""]
    return "\n".join(lines)


def _month_days(month: dt.date) -> int:
    return (add_months(month, 1) - month).days


def _sending_days(month: dt.date, spec: CodeSpec) -> list[int]:
    return list(range(0, _month_days(month), spec.every))


def monthly_plan(start: dt.date, months: int, seed: int, codes: tuple[CodeSpec, ...] = CODES) -> pd.DataFrame:
    """Per short code and month: segments and peak the traffic will have, and the noise-free
    expectation (level x seasonality x growth) a forecast should find."""
    rng = np.random.default_rng(seed)
    rows = []
    for spec in codes:
        noise = rng.normal(0.0, 0.03, months)
        for t in range(spec.first_month, months):
            month = add_months(start, t)
            season = SEASONALITY[month.month - 1]
            trend = (1 + spec.growth) ** t
            days = len(_sending_days(month, spec))
            expected = spec.daily_segments * days * season * trend
            segments = int(round(expected * np.exp(noise[t])))
            peak = max(1, min(int(round(spec.peak * season * trend)), segments // days))
            rows.append({"short_code": spec.code, "month": month, "segments": segments, "peak": peak,
                         "expected_segments": expected, "expected_peak": spec.peak * season * trend})
    return pd.DataFrame(rows)


def _day_lines(segments: int, rate: int) -> np.ndarray:
    """Segments of each line of one day's burst, second by second: every full second carries
    exactly `rate` segments (a quarter of them as 2-segment long messages), the last the rest."""
    full, rest = divmod(segments, rate)
    doubles = rate // 4
    second = np.array([2] * doubles + [1] * (rate - 2 * doubles), dtype=np.int32)
    seconds = np.concatenate([np.repeat(np.arange(full), len(second)), np.full(rest, full)])
    sizes = np.concatenate([np.tile(second, full), np.ones(rest, dtype=np.int32)])
    return np.stack([seconds, sizes])


def _events(plan: pd.DataFrame, codes: tuple[CodeSpec, ...], seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 1)
    by_code = {c.code: c for c in codes}
    starts, offsets, sizes, outcomes, code_of = [], [], [], [], []
    for row in plan.itertuples(index=False):
        spec = by_code[row.short_code]
        sending = _sending_days(row.month, spec)
        days = len(sending)
        daily = np.full(days, row.segments // days)
        daily[: row.segments % days] += 1
        local = (pd.Timestamp(row.month) + pd.to_timedelta(sending, unit="D")) + pd.Timedelta(hours=spec.hour)
        day_starts = local.tz_localize("Europe/Paris").tz_convert("UTC")
        for day in range(days):
            seconds, day_sizes = _day_lines(int(daily[day]), row.peak)
            # trap: two refused submits in the busiest second count in neither volume nor peak
            seconds = np.concatenate([seconds, [0, 0]])
            day_sizes = np.concatenate([day_sizes, [1, 1]])
            starts.append(np.full(len(seconds), day_starts[day].value))
            offsets.append(seconds)
            sizes.append(day_sizes)
            outcomes.append(np.concatenate([np.zeros(len(seconds) - 2, bool), [True, True]]))
            code_of.append(np.full(len(seconds), spec.code))
    refused = np.concatenate(outcomes)
    logged_at = pd.to_datetime(np.concatenate(starts) + np.concatenate(offsets).astype(np.int64) * 10**9, utc=True)
    events = pd.DataFrame({
        "logged_at": logged_at,
        "segments": np.concatenate(sizes),
        "outcome": np.where(refused, "refused", "accepted"),
        "label": np.where(refused, "REJECTED Send SMS", "Sent SMS"),
        "short_code": np.concatenate(code_of),
    })
    events["service"] = events["short_code"].map({c.code: c.service for c in codes})
    n = len(events)
    code = events["short_code"]
    long = events["segments"] == 2
    short_text = "Acme: -20% ce week-end sur tout le magasin. STOP au " + code
    long_text = ("Acme: nos soldes d'hiver commencent demain, jusqu'a -50% sur une selection d'articles "
                 "en magasin et sur le site, livraison offerte des 30 EUR d'achat, offre valable jusqu'a "
                 "dimanche inclus. STOP au " + code)
    events["text"] = np.where(long, long_text, short_text)
    events = events.assign(
        kind="mt", smsc="orange_" + code, account="", binfo="",
        fid=[f"{i:010x}" for i in rng.permutation(n)], meta="", sender=code,
        receiver=["+336" + f"{x:08d}" for x in rng.integers(0, 10**8, n)],
        mclass=np.int16(-1), coding=np.int16(0), mwi=np.int16(-1), compress=np.int16(-1),
        dlr_mask=np.int32(31), text_len=events["text"].str.len().astype("int32"),
        text_lossy=False, udh="", segments_exact=True,
    )
    events.loc[events["outcome"] == "refused", "fid"] = ""
    events = events.sort_values("logged_at", kind="stable").reset_index(drop=True)
    columns = ["logged_at", "label", "kind", "outcome", "smsc", "service", "account", "binfo", "fid", "meta",
               "sender", "receiver", "mclass", "coding", "mwi", "compress", "dlr_mask", "text_len", "text",
               "text_lossy", "udh", "segments", "segments_exact"]
    events["segments"] = events["segments"].astype("int32")
    return events[columns]


def _forecast_rows(plan: pd.DataFrame, months: list[dt.date], codes: list[str], made_on: dt.date,
                   deviations: dict[tuple[str, int], Injection], start: dt.date, rng: np.random.Generator,
                   rates: dict[str, int], version: str) -> pd.DataFrame:
    truth = plan.set_index(["short_code", "month"])
    rows = []
    for code in codes:
        for month in months:
            if (code, month) not in truth.index:
                continue
            actual = truth.loc[(code, month)]
            index = (month.year - start.year) * 12 + month.month - start.month
            injected = deviations.get((code, index))
            dev_s, dev_p = rng.uniform(-0.06, 0.06, 2)  # an honest forecast: within +-6 %
            if injected is not None and injected.version == version:
                dev_s = injected.segments if injected.segments else dev_s
                dev_p = injected.peak if injected.peak else dev_p
            rows.append({
                "short_code": code, "month": month,
                "mt_segments": int(round(actual["segments"] / (1 + dev_s))),
                "peak_sms_per_s": round(float(actual["peak"]) / (1 + dev_p), 2),
                "subscribed_rate": rates[code], "semester": Semester.of(month).label, "made_on": made_on,
            })
    return pd.DataFrame(rows)


def generate_history(months: int = 24, start: dt.date = dt.date(2025, 1, 1), seed: int = 7,
                     codes: tuple[CodeSpec, ...] = CODES) -> History:
    """Traffic, contract, past forecast files and R9 ground truth (deterministic for a seed)."""
    if months < 6:
        raise ValueError("history needs at least 6 months (one semester)")
    start = start.replace(day=1)
    plan = monthly_plan(start, months, seed, codes)
    events = _events(plan, codes, seed)
    rng = np.random.default_rng(seed + 2)
    rates = {c.code: c.rate for c in codes}
    deviations = {(i.code, i.month_index): i for i in INJECTIONS if i.month_index < months}
    late_codes = {c.code: c.first_month for c in codes}

    forecasts: dict[str, pd.DataFrame] = {}
    flags = []
    all_months = [add_months(start, t) for t in range(months)]
    semesters = sorted({Semester.of(m) for m in all_months}, key=lambda s: (s.year, s.half))
    for semester in semesters:
        sem_months = [m for m in semester.months if m in all_months]
        first_index = (sem_months[0].year - start.year) * 12 + sem_months[0].month - start.month
        # a code is in the original version only if it was already sending when it was made
        known = [c.code for c in codes if c.first_month <= first_index - 1 or c.first_month == 0]
        made_on = semester.start - dt.timedelta(days=17)
        forecasts[f"{semester.label}_v1.csv"] = _forecast_rows(
            plan, sem_months, known, made_on, deviations, start, rng, rates, "original")
        correction = [add_months(start, i) for i in CORRECTION_MONTHS if i < months]
        correction = [m for m in correction if m in sem_months]
        if correction:
            made = correction[0] - dt.timedelta(days=22)
            forecasts[f"{semester.label}_v2.csv"] = _forecast_rows(
                plan, correction, known, made, deviations, start, rng, rates, "correction")
            # hindsight: restating the last corrected month with its actual value, after it ended
            last = correction[-1]
            late = _forecast_rows(plan, [last], known, add_months(last, 1) + dt.timedelta(days=19),
                                  {}, start, np.random.default_rng(0), rates, "late")
            truth = plan.set_index(["short_code", "month"])
            late["mt_segments"] = [int(truth.loc[(c, last), "segments"]) for c in late["short_code"]]
            forecasts[f"{semester.label}_v3_late.csv"] = late
        # short codes launched during the semester: forecast from the month after launch only
        for code, first in late_codes.items():
            if first_index < first <= first_index + len(sem_months) - 1 and first != 0:
                launch = add_months(start, first)
                later = [m for m in sem_months if m > launch]
                if later:
                    forecasts[f"{semester.label}_v2_{code}.csv"] = _forecast_rows(
                        plan, later, [code], launch + dt.timedelta(days=19), deviations, start, rng, rates,
                        "original")
                flags.append({"short_code": code, "month": launch, "reason": "no_forecast"})
    for injection in deviations.values():
        if injection.flagged:
            reason = "+".join(k for k in ("segments", "peak") if getattr(injection, k))
            flags.append({"short_code": injection.code, "month": add_months(start, injection.month_index),
                          "reason": reason})
    truth_flags = pd.DataFrame(flags).sort_values(["short_code", "month"]).reset_index(drop=True)
    next_semester = Semester.of(add_months(start, months))
    if next_semester.start != add_months(start, months):
        next_semester = Semester.of(add_months(next_semester.start, 6))
    return History(start=start, months=months, contract_toml=contract_toml(codes), events=events,
                   forecasts=forecasts, truth_months=plan, truth_flags=truth_flags,
                   next_semester=next_semester.label, codes=codes)


def load_history(con, history: History, contract=None) -> int:
    """Insert the history's events as one load (manifest row, events) and rebuild the facts,
    in one transaction: the fast path for tests and `simulate-history --db`. Returns load_id.

    The same events are written by History.write() as canonical Parquet for `ingest`."""
    from opsanalytics import facts, warehouse
    from opsanalytics.config import parse_contract

    contract = contract or parse_contract(history.contract_toml, "simulated history contract")
    with warehouse.transaction(con):
        (load_id,) = warehouse.execute(con, "staging/next_load_id").fetchall()[0]
        con.register("history_events", history.events)
        try:
            warehouse.execute(con, "forecast/history_events_insert", {"load_id": load_id}).fetchall()
        finally:
            con.unregister("history_events")
        n = len(history.events)
        warehouse.execute(con, "staging/manifest_insert", {
            "load_id": load_id, "path": f"simulated-history:{month_label(history.start)}+{history.months}m",
            "sha256": f"simulated-history-{month_label(history.start)}-{history.months}-{n}", "size_bytes": 0,
            "format": "canonical", "log_timezone": None, "lines": n, "events": n, "markers": 0, "rejected": 0,
            "state": "loaded", "content_sha256": None, "content_bytes": None, "complete_sha256": None,
            "complete_bytes": None, "complete_lines": None, "head_sha256": None, "first_line": 1,
            "continues_load_id": None,
        }).fetchall()
        facts.build(con, contract)
    return int(load_id)
