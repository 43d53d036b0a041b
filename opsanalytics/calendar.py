"""Jours ouvrables and public holidays (R2), from the maintained `holidays` library.

A *jour ouvrable* in French law is every day but the weekly rest day (Sunday) and public
holidays; Saturday is one. Alsace-Moselle (Bas-Rhin, Haut-Rhin, Moselle) adds Good Friday
and 26 December; `rules.alsace_moselle` switches them on (the library's subdivision '57'
carries them).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

#: years written to ref_holidays by default; widened to cover the data when it falls outside
DEFAULT_YEARS = (2015, 2035)
ALSACE_MOSELLE_SUBDIV = "57"


@lru_cache(maxsize=8)
def holiday_rows(first_year: int, last_year: int, alsace_moselle: bool) -> tuple[tuple[dt.date, str], ...]:
    """(day, French name) of every public holiday in the years, sorted."""
    years = range(first_year, last_year + 1)
    subdiv = ALSACE_MOSELLE_SUBDIV if alsace_moselle else None
    calendar = holidays.France(years=years, subdiv=subdiv, language="fr")
    return tuple(sorted(calendar.items()))


def is_jour_ouvrable(day: dt.date, alsace_moselle: bool = False) -> bool:
    """True for Monday-Saturday that is not a public holiday (R2)."""
    if day.weekday() == 6:
        return False
    return day not in dict(holiday_rows(day.year, day.year, alsace_moselle))


def year_span(first: dt.date | None, last: dt.date | None) -> tuple[int, int]:
    """Years ref_holidays must cover: the default span, widened to the data's dates."""
    lo, hi = DEFAULT_YEARS
    if first is not None:
        lo = min(lo, first.year)
    if last is not None:
        hi = max(hi, last.year)
    return lo, hi
