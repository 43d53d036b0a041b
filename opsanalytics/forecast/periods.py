"""Semesters and months of the R9 forecast: Orange asks for monthly figures, twice a year.

A semester label is `YYYYH1` (January to June) or `YYYYH2` (July to December); a month is
the first day of a local calendar month (Europe/Paris), written `YYYY-MM` in files.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_SEMESTER = re.compile(r"^(\d{4})H([12])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Semester:
    year: int
    half: int  # 1 or 2

    @classmethod
    def parse(cls, label: str) -> "Semester":
        """`2027H1` -> Semester(2027, 1); ValueError with the expected shape otherwise."""
        m = _SEMESTER.match(str(label).strip().upper())
        if not m:
            raise ValueError(f"expected a semester such as '2027H1' or '2027H2', got {label!r}")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, month: dt.date) -> "Semester":
        return cls(month.year, 1 if month.month <= 6 else 2)

    @property
    def label(self) -> str:
        return f"{self.year}H{self.half}"

    @property
    def months(self) -> list[dt.date]:
        first = 1 if self.half == 1 else 7
        return [dt.date(self.year, m, 1) for m in range(first, first + 6)]

    @property
    def start(self) -> dt.date:
        return self.months[0]

    def __str__(self) -> str:
        return self.label


def parse_month(text: str) -> dt.date:
    """`2027-01` -> date(2027, 1, 1); ValueError otherwise."""
    m = _MONTH.match(str(text).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"expected a month 'YYYY-MM' such as '2027-01', got {text!r}")
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def month_label(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> int:
    """Number of months from `first` to `last` (0 when equal)."""
    return (last.year - first.year) * 12 + last.month - first.month
