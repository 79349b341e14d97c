"""Reporting periods on the awkward days: ISO week 53, year boundaries, a leap day."""

from __future__ import annotations

from datetime import date

import pytest

from chain.periods import (
    MAX_PERIODS,
    MONTH,
    WEEK,
    InTheFuture,
    Period,
    Reversed,
    TooLong,
    check_started,
    checked_range,
    latest_complete,
    parse_period,
    period_containing,
    periods_back,
    periods_between,
    periods_ending,
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


@pytest.mark.parametrize(
    ("label", "period_type", "count", "expected"),
    [
        ("2027-W01", WEEK, 1, "2026-W53"),
        ("2027-W02", WEEK, 3, "2026-W52"),
        ("2026-W53", WEEK, 53, "2025-W52"),  # 2026 has 53 weeks, so 53 back leaves the year
        ("2027-02", MONTH, 2, "2026-12"),
        ("2027-01", MONTH, 25, "2024-12"),
        ("2027-01", MONTH, 0, "2027-01"),
    ],
)
def test_going_back_n_periods_crosses_year_boundaries_and_week_53(
    label: str, period_type: str, count: int, expected: str
) -> None:
    assert periods_back(parse_period(label, period_type), count).label == expected


def test_the_periods_ending_in_week_1_count_week_53_once() -> None:
    assert [p.label for p in periods_ending(W01, 3)] == ["2026-W52", "2026-W53", "2027-W01"]


def test_a_range_of_the_most_periods_allowed_is_given_in_full() -> None:
    last = parse_period("2026-12", MONTH)
    periods = checked_range(periods_back(last, MAX_PERIODS - 1), last)
    assert len(periods) == MAX_PERIODS == 600
    assert (periods[0].label, periods[-1].label) == ("1977-01", "2026-12")


def test_it_rejects_a_range_of_one_period_more_than_allowed() -> None:
    last = parse_period("2026-W53", WEEK)
    with pytest.raises(TooLong, match="601 periods asked; at most 600") as raised:
        checked_range(periods_back(last, MAX_PERIODS), last)
    assert raised.value.count == 601


def test_it_rejects_a_range_that_ends_before_it_begins() -> None:
    with pytest.raises(Reversed, match="2027-W01 is after 2026-W53"):
        checked_range(W01, W53)


def test_a_range_of_one_period_holds_that_period() -> None:
    assert checked_range(W53, W53) == [W53]


def test_the_current_period_has_started_but_the_next_has_not() -> None:
    today = date(2026, 12, 28)  # the Monday that starts week 53
    assert check_started(W53, today) == W53
    with pytest.raises(InTheFuture, match="2027-W01 lies in the future"):
        check_started(W01, today)
