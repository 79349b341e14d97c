"""The engine against a small chain whose answers are worked out by hand (tests/known_chain.py)."""

from __future__ import annotations

from datetime import date

import pytest

from chain.indicators.engine import compute_all
from chain.models import CaseFact, IndicatorValue
from ingest.services import ingest_file
from tests import known_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(catalogue, write_extract) -> None:
    ingest_file(partner="IND", path=write_extract("ind.csv", known_chain.extract()))
    compute_all()


def value(code: str, period: str, track: str = "", period_type: str = "month") -> float | None:
    return IndicatorValue.objects.get(
        indicator_id=code, chain_id="NL", period_type=period_type, period=period, track=track,
        nationality="",
    ).value  # fmt: skip


def test_it_counts_applications_by_local_lodged_date(known) -> None:
    assert value("applications_lodged", "2022-12") == 1
    assert value("applications_lodged", "2023-01") == 3  # A, B and G (00:30 local on 1 Jan)
    assert value("applications_lodged", "2023-02") == 2
    assert value("applications_lodged", "2023-03") == 1
    assert value("applications_lodged", "2023-04") == 0  # E's second application does not count


def test_it_counts_applications_per_track(known) -> None:
    assert value("applications_lodged", "2023-01", track="4") == 3
    assert value("applications_lodged", "2023-02", track="2") == 1
    assert value("applications_lodged", "2023-03", track="1") == 1


def test_it_counts_decisions_by_case(known) -> None:
    assert value("decisions_taken", "2023-03") == 4  # A, B (23:30 local on 31 March), C, G
    assert value("decisions_taken", "2023-04") == 1


def test_it_interpolates_the_median_lead_time(known) -> None:
    assert value("decision_lead_time_median", "2023-03") == 60  # 38, 50, 70, 78
    assert value("decision_lead_time_median", "2023-03", track="4") == 70  # 50, 70, 78
    assert value("decision_lead_time_median", "2023-04") == 50
    assert value("decision_lead_time_median", "2023-02") is None  # no decisions: no value


def test_it_counts_open_cases_at_period_end(known) -> None:
    assert value("open_cases", "2022-12") == 1  # F
    assert value("open_cases", "2023-02") == 6  # A B C D F G; A is decided on 1 March
    assert value("open_cases", "2023-03") == 3  # D, E, F
    assert value("open_cases", "2023-04") == 2  # D, F


def test_it_gives_signals_from_the_chains_bands(known) -> None:
    stored = IndicatorValue.objects.get(
        indicator_id="decision_lead_time_median", chain_id="NL", period_type="month",
        period="2023-03", track="", nationality="",
    )  # fmt: skip
    assert stored.signal == "green"
    assert stored.n == 4


def test_it_computes_iso_weeks_too(known) -> None:
    # 2023-W01 runs from 2 to 8 January: none of A (10th), B (20th) or G (1st) is in it.
    assert value("applications_lodged", "2023-W01", period_type="week") == 0
    assert value("applications_lodged", "2022-W52", period_type="week") == 2  # F and G


def test_it_applies_the_categorical_term_extension(known) -> None:
    facts = CaseFact.objects.get(lodged=date(2023, 1, 10))
    assert facts.deadline == date(2024, 4, 10)  # 15 months for applications in 2022-2023
    facts = CaseFact.objects.get(lodged=date(2022, 12, 31))
    assert facts.deadline == date(2024, 3, 31)


def test_it_recomputes_only_what_an_ingest_touches_with_the_same_result(
    catalogue, write_extract
) -> None:
    from chain.indicators.engine import compute_dirty

    first, second = known_chain.ROWS[:7], known_chain.ROWS[7:]
    ingest_file(partner="IND", path=write_extract("a.csv", known_chain.extract(first)))
    compute_dirty()
    ingest_file(partner="IND", path=write_extract("b.csv", known_chain.extract(second)))
    recomputed = compute_dirty()
    assert recomputed == {"NL": date(2023, 3, 1)}  # the earliest decision the new rows add
    incremental = set(IndicatorValue.objects.values_list(
        "indicator", "chain", "period_type", "period", "track", "nationality", "value", "signal"
    ))  # fmt: skip
    compute_all()
    full = set(IndicatorValue.objects.values_list(
        "indicator", "chain", "period_type", "period", "track", "nationality", "value", "signal"
    ))  # fmt: skip
    assert incremental == full


# Two Belgian cases: K stays a first application (P); L's hearing is held on its first
# application, then L lodges a subsequent application (U) and is a U case from then on.
MOVING_TRACK = (
    "numero_sp,type_evenement,date_evenement,nationalite,procedure,mena\n"
    "81000001,INTRODUCTION,2023-01-12,AFG,P,N\n"
    "81000001,CGRA_AUDITION,2023-02-20,AFG,P,N\n"
    "81000002,INTRODUCTION,2023-01-10,SYR,P,N\n"
    "81000002,CGRA_AUDITION,2023-02-15,SYR,P,N\n"
    "81000002,INTRODUCTION,2023-03-01,SYR,U,N\n"
)


def test_an_event_counts_under_its_cases_current_track_after_a_change_of_track(
    catalogue, write_extract
) -> None:
    ingest_file(partner="DVZ", path=write_extract("dvz.csv", MOVING_TRACK))
    compute_all()

    def no_shows(track: str) -> IndicatorValue:
        return IndicatorValue.objects.get(
            indicator_id="hearing_no_show_rate", chain_id="BE", period_type="month",
            period="2023-02", track=track, nationality="",
        )  # fmt: skip

    assert (no_shows("U").value, no_shows("U").n) == (0.0, 1)  # L's hearing, held as P
    assert (no_shows("P").value, no_shows("P").n) == (0.0, 1)  # K's only
    assert no_shows("").n == 2
