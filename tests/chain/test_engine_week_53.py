"""The engine over new year 2026/27: ISO week 2026-W53 and a month that starts mid-week.

The chain and its answers are in tests/week_53.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from chain.models import IndicatorValue
from tests import week_53

pytestmark = pytest.mark.django_db


def values(code: str, labels: list[str]) -> dict[str, float | None]:
    stored = IndicatorValue.objects.filter(
        indicator_id=code, chain_id="NL", period__in=labels, track="", nationality=""
    )
    return {v.period: v.value for v in stored}


def test_it_counts_the_applications_of_week_53_and_of_the_weeks_around_it(new_year_chain) -> None:
    assert values("applications_lodged", list(week_53.APPLICATIONS)) == week_53.APPLICATIONS


def test_the_first_days_of_january_count_in_week_53_and_in_january(new_year_chain) -> None:
    week = IndicatorValue.objects.get(
        indicator_id="applications_lodged", chain_id="NL", period="2026-W53", track="4",
        nationality="",
    )  # fmt: skip
    # Track 4 in 2026-W53: I (29 December) and K (00:30 on 1 January, Amsterdam time).
    assert (week.value, week.period_start.isoformat(), week.period_end.isoformat()) == (
        2, "2026-12-28", "2027-01-03",
    )  # fmt: skip
    january = IndicatorValue.objects.get(
        indicator_id="applications_lodged", chain_id="NL", period="2027-01", track="4",
        nationality="",
    )  # fmt: skip
    assert january.value == 2  # K and M; I was lodged in December


def test_it_counts_the_decisions_of_week_53(new_year_chain) -> None:
    assert values("decisions_taken", list(week_53.DECISIONS)) == week_53.DECISIONS


def test_it_takes_the_median_lead_time_of_week_53_and_week_1(new_year_chain) -> None:
    found = values("decision_lead_time_median", list(week_53.LEAD_TIME_MEDIAN))
    assert found == week_53.LEAD_TIME_MEDIAN


def test_it_counts_the_open_cases_at_the_end_of_week_53(new_year_chain) -> None:
    assert values("open_cases", list(week_53.OPEN_CASES)) == week_53.OPEN_CASES


def test_there_is_no_week_53_of_2027(new_year_chain) -> None:
    assert not IndicatorValue.objects.filter(period="2027-W53").exists()
    weeks = IndicatorValue.objects.filter(
        indicator_id="applications_lodged", chain_id="NL", period_type="week",
        period_start__year=2027, track="", nationality="",
    ).values_list("period", flat=True)  # fmt: skip
    assert sorted(weeks) == ["2027-W01", "2027-W02"]  # up to the week of today, 11 January


def test_the_values_carry_the_moment_of_the_code_clock_not_the_databases(new_year_chain) -> None:
    moments = IndicatorValue.objects.values_list("computed_at", flat=True).distinct()
    assert moments, "computed values"
    # Computed on 11 January 2027 by the (pinned) clock, whatever day the database thinks it is.
    assert all(
        week_53.AFTER_NEW_YEAR <= moment < week_53.AFTER_NEW_YEAR + timedelta(hours=1)
        for moment in moments
    )
