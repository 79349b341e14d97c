"""The same period N years earlier, and half-years as periods: week 53, leap years, new year."""

from __future__ import annotations

import re
from datetime import date

import pytest

from chain.periods import (
    HALF_YEAR,
    MONTH,
    WEEK,
    YEAR_TO_DATE,
    Period,
    checked_range,
    latest_complete,
    parse_period,
    period_containing,
    period_count,
    same_period_years_before,
    weeks_in_year,
)


def before(label: str, period_type: str, years: int) -> str:
    return same_period_years_before(parse_period(label, period_type), years).label


def test_a_week_is_set_against_the_week_of_the_same_number_a_year_before() -> None:
    assert before("2027-W05", WEEK, 1) == "2026-W05"
    assert before("2027-W05", WEEK, 2) == "2025-W05"


def test_week_53_is_set_against_the_last_week_of_a_year_that_has_52() -> None:
    assert weeks_in_year(2026) == 53
    assert weeks_in_year(2025) == 52
    assert before("2026-W53", WEEK, 1) == "2025-W52"
    # 2026-W52 is set against the same week: both weeks of 2026 meet the last one of 2025.
    assert before("2026-W52", WEEK, 1) == "2025-W52"


def test_week_53_is_set_against_week_53_when_the_earlier_year_has_one_too() -> None:
    assert weeks_in_year(2020) == 53
    assert before("2026-W53", WEEK, 6) == "2020-W53"


def test_a_first_week_that_begins_in_december_is_its_iso_years_week() -> None:
    # 2025-W01 runs from Monday 30 December 2024; a year before it is 2024-W01 (1 January 2024).
    week = parse_period("2025-W01", WEEK)
    assert week.start == date(2024, 12, 30)
    assert same_period_years_before(week, 1) == Period(
        date(2024, 1, 1), date(2024, 1, 7), WEEK, "2024-W01"
    )


def test_february_of_a_leap_year_is_set_against_the_whole_february_before() -> None:
    earlier = same_period_years_before(parse_period("2028-02", MONTH), 1)
    assert (earlier.label, earlier.start, earlier.end) == (
        "2027-02", date(2027, 2, 1), date(2027, 2, 28),
    )  # fmt: skip
    assert same_period_years_before(parse_period("2027-02", MONTH), 3).end == date(2024, 2, 29)


def test_january_is_set_against_january_across_the_year_boundary() -> None:
    assert before("2027-01", MONTH, 1) == "2026-01"
    assert before("2027-01", MONTH, 0) == "2027-01"


def test_a_half_year_is_set_against_the_same_half() -> None:
    assert before("2026-H1", HALF_YEAR, 1) == "2025-H1"
    assert before("2026-H2", HALF_YEAR, 2) == "2024-H2"


def test_it_refuses_a_negative_number_of_years() -> None:
    with pytest.raises(ValueError, match="years must be 0 or more"):
        same_period_years_before(parse_period("2026-H1", HALF_YEAR), -1)


def test_a_half_year_runs_from_january_to_june_or_from_july_to_december() -> None:
    assert period_containing(date(2026, 6, 30), HALF_YEAR) == Period(
        date(2026, 1, 1), date(2026, 6, 30), HALF_YEAR, "2026-H1"
    )
    assert period_containing(date(2026, 7, 1), HALF_YEAR) == Period(
        date(2026, 7, 1), date(2026, 12, 31), HALF_YEAR, "2026-H2"
    )
    assert parse_period("2026-H2", HALF_YEAR).next().label == "2027-H1"
    assert parse_period("2026-H1", HALF_YEAR).previous().label == "2025-H2"


@pytest.mark.parametrize(
    ("label", "message"),
    [("2026-H3", "'2026-H3' is not an existing half-year"),
     ("2026-H0", "'2026-H0' is not an existing half-year"),
     ("2026-1", "'2026-1' is not a half-year (expected the form 2023-H1)")],
)  # fmt: skip
def test_it_rejects_a_half_year_that_does_not_exist(label: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_period(label, HALF_YEAR)


def test_half_years_are_counted_and_listed_across_years() -> None:
    first, last = parse_period("2024-H2", HALF_YEAR), parse_period("2026-H1", HALF_YEAR)
    assert period_count(first, last) == 4
    labels = [p.label for p in checked_range(first, last)]
    assert labels == ["2024-H2", "2025-H1", "2025-H2", "2026-H1"]


def test_the_latest_complete_half_year_is_the_one_before_todays() -> None:
    assert latest_complete(date(2026, 12, 3), HALF_YEAR).label == "2026-H1"
    assert latest_complete(date(2026, 7, 1), HALF_YEAR).label == "2026-H1"
    assert latest_complete(date(2026, 6, 30), HALF_YEAR).label == "2025-H2"


def test_a_year_to_date_runs_from_january_to_the_end_of_its_month() -> None:
    through_february = parse_period("2028-YTD02", YEAR_TO_DATE)
    assert (through_february.start, through_february.end) == (date(2028, 1, 1), date(2028, 2, 29))
    assert through_february.previous().label == "2028-YTD01"
    assert through_february.previous().previous().label == "2027-YTD12"
    assert through_february.next().label == "2028-YTD03"


def test_a_year_to_date_is_set_against_the_same_months_a_year_before() -> None:
    earlier = same_period_years_before(parse_period("2028-YTD02", YEAR_TO_DATE), 1)
    assert (earlier.label, earlier.start, earlier.end) == (
        "2027-YTD02", date(2027, 1, 1), date(2027, 2, 28),
    )  # fmt: skip


def test_years_to_date_are_listed_month_by_month() -> None:
    first, last = parse_period("2026-YTD11", YEAR_TO_DATE), parse_period("2027-YTD02", YEAR_TO_DATE)
    assert [p.label for p in checked_range(first, last)] == [
        "2026-YTD11", "2026-YTD12", "2027-YTD01", "2027-YTD02",
    ]  # fmt: skip
    assert latest_complete(date(2026, 12, 3), YEAR_TO_DATE).label == "2026-YTD11"
