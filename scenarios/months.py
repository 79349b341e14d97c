"""Calendar months as whole numbers, and calendar-month arithmetic on dates.

A month is ``year * 12 + month - 1``, so that the month after is one more; see
docs/reference/scenarios.md.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

_LABEL = re.compile(r"(\d{4})-(\d{2})")


def month_of(day: date) -> int:
    """The month containing ``day``."""
    return day.year * 12 + day.month - 1


def parse_month(label: object) -> int | None:
    """The month of a ``YYYY-MM`` label, or None when it is not one."""
    match = _LABEL.fullmatch(label) if isinstance(label, str) else None
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        return None
    return int(match[1]) * 12 + int(match[2]) - 1


def label(month: int) -> str:
    """``YYYY-MM`` of a month."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def first_day(month: int) -> date:
    return date(month // 12, month % 12 + 1, 1)


def last_day(month: int) -> date:
    year, number = month // 12, month % 12 + 1
    return date(year, number, calendar.monthrange(year, number)[1])


def fifteenth(month: int) -> date:
    """The day a new or decided case of the month counts as lodged or decided."""
    return date(month // 12, month % 12 + 1, 15)


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb),
    as PostgreSQL's ``date + interval`` does for the case facts."""
    month = month_of(day) + months
    year, number = month // 12, month % 12 + 1
    return date(year, number, min(day.day, calendar.monthrange(year, number)[1]))
