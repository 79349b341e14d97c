"""Reporting periods: calendar months (``2023-04``) and ISO weeks (``2023-W17``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTH = "month"
WEEK = "week"
PERIOD_TYPES = (MONTH, WEEK)
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_WEEK = re.compile(r"(\d{4})-W(\d{2})")


@dataclass(frozen=True, order=True)
class Period:
    """One month or ISO week, with its first and last local calendar day."""

    start: date
    end: date
    type: str
    label: str

    def previous(self) -> Period:
        """The period just before this one, of the same type."""
        return period_containing(self.start - timedelta(days=1), self.type)

    def next(self) -> Period:
        """The period just after this one, of the same type."""
        return period_containing(self.end + timedelta(days=1), self.type)


def period_containing(day: date, period_type: str) -> Period:
    """The month or ISO week that ``day`` falls in."""
    if period_type == MONTH:
        start = day.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return Period(start, following - timedelta(days=1), MONTH, f"{day:%Y-%m}")
    if period_type == WEEK:
        year, week, weekday = day.isocalendar()
        start = day - timedelta(days=weekday - 1)
        return Period(start, start + timedelta(days=6), WEEK, f"{year}-W{week:02d}")
    raise ValueError(f"unknown period type {period_type!r}; expected month or week")


def parse_period(label: str, period_type: str) -> Period:
    """``2023-04`` (month) or ``2023-W17`` (week) as a Period; ValueError says what is wrong."""
    pattern = _MONTH if period_type == MONTH else _WEEK
    example = "2023-04" if period_type == MONTH else "2023-W17"
    found = pattern.fullmatch(label or "")
    if found is None:
        raise ValueError(f"{label!r} is not a {period_type} (expected the form {example})")
    year, number = int(found.group(1)), int(found.group(2))
    try:
        if period_type == MONTH:
            return period_containing(date(year, number, 1), MONTH)
        return period_containing(date.fromisocalendar(year, number, 1), WEEK)
    except ValueError:
        raise ValueError(f"{label!r} is not an existing {period_type}") from None


def periods_between(first: date, last: date, period_type: str) -> list[Period]:
    """Every period of the type from the one containing ``first`` to the one containing ``last``."""
    out = []
    current = period_containing(first, period_type)
    while current.start <= last:
        out.append(current)
        current = current.next()
    return out


def latest_complete(today: date, period_type: str) -> Period:
    """The last period that ended before ``today``."""
    return period_containing(today, period_type).previous()
