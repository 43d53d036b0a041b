"""What every audit returns, and how it is written for scripts (the JSON contract of
`opsanalytics audit ... --format json`)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from opsanalytics.config import Contract


@dataclass(frozen=True)
class Filters:
    """Period (local calendar dates, both inclusive), short code and brand of an audit run."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    short_code: str | None = None
    brand: str | None = None

    def params(self, contract: Contract) -> dict[str, Any]:
        """Bound parameters every audit SQL may name ($date_from, $tz, ...)."""
        rules = contract.rules
        return {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "short_code": self.short_code,
            "brand": self.brand,
            "tz": contract.timezone,
            "frequency_cap": rules.frequency_cap,
            "window_start": dt.time.fromisoformat(rules.window[0]),
            "window_end": dt.time.fromisoformat(rules.window[1]),
            "stop_grace_minutes": rules.stop_grace_minutes,
            "session_hours": rules.session_hours,
            "forecast_tolerance": rules.forecast_tolerance,
        }


@dataclass
class AuditResult:
    """Breaches of one rule: `rows` (one per breach, sorted by severity/time), the count the
    JSON contract calls `violations`, a `summary`, and optional `details` tables (e.g. R2's
    late deliveries, R4's STOP statistics) that reports show but that are not breaches."""

    rule: str
    name: str
    violations: int
    rows: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    details: dict[str, pd.DataFrame] = field(default_factory=dict)

    def to_json(self, timezone: str) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "violations": int(self.violations),
            "rows": frame_records(self.rows, timezone),
            "summary": self.summary_json(timezone),
        }

    def summary_json(self, timezone: str) -> dict[str, Any]:
        """The summary as the JSON writes it, without converting every row (a table shows 50)."""
        return {k: _scalar(v, timezone) for k, v in self.summary.items()}


def counts_by(frame: pd.DataFrame, column: str) -> dict[str, int]:
    """{value: rows} of one column, most frequent first, a missing value as `(none)`: the
    'by reason' / 'by brand' of a summary, and the bars reports draw from it."""
    if frame.empty or column not in frame.columns:
        return {}
    counts = frame[column].fillna("(none)").astype(str).value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def frame_records(frame: pd.DataFrame, timezone: str) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: instants in ISO 8601 with the local offset, NaN as null."""
    return [{k: _scalar(v, timezone) for k, v in row.items()} for row in frame.to_dict("records")]


def flat_frame(frame: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """Rows as the JSON renders them (ISO times with the local offset), lists joined by ';':
    what CSV and tables print, so that every command writes an instant the same way. An
    integer column stays integer (nullable Int64) where it has nulls: rebuilt from records,
    pandas made it float, and a line id printed 1.000001e+10 could no longer be found."""
    records = frame_records(frame, timezone)
    flat = [{k: ";".join(map(str, v)) if isinstance(v, list) else v for k, v in r.items()} for r in records]
    flat = pd.DataFrame(flat, columns=list(frame.columns), dtype=object)
    for column in flat.columns:
        if pd.api.types.is_integer_dtype(frame[column]):
            flat[column] = flat[column].astype("Int64")
    return flat


def _scalar(value: Any, timezone: str) -> Any:
    if isinstance(value, dict):
        return {k: _scalar(v, timezone) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_scalar(v, timezone) for v in value]
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (dt.timedelta, pd.Timedelta)):
        return value.total_seconds()
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is None:
            return value.isoformat()
        return value.tz_convert(timezone).isoformat()
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.isoformat()
        return pd.Timestamp(value).tz_convert(timezone).isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value
