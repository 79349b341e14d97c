"""Reporting periods on the awkward days: ISO week 53, year boundaries, a leap day."""

from __future__ import annotations

from datetime import date

import pytest

from chain.periods import (
    MONTH,
    WEEK,
    Period,
    latest_complete,
    parse_period,
    period_containing,
    periods_between,
)

W53 = Period(date(2026, 12, 28), date(2027, 1, 3), WEEK, "2026-W53")
W01 = Period(date(2027, 1, 4), date(2027, 1, 10), WEEK, "2027-W01")


@pytest.mark.parametrize(
    "day", [date(2026, 12, 28), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 3)]
)
def test_the_last_days_of_2026_and_the_first_of_2027_fall_in_week_53_of_2026(day: date) -> None:
    assert period_containing(day, WEEK) == W53


def test_the_first_monday_of_2027_starts_its_week_1() -> None:
    assert period_containing(date(2027, 1, 4), WEEK) == W01


def test_week_53_is_read_from_its_label() -> None:
    assert parse_period("2026-W53", WEEK) == W53


@pytest.mark.parametrize("label", ["2027-W53", "2025-W53"])
def test_it_rejects_week_53_of_a_year_that_has_52_weeks(label: str) -> None:
    with pytest.raises(ValueError, match=f"'{label}' is not an existing week"):
        parse_period(label, WEEK)


def test_week_53_is_followed_by_week_1_of_the_next_year_and_preceded_by_week_52() -> None:
    assert W53.next() == W01
    assert W01.previous() == W53
    assert W53.previous().label == "2026-W52"


def test_the_weeks_across_new_year_include_week_53_once() -> None:
    weeks = periods_between(date(2026, 12, 20), date(2027, 1, 10), WEEK)
    assert [w.label for w in weeks] == ["2026-W51", "2026-W52", "2026-W53", "2027-W01"]


def test_a_month_starting_on_a_friday_shares_its_first_days_with_week_53() -> None:
    january = period_containing(date(2027, 1, 1), MONTH)
    assert (january.label, january.start, january.end) == (
        "2027-01", date(2027, 1, 1), date(2027, 1, 31),
    )  # fmt: skip
    assert january.start.strftime("%A") == "Friday"
    assert january.previous() == Period(date(2026, 12, 1), date(2026, 12, 31), MONTH, "2026-12")


def test_february_of_a_leap_year_ends_on_the_29th() -> None:
    assert period_containing(date(2028, 2, 29), MONTH) == Period(
        date(2028, 2, 1), date(2028, 2, 29), MONTH, "2028-02"
    )
    assert parse_period("2028-02", MONTH).next().start == date(2028, 3, 1)
    assert parse_period("2027-02", MONTH).end == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("today", "period_type", "label"),
    [
        (date(2027, 1, 4), WEEK, "2026-W53"),  # the Monday after week 53
        (date(2027, 1, 3), WEEK, "2026-W52"),  # the Sunday that ends week 53
        (date(2026, 12, 31), WEEK, "2026-W52"),
        (date(2026, 12, 31), MONTH, "2026-11"),
        (date(2027, 1, 1), MONTH, "2026-12"),
        (date(2028, 2, 29), WEEK, "2028-W08"),
        (date(2028, 2, 29), MONTH, "2028-01"),
        (date(2028, 3, 1), MONTH, "2028-02"),
        (date(2026, 11, 30), WEEK, "2026-W48"),
    ],
)
def test_the_latest_complete_period_is_the_last_one_that_ended_before_today(
    today: date, period_type: str, label: str
) -> None:
    latest = latest_complete(today, period_type)
    assert latest.label == label
    assert latest.end < today <= latest.next().end
