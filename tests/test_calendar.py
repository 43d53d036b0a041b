"""Jours ouvrables and holidays (R2)."""

from __future__ import annotations

import datetime as dt

from opsanalytics import calendar

D = dt.date


def test_2026_holidays_from_the_library():
    days = dict(calendar.holiday_rows(2026, 2026, False))
    assert D(2026, 11, 11) in days
    assert D(2026, 4, 6) in days            # Easter Monday
    assert D(2026, 5, 14) in days           # Ascension
    assert D(2026, 4, 3) not in days        # Good Friday: only in Alsace-Moselle
    assert D(2026, 12, 26) not in days
    assert len(days) == 11


def test_alsace_moselle_adds_good_friday_and_26_december():
    days = dict(calendar.holiday_rows(2026, 2026, True))
    assert D(2026, 4, 3) in days
    assert D(2026, 12, 26) in days
    assert len(days) == 13


def test_jour_ouvrable():
    assert calendar.is_jour_ouvrable(D(2026, 11, 28))          # Saturday
    assert not calendar.is_jour_ouvrable(D(2026, 11, 29))      # Sunday
    assert not calendar.is_jour_ouvrable(D(2026, 11, 11))      # Armistice, a Wednesday
    assert calendar.is_jour_ouvrable(D(2026, 4, 3))            # Good Friday, outside Alsace-Moselle
    assert not calendar.is_jour_ouvrable(D(2026, 4, 3), alsace_moselle=True)


def test_year_span_covers_the_data():
    assert calendar.year_span(None, None) == calendar.DEFAULT_YEARS
    assert calendar.year_span(D(2009, 3, 1), D(2040, 1, 1)) == (2009, 2040)
