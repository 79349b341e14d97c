"""Half-years computed by the engine from the cases of the half (tests/known_chain.py).

In 2023-H1 the chain decided five cases: 38, 50, 70 and 78 days in March (median 60) and 50
days in April (median 50). The half-year's median is over the five cases, 50; the mean (and the
median) of the two monthly medians would be 55.
"""

from __future__ import annotations

import pytest

from chain.indicators.engine import compute, compute_all
from chain.models import Indicator, IndicatorValue
from chain.periods import HALF_YEAR, parse_period
from chain.selectors import difference, same_period_values
from ingest.services import ingest_file
from tests import known_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(catalogue, write_extract) -> None:
    ingest_file(partner="IND", path=write_extract("ind.csv", known_chain.extract()))
    compute_all()


def value(code: str, period: str, period_type: str = HALF_YEAR) -> float | None:
    return IndicatorValue.objects.get(
        indicator_id=code, chain_id="NL", period_type=period_type, period=period, track="",
        nationality="",
    ).value  # fmt: skip


def test_a_half_years_median_is_recomputed_over_its_cases_not_taken_from_its_months(
    known,
) -> None:
    march, april = (value("decision_lead_time_median", m, "month") for m in ("2023-03", "2023-04"))
    assert (march, april) == (60, 50)
    assert value("decision_lead_time_median", "2023-H1") == 50  # 38, 50, 50, 70, 78
    assert (march + april) / 2 == 55  # type: ignore[operator]  # what averaging months would give


def test_a_half_year_sums_its_counts(known) -> None:
    assert value("applications_lodged", "2022-H2") == 1  # F
    assert value("applications_lodged", "2023-H1") == 6  # A B C D E G
    assert value("decisions_taken", "2023-H1") == 5


def test_a_half_year_takes_the_stock_at_its_end(known) -> None:
    assert value("open_cases", "2022-H2") == 1  # F on 31 December
    assert value("open_cases", "2023-H1") == 2  # D and F on 30 June
    assert value("open_cases", "2023-H1") == value("open_cases", "2023-06", "month")


def test_a_half_year_is_stored_with_its_first_and_last_day(known) -> None:
    stored = IndicatorValue.objects.get(
        indicator_id="applications_lodged", chain_id="NL", period_type=HALF_YEAR,
        period="2023-H1", track="4", nationality="",
    )  # fmt: skip
    assert (stored.value, str(stored.period_start), str(stored.period_end)) == (
        4, "2023-01-01", "2023-06-30",
    )  # fmt: skip


def test_an_incremental_run_gives_the_half_years_of_a_full_one(known) -> None:
    def half_years() -> dict[tuple[str, str, str], float | None]:
        rows = IndicatorValue.objects.filter(chain_id="NL", period_type=HALF_YEAR)
        return {(v.indicator_id, v.period, v.track): v.value for v in rows}

    full = half_years()
    compute(chain="NL", from_date=parse_period("2023-04", "month").start)
    assert half_years() == full


def test_a_half_year_is_read_beside_the_same_half_of_the_two_years_before(known) -> None:
    applications = Indicator.objects.get(code="applications_lodged")
    values = same_period_values(
        indicator=applications, chain="NL", period=parse_period("2023-H2", HALF_YEAR), years=2
    )
    assert [(v.period, v.value) for v in values] == [
        ("2023-H2", 0), ("2022-H2", 1), ("2021-H2", 0),
    ]  # fmt: skip
    assert difference(value=values[0].value, earlier=values[1].value).change == -1
    assert difference(value=values[0].value, earlier=values[1].value).change_share == -1
    assert difference(value=values[0].value, earlier=values[2].value).change_share is None
