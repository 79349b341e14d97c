"""Reporting periods: calendar months (``2023-04``), ISO weeks (``2023-W17``) and half-years
(``2023-H1``, January to June; ``2023-H2``, July to December), which the engine stores; and
years to date (``2023-YTD04``, 1 January to the end of April), which are computed when asked.

``same_period_years_before`` is the one rule for "the same period last year" (or N years
before) that the API, the pages, the weekly report and the half-year report all use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTH = "month"
WEEK = "week"
HALF_YEAR = "half_year"
# From 1 January to the end of a month. Years to date overlap (each holds the one before), so the
# engine does not store them: ``chain.selectors.year_to_date_series`` computes them when asked.
YEAR_TO_DATE = "year_to_date"
# Every type the engine computes and stores; a half-year is computed from the cases of its six
# months like any other period (a median over its cases, never a mean of monthly medians).
PERIOD_TYPES = (MONTH, WEEK, HALF_YEAR)
_PATTERNS = {
    MONTH: re.compile(r"(\d{4})-(\d{2})"),
    WEEK: re.compile(r"(\d{4})-W(\d{2})"),
    HALF_YEAR: re.compile(r"(\d{4})-H(\d)"),
    YEAR_TO_DATE: re.compile(r"(\d{4})-YTD(\d{2})"),
}
# What the API and pages may serve: the stored types, and years to date computed when asked.
SERIES_TYPES = (*PERIOD_TYPES, YEAR_TO_DATE)
NAMES = {MONTH: "month", WEEK: "week", HALF_YEAR: "half-year", YEAR_TO_DATE: "year to date"}
EXAMPLES = {MONTH: "2023-04", WEEK: "2023-W17", HALF_YEAR: "2023-H1", YEAR_TO_DATE: "2023-YTD04"}
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
    """One month, ISO week, half-year or year to date, with its first and last local calendar
    day."""

    start: date
    end: date
    type: str
    label: str

    @property
    def begins(self) -> date:
        """The first day of what is new in this period: for a year to date, its last month."""
        return self.end.replace(day=1) if self.type == YEAR_TO_DATE else self.start

    def previous(self) -> Period:
        """The period just before this one, of the same type (a year to date: through the
        month before)."""
        return period_containing(self.begins - timedelta(days=1), self.type)

    def next(self) -> Period:
        """The period just after this one, of the same type."""
        return period_containing(self.end + timedelta(days=1), self.type)


def period_containing(day: date, period_type: str) -> Period:
    """The month, ISO week or half-year that ``day`` falls in."""
    if period_type == MONTH:
        start = day.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return Period(start, following - timedelta(days=1), MONTH, f"{day:%Y-%m}")
    if period_type == WEEK:
        year, week, weekday = day.isocalendar()
        start = day - timedelta(days=weekday - 1)
        return Period(start, start + timedelta(days=6), WEEK, f"{year}-W{week:02d}")
    if period_type == HALF_YEAR:
        half = 1 if day.month <= 6 else 2
        start = date(day.year, 6 * half - 5, 1)
        end = date(day.year, 6, 30) if half == 1 else date(day.year, 12, 31)
        return Period(start, end, HALF_YEAR, f"{day.year}-H{half}")
    if period_type == YEAR_TO_DATE:
        month = period_containing(day, MONTH)
        return Period(date(day.year, 1, 1), month.end, YEAR_TO_DATE, f"{day:%Y}-YTD{day:%m}")
    raise ValueError(f"unknown period type {period_type!r}; expected one of {SERIES_TYPES}")


def parse_period(label: str, period_type: str) -> Period:
    """``2023-04`` (month), ``2023-W17`` (week) or ``2023-H1`` (half-year) as a Period;
    ValueError says what is wrong."""
    pattern = _PATTERNS.get(period_type)
    if pattern is None:
        raise ValueError(f"unknown period type {period_type!r}; expected one of {SERIES_TYPES}")
    name = NAMES[period_type]
    found = pattern.fullmatch(label or "")
    if found is None:
        raise ValueError(f"{label!r} is not a {name} (expected the form {EXAMPLES[period_type]})")
    year, number = int(found.group(1)), int(found.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise OutOfRange(f"{label!r} lies outside the years {FIRST_YEAR} to {LAST_YEAR}")
    try:
        if period_type in (MONTH, YEAR_TO_DATE):
            return period_containing(date(year, number, 1), period_type)
        if period_type == HALF_YEAR:
            if number not in (1, 2):
                raise ValueError(number)
            return period_containing(date(year, 6 * number - 5, 1), HALF_YEAR)
        return period_containing(date.fromisocalendar(year, number, 1), WEEK)
    except ValueError:
        raise ValueError(f"{label!r} is not an existing {name}") from None


def weeks_in_year(iso_year: int) -> int:
    """52 or 53: the ISO weeks of ``iso_year`` (28 December always lies in its last week)."""
    return date(iso_year, 12, 28).isocalendar()[1]


def same_period_years_before(period: Period, years: int) -> Period:
    """The same period ``years`` years earlier: the one rule of "the same period last year".

    A month or half-year is the same month or half ``years`` calendar years before (February of
    a leap year against a February of 28 days: each is the whole month); a year to date, the
    same months of the earlier year. An ISO week is the week
    of the same number in the ISO year ``years`` before; a week 53 is set against the last week
    of that year when it has only 52 (2026-W53 against 2025-W52).
    """
    if years < 0:
        raise ValueError(f"years must be 0 or more, not {years}")
    if period.type == YEAR_TO_DATE:
        return period_containing(
            period.end.replace(day=1, year=period.end.year - years), YEAR_TO_DATE
        )
    if period.type == WEEK:
        iso_year, week, _weekday = period.start.isocalendar()
        earlier = iso_year - years
        return period_containing(
            date.fromisocalendar(earlier, min(week, weeks_in_year(earlier)), 1), WEEK
        )
    return period_containing(period.start.replace(year=period.start.year - years), period.type)


def check_day(day: date) -> date:
    """``day`` itself; OutOfRange when it lies outside the years FIRST_YEAR to LAST_YEAR."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise OutOfRange(f"{day} lies outside the years {FIRST_YEAR} to {LAST_YEAR}")
    return day


def period_count(first: Period, last: Period) -> int:
    """Periods from ``first`` to ``last`` inclusive (0 or less when ``first`` is later).

    Counted, not listed, so that a range can be refused before its periods are built.
    """
    if first.type in (MONTH, HALF_YEAR, YEAR_TO_DATE):
        months = (
            (last.begins.year - first.begins.year) * 12 + last.begins.month - first.begins.month
        )
        return months // (6 if first.type == HALF_YEAR else 1) + 1
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
    if period.begins > today:
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
    periods = [first]
    while len(periods) < count:
        periods.append(periods[-1].next())
    return periods


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
