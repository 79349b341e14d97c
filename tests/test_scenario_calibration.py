"""Calibration and start state read from a small constructed history in PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest
import time_machine
from django.db.backends.postgresql.psycopg_any import DateRange

from scenarios import months
from scenarios.calibration import calibrate
from scenarios.inputs import InvalidInputs, TermRule, parse_inputs
from scenarios.services import result_json, run_scenario
from scenarios.start_state import read_start_state
from tests.scenario_chain import fact, facts, fte, six_month_term, term_extended

ORIGIN = months.parse_month("2025-12") or 0
WINDOW = [f"2025-{m:02d}" for m in range(1, 13)]


@pytest.fixture
def history(db: None) -> None:
    """Twelve months of an NL chain, 2025, whose parameters are worked out by hand."""
    six_month_term()
    # Status holders in reception from before the window; five leave on 10 March.
    facts(
        5,
        lodged=date(2024, 6, 1),
        decided=date(2024, 12, 1),
        outcome="DECISION_GRANTED",
        track="4",
        nationality="SYR",
        reception=[DateRange(date(2024, 11, 1), None)],
    )
    facts(
        5,
        lodged=date(2024, 6, 1),
        decided=date(2024, 12, 1),
        outcome="DECISION_GRANTED",
        track="4",
        nationality="SYR",
        reception=[DateRange(date(2024, 11, 1), date(2025, 3, 10))],
    )
    # Ten return cases from before the window; two close with a departure on 10 February.
    facts(
        8,
        lodged=date(2024, 1, 1),
        decided=date(2024, 6, 1),
        outcome="DECISION_REJECTED",
        track="4",
        nationality="AFG",
        return_opened=date(2024, 12, 5),
    )
    facts(
        2,
        lodged=date(2024, 1, 1),
        decided=date(2024, 6, 1),
        outcome="DECISION_REJECTED",
        track="4",
        nationality="AFG",
        return_opened=date(2024, 12, 5),
        departed=date(2025, 2, 10),
    )
    for m in range(1, 13):
        lodged = date(2025, m, 3)
        deadline = months.add_months(lodged, 6)
        # 40 lodged a month: 30 of track 4 (SYR), 10 of track 2 (AFG); 12 enter reception.
        facts(
            12,
            lodged=lodged,
            deadline=deadline,
            track="4",
            nationality="SYR",
            reception=[DateRange(lodged, None)],
        )
        facts(18, lodged=lodged, deadline=deadline, track="4", nationality="SYR")
        facts(10, lodged=lodged, deadline=deadline, track="2", nationality="AFG")
        # 20 decided a month in track 4: 12 granted, 8 rejected of which 4 open a return case.
        decided = date(2025, m, 20)
        facts(
            12,
            lodged=date(2024, 6, 1),
            decided=decided,
            outcome="DECISION_GRANTED",
            track="4",
            nationality="SYR",
        )
        facts(
            4,
            lodged=date(2024, 6, 1),
            decided=decided,
            outcome="DECISION_REJECTED",
            track="4",
            nationality="SYR",
        )
        facts(
            4,
            lodged=date(2024, 6, 1),
            decided=decided,
            outcome="DECISION_REJECTED",
            track="4",
            nationality="SYR",
            return_opened=date(2025, m, 25),
        )
    fte("NL", date(2024, 12, 15), 10)
    fte("NL", date(2025, 7, 1), 5)


def values(**names: Any) -> dict[str, Any]:
    found = calibrate(chain="NL", origin=ORIGIN, window=12)
    return {name: found.value(name) for name in names}


def test_it_calibrates_every_parameter_from_the_window(history: None) -> None:
    found = calibrate(chain="NL", origin=ORIGIN, window=12)
    value = found.value
    assert value("inflow_monthly_mean") == 40
    assert value("inflow_dispersion") == 0
    assert value("seasonal_profile") == [1.0] * 12  # a window under 24 months has no profile
    assert found.parameters["seasonal_profile"].months == ()
    assert value("track_shares") == {"1": 0, "2": 0.25, "3": 0, "4": 0.75}
    assert value("nationality_shares") == {"AFG": 0.25, "SYR": 0.75}
    assert value("grant_share")["4"] == 0.6
    # 240 decisions over 6 x 10 + 6 x 5 FTE-months; the latest FTE is 5.
    assert value("productivity") == round(240 / 90, 6)
    assert value("fte") == 5
    assert found.parameters["fte"].months == ("2025-12",)
    assert value("reception_entry_share") == 0.3
    # Status holders at the ends of December to November: 10, 10, 10, then 5 nine times.
    assert value("status_holder_leave_rate") == round(5 / 75, 6)
    assert value("other_leave_rate") == 0
    assert value("return_case_share") == 0.5
    # Open return cases at the ends of December to November: 10 + 4m, less 2 from February.
    assert value("departure_rate") == round(2 / 364, 6)
    assert found.parameters["inflow_monthly_mean"].months == tuple(WINDOW)


def test_a_calibration_is_cached_until_the_data_version_changes(history: None) -> None:
    first = calibrate(chain="NL", origin=ORIGIN, window=12)
    facts(100, lodged=date(2025, 6, 3), track="1", nationality="SYR")
    assert calibrate(chain="NL", origin=ORIGIN, window=12) == first
    from django.core.cache import cache

    from chain.indicators.engine import DATA_VERSION_KEY

    cache.set(DATA_VERSION_KEY, "after-a-recompute", None)
    assert calibrate(chain="NL", origin=ORIGIN, window=12) != first


def test_the_start_state_counts_open_cases_reception_and_return_at_the_origin(
    history: None,
) -> None:
    start = read_start_state(chain="NL", origin=ORIGIN, term_rules=())
    assert start.open_cases == 480
    assert (start.in_procedure, start.status_holders, start.others) == (144, 5, 0)
    assert start.open_return_cases == 10 + 48 - 2
    # Cohorts: 12 lodged dates x (track 2 AFG, track 4 SYR).
    assert len(start.count) == 24
    assert str(start.deadline[0]) == "2025-07-03"


def test_a_scenario_term_rule_changes_exactly_the_deadlines_of_cases_lodged_from_its_date(
    db: None,
) -> None:
    six_month_term(months=15)
    lodged = [date(2025, 5, 31), date(2025, 6, 1), date(2025, 7, 31), date(2025, 8, 31)]
    for day in lodged:
        fact(lodged=day, deadline=months.add_months(day, 15), track="4", nationality="SYR")
    extended = fact(lodged=date(2025, 6, 10), deadline=date(2026, 9, 10), term_extended=True,
                    track="4", nationality="SYR")  # fmt: skip
    term_extended(extended, date(2025, 9, 1))
    late = fact(lodged=date(2025, 6, 11), deadline=date(2026, 9, 11), track="4", nationality="SYR")
    term_extended(late, date(2025, 12, 12))  # after lodged + 6 months: no extension

    legal = read_start_state(chain="NL", origin=ORIGIN, term_rules=())
    ruled = read_start_state(chain="NL", origin=ORIGIN, term_rules=(TermRule(date(2025, 6, 1), 6),))
    before = dict(zip(legal.lodged.astype(str), legal.deadline.astype(str), strict=True))
    after = dict(zip(ruled.lodged.astype(str), ruled.deadline.astype(str), strict=True))
    assert before == {
        "2025-05-31": "2026-08-31", "2025-06-01": "2026-09-01", "2025-06-10": "2026-09-10",
        "2025-06-11": "2026-09-11", "2025-07-31": "2026-10-31", "2025-08-31": "2026-11-30",
    }  # fmt: skip
    assert after == {
        "2025-05-31": "2026-08-31",  # lodged before the rule's date: unchanged
        "2025-06-01": "2025-12-01", "2025-06-10": "2026-09-10",  # extended: 15 months
        "2025-06-11": "2025-12-11", "2025-07-31": "2026-01-31",
        "2025-08-31": "2026-02-28",  # calendar months, clamped
    }  # fmt: skip


def test_a_run_answers_the_completed_inputs_the_calibration_and_the_months(
    history: None,
) -> None:
    with time_machine.travel(date(2026, 1, 10)):
        result = run_scenario(data={"chain": "NL", "paths": 1, "horizon": 3,
                                    "overrides": {"grant_share": {"4": 0.7}}})  # fmt: skip
    answer = result_json(result)
    assert answer["inputs"]["origin"] == "2025-12"
    assert answer["inputs"]["capacity"] == {"fte": 5.0, "productivity": round(240 / 90, 6),
                                            "hires": []}  # fmt: skip
    assert answer["calibration"]["grant_share"] == {
        "value": {"4": 0.7},
        "months": [],
        "overridden": True,
    }
    assert answer["calibration"]["productivity"]["months"] == WINDOW
    assert [m["month"] for m in answer["months"]] == ["2026-01", "2026-02", "2026-03"]
    first = answer["months"][0]
    assert first["inflow"] == 40 and first["decisions"] == 13  # 5 x 2.666667 = 13.3
    assert first["open_cases"] == 480 + 40 - 13
    assert set(first["tracks"]) == {"1", "2", "3", "4"}
    assert first["tracks"]["2"]["inflow"] == 10


def test_bands_come_for_many_paths(history: None) -> None:
    with time_machine.travel(date(2026, 1, 10)):
        answer = result_json(run_scenario(data={"chain": "NL", "paths": 50, "horizon": 2,
                                                "seed": 7}))  # fmt: skip
    assert answer["inputs"]["seed"] == 7
    assert set(answer["months"][0]["open_cases"]) == {"p10", "p50", "p90", "mean"}


def test_an_origin_before_the_chains_data_is_refused(history: None) -> None:
    with pytest.raises(InvalidInputs) as raised:
        parse_inputs(data={"chain": "NL", "origin": "2023-12"}, today=date(2026, 1, 10))
    assert set(raised.value.errors) == {"origin"}
    with pytest.raises(InvalidInputs) as raised:
        parse_inputs(data={"chain": "BE"}, today=date(2026, 1, 10))
    assert set(raised.value.errors) == {"origin"}


def test_a_start_state_is_cached_until_the_data_version_changes(history: None) -> None:
    from django.core.cache import cache

    from chain.indicators.engine import DATA_VERSION_KEY
    from scenarios.start_state import start_state

    first = start_state(chain="NL", origin=ORIGIN, term_rules=())
    facts(7, lodged=date(2025, 6, 3), track="1", nationality="SYR")
    assert start_state(chain="NL", origin=ORIGIN, term_rules=()).open_cases == first.open_cases
    cache.set(DATA_VERSION_KEY, "after-a-recompute", None)
    assert start_state(chain="NL", origin=ORIGIN, term_rules=()).open_cases == 480 + 7


def test_the_seasonal_profile_needs_two_years_and_averages_one() -> None:
    from scenarios.calibration import _seasonal_profile

    window = list(
        range(months.parse_month("2024-01") or 0, (months.parse_month("2025-12") or 0) + 1)
    )
    inflow = np.array([130.0 if m % 12 == 0 else 100.0 for m in window])
    profile = _seasonal_profile(inflow, window)
    assert abs(sum(profile) / 12 - 1) < 1e-12
    assert profile[0] == pytest.approx(1.3 / (12.3 / 12))
    assert _seasonal_profile(inflow[-12:], window[-12:]) == [1.0] * 12


def test_a_flat_or_short_inflow_history_is_its_own_forecast() -> None:
    from scenarios.calibration import _ets

    assert _ets(np.array([40.0] * 12)) == (40.0, 0.0, 0.0)
    level, alpha, spread = _ets(np.array([10.0, 20.0]))
    assert (level, alpha, spread) == (15.0, 0.0, 5.0)
