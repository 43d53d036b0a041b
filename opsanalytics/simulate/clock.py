"""Local time of the rules (Europe/Paris) for the simulator: placing messages at a local
wall-clock time, telling jours ouvrables, rendering ground-truth timestamps."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

PARIS = ZoneInfo("Europe/Paris")


def epoch_at(day: dt.date, hh: int, mm: int = 0, ss: int = 0, fold: int = 0) -> int:
    """Epoch second of a local wall-clock time; fold=1 picks the second 02:xx of the autumn
    change."""
    return int(dt.datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=PARIS, fold=fold).timestamp())


def local(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, PARIS)


def iso(epoch: int) -> str:
    """ISO 8601 with the local offset, second precision: how the ground truth names times."""
    return local(epoch).isoformat()


@lru_cache(maxsize=None)
def french_holidays(year: int) -> dict[dt.date, str]:
    return dict(holidays.France(years=year))


def is_holiday(day: dt.date) -> bool:
    return day in french_holidays(day.year)


def is_ouvrable(day: dt.date) -> bool:
    """Jour ouvrable: not a Sunday, not a public holiday (Saturday is one)."""
    return day.weekday() != 6 and not is_holiday(day)
