"""Helpers of the open-data tests: values stored as the engine stores them, files read back."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from chain.models import IndicatorValue
from chain.periods import MONTH, Period, latest_complete
from opendata.models import ReleaseFile


def last_month(today: date) -> Period:
    """The last complete month: what beat would publish today."""
    return latest_complete(today, MONTH)


def store(
    code: str, period: Period, value: float | None, *, n: int | None = None, chain: str = "NL",
    track: str = "", nationality: str = "",
) -> IndicatorValue:  # fmt: skip
    """A value as the engine stores it: a nationality cell under 10 cases ``primary``,
    without value but with its ``n``."""
    small = bool(nationality) and (n if n is not None else int(value or 0)) < 10
    return IndicatorValue.objects.create(
        indicator_id=code, chain_id=chain, period_type=period.type, period=period.label,
        period_start=period.start, period_end=period.end, track=track, nationality=nationality,
        value=None if small else value, n=n if n is not None else int(value or 0),
        suppressed="primary" if small else "",
    )  # fmt: skip


def file_of(month: str, name: str, version: int = 1) -> ReleaseFile:
    return ReleaseFile.objects.get(release__month=month, release__version=version, name=name)


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def rows_of(content: bytes, **match: Any) -> list[dict[str, str]]:
    """The CSV rows whose columns hold the values given."""
    return [r for r in csv_rows(content) if all(r[k] == v for k, v in match.items())]


def cell(content: bytes, indicator: str, *, track: str = "", nationality: str = "") -> dict:
    [row] = rows_of(content, indicator=indicator, track=track, nationality=nationality)
    return row
