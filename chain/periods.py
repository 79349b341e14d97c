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
# The years a reporting day or period may lie in: well before any case and well after any
# deadline. Python's dates end at 9999-12-31, so a range near that end would overflow as soon
# as a period's neighbour or the day after is asked for.
FIRST_YEAR = 1900
LAST_YEAR = 2999
# The most periods one range may hold, for the API and the pages alike: 50 years of months or
# 11 of weeks, enough for any chart and bounded so one request stays cheap.
MAX_PERIODS = 600


class OutOfRange(ValueError):
    """A day or period outside the years FIRST_YEAR to LAST_YEAR."""


class InTheFuture(ValueError):
    """A period that has not begun yet: nothing can be known about it."""


class Reversed(ValueError):
    """A range whose first period lies after its last."""


class TooLong(ValueError):
    """A range of more than MAX_PERIODS periods; ``count`` says how many were asked."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} periods asked; at most {MAX_PERIODS}")
        self.count = count


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
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise OutOfRange(f"{label!r} lies outside the years {FIRST_YEAR} to {LAST_YEAR}")
    try:
        if period_type == MONTH:
            return period_containing(date(year, number, 1), MONTH)
        return period_containing(date.fromisocalendar(year, number, 1), WEEK)
    except ValueError:
        raise ValueError(f"{label!r} is not an existing {period_type}") from None


def check_day(day: date) -> date:
    """``day`` itself; OutOfRange when it lies outside the years FIRST_YEAR to LAST_YEAR."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise OutOfRange(f"{day} lies outside the years {FIRST_YEAR} to {LAST_YEAR}")
    return day


def period_count(first: Period, last: Period) -> int:
    """Periods from ``first`` to ``last`` inclusive (0 or less when ``first`` is later).

    Counted, not listed, so that a range can be refused before its periods are built.
    """
    if first.type == MONTH:
        return (last.start.year - first.start.year) * 12 + last.start.month - first.start.month + 1
    return (last.start - first.start).days // 7 + 1


def periods_back(period: Period, count: int) -> Period:
    """The period ``count`` periods before ``period`` (``period`` itself for 0)."""
    for _step in range(count):
        period = period.previous()
    return period


def periods_ending(last: Period, count: int) -> list[Period]:
    """The ``count`` periods up to and including ``last``, oldest first."""
    return periods_between(periods_back(last, count - 1).start, last.end, last.type)


def check_started(period: Period, today: date) -> Period:
    """``period`` itself; InTheFuture when it begins after ``today``.

    The current, incomplete period is allowed: it has begun, so it may hold values already.
    """
    if period.start > today:
        raise InTheFuture(f"{period.label} lies in the future")
    return period


def checked_range(first: Period, last: Period) -> list[Period]:
    """The periods from ``first`` to ``last`` inclusive: the one range check of API and pages.

    Reversed when ``first`` lies after ``last``; TooLong beyond MAX_PERIODS periods, checked
    before any period is built.
    """
    count = period_count(first, last)
    if count < 1:
        raise Reversed(f"{first.label} is after {last.label}")
    if count > MAX_PERIODS:
        raise TooLong(count)
    return periods_between(first.start, last.end, first.type)


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
