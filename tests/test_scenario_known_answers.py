"""The scenario model's known answers: constructed chains whose outcome is worked out by hand
(docs/reference/scenarios.md)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from scenarios import months
from scenarios.inputs import check_inputs
from scenarios.model import build_plan, ets_paths, largest_remainder, model_cohorts, simulate
from tests.scenario_model import calibration, run, start_state, total, track


def test_without_capacity_every_case_turns_over_term_at_its_own_deadline() -> None:
    rows = [
        ("2025-07-03", "2026-01-03", "4", "SYR", 5),
        ("2025-08-31", "2026-02-28", "4", "AFG", 7),
        ("2025-09-30", "2026-03-31", "2", "SYR", 11),  # the last day: not over at March's end
        ("2025-11-20", "2027-02-20", "1", "TUR", 13),
    ]
    simulation = run(start_state(rows), {"horizon": 24, "paths": 1, "capacity": {"fte": 0},
                                         "inflow": {"monthly": [3] * 24}})  # fmt: skip
    for i, over in enumerate(total(simulation, "open_cases_over_term")):
        end = months.last_day(months.parse_month("2025-12") + i + 1)  # type: ignore[operator]
        expected = sum(n for _, deadline, _, _, n in rows if date.fromisoformat(deadline) < end)
        # New cases: lodged on the 15th of months 1..i+1, six months' term.
        for k in range(1, i + 2):
            lodged = months.fifteenth(months.parse_month("2025-12") + k)  # type: ignore[operator]
            if months.add_months(lodged, 6) < end:
                expected += 3
        assert over == expected, (i, over, expected)
    assert total(simulation, "decisions") == [0] * 24
    assert total(simulation, "open_cases")[-1] == 36 + 3 * 24


def test_inflow_equal_to_capacity_under_fifo_keeps_the_stock_stable() -> None:
    rows = [(f"2025-{m:02d}-10", f"2026-{m:02d}-10", "4", "SYR", 100) for m in range(1, 11)]
    simulation = run(start_state(rows), {
        "horizon": 12, "paths": 1, "inflow": {"monthly": [100] * 12},
        "capacity": {"fte": 50, "productivity": 2},
    })  # fmt: skip
    assert total(simulation, "open_cases") == [1000] * 12
    assert total(simulation, "decisions") == [100] * 12
    assert total(simulation, "inflow") == [100] * 12


def test_an_over_term_share_of_seventy_percent_splits_the_capacity_as_the_contract_says() -> None:
    old = ("2025-01-10", "2025-07-10", "4", "SYR", 300)  # over term at the origin
    new = ("2025-11-10", "2026-05-10", "2", "AFG", 500)
    policy = {"kind": "over_term_share", "share": 0.7}
    simulation = run(start_state([old, new]), {
        "horizon": 1, "paths": 1, "policy": policy, "capacity": {"fte": 100},
    })  # fmt: skip
    assert track(simulation, "decisions", "4") == [70]
    assert track(simulation, "decisions", "2") == [30]
    assert total(simulation, "open_cases_over_term") == [230]

    # 0.7 x 90 is 63 exactly, on the decimal value.
    simulation = run(start_state([old, new]), {
        "horizon": 1, "paths": 1, "policy": policy, "capacity": {"fte": 90},
    })  # fmt: skip
    assert track(simulation, "decisions", "4") == [63]
    assert track(simulation, "decisions", "2") == [27]


def test_capacity_one_group_cannot_use_goes_to_the_other() -> None:
    old = ("2025-01-10", "2025-07-10", "4", "SYR", 50)
    new = ("2025-11-10", "2026-05-10", "2", "AFG", 500)
    simulation = run(start_state([old, new]), {
        "horizon": 1, "paths": 1, "policy": {"kind": "over_term_share", "share": 0.7},
        "capacity": {"fte": 100},
    })  # fmt: skip
    assert track(simulation, "decisions", "4") == [50]
    assert track(simulation, "decisions", "2") == [50]


def test_lifo_decides_the_latest_lodged_first() -> None:
    rows = [
        ("2025-01-10", "2025-07-10", "4", "SYR", 10),
        ("2025-11-10", "2026-05-10", "2", "AFG", 10),
    ]
    simulation = run(start_state(rows), {
        "horizon": 1, "paths": 1, "policy": {"kind": "lifo"}, "capacity": {"fte": 4},
    })  # fmt: skip
    assert track(simulation, "decisions", "2") == [4]
    assert track(simulation, "decisions", "4") == [0]


def test_the_fast_track_decides_only_its_nationalities_and_loses_what_it_cannot_use() -> None:
    rows = [
        ("2025-10-01", "2026-04-01", "4", "AFG", 100),
        ("2025-10-02", "2026-04-02", "4", "SYR", 15),
        ("2025-10-03", "2026-04-03", "2", "YEM", 100),
    ]
    simulation = run(start_state(rows), {
        "horizon": 3, "paths": 1, "capacity": {"fte": 0},
        "fast_track": {"nationalities": ["SYR"], "extra_decisions_per_month": 10},
    })  # fmt: skip
    assert total(simulation, "decisions") == [10, 5, 0]
    assert track(simulation, "open_cases", "4") == [105, 100, 100]
    assert track(simulation, "open_cases", "2") == [100, 100, 100]


def test_the_fast_track_comes_after_the_policy_among_the_open_cases() -> None:
    rows = [
        ("2025-10-01", "2026-04-01", "4", "SYR", 10),
        ("2025-10-02", "2026-04-02", "2", "AFG", 10),
        ("2025-10-03", "2026-04-03", "1", "SYR", 10),
    ]
    simulation = run(start_state(rows), {
        "horizon": 1, "paths": 1, "capacity": {"fte": 12},
        "fast_track": {"nationalities": ["SYR"], "extra_decisions_per_month": 5},
    })  # fmt: skip
    # FIFO: 10 of track 4, 2 of track 2; then the fast track: 5 of the SYR cases in track 1.
    assert track(simulation, "decisions", "4") == [10]
    assert track(simulation, "decisions", "2") == [2]
    assert track(simulation, "decisions", "1") == [5]


def test_penalties_of_a_case_decided_56_and_one_decided_30_days_after_the_deadline() -> None:
    decided = date(2026, 3, 15)  # month 3 after the origin, on its 15th
    late = decided - timedelta(days=56)
    later = decided - timedelta(days=30)
    rows = [
        ("2025-07-18", late.isoformat(), "4", "SYR", 1),
        ("2025-08-13", later.isoformat(), "2", "SYR", 1),
    ]
    simulation = run(start_state(rows), {
        "horizon": 4, "paths": 1, "capacity": {"fte": [0, 0, 2, 0]},
        "penalty": {"notice_rate": 1, "notice_lag_days": 0},
    })  # fmt: skip
    assert total(simulation, "decisions") == [0, 0, 2, 0]
    # Penalty days 1-42 run from 1 February to 14 March: 14 x 23 + 14 x 35 in February, 14 x 45
    # in March.
    assert track(simulation, "penalty_exposure_eur", "4") == [0, 812, 630, 0]
    assert track(simulation, "penalty_cumulative_eur", "4")[-1] == 1442
    # Day 1 is 27 February: 2 x 23 in February, 12 x 23 + 2 x 35 in March.
    assert track(simulation, "penalty_exposure_eur", "2") == [0, 46, 346, 0]
    assert track(simulation, "penalty_cumulative_eur", "2")[-1] == 392
    assert total(simulation, "penalty_cumulative_eur")[-1] == 1442 + 392


def test_the_notice_rate_and_lag_scale_and_shift_the_penalties() -> None:
    decided = date(2026, 3, 15)
    rows = [("2025-07-18", (decided - timedelta(days=56)).isoformat(), "4", "SYR", 1)]
    simulation = run(start_state(rows), {
        "horizon": 3, "paths": 1, "capacity": {"fte": [0, 0, 1]},
        "penalty": {"notice_rate": 0.5, "notice_lag_days": 26},
    })  # fmt: skip
    # Day 1 is 27 February; the last day 14 March: 16 days, half of them paid.
    assert total(simulation, "penalty_cumulative_eur")[-1] == 392 / 2


def test_a_case_still_open_pays_at_most_1442() -> None:
    rows = [("2025-05-01", "2025-11-01", "4", "SYR", 2)]
    simulation = run(start_state(rows), {"horizon": 6, "paths": 1, "capacity": {"fte": 0}})
    # Day 1 was 15 November, day 42 is 26 December: all before the origin's end, none counted.
    assert total(simulation, "penalty_cumulative_eur")[-1] == 0
    rows = [("2025-06-20", "2025-12-20", "4", "SYR", 1)]
    simulation = run(start_state(rows), {"horizon": 6, "paths": 1, "capacity": {"fte": 0}})
    # Day 1 is 3 January; every one of the 42 days lies after the origin.
    assert total(simulation, "penalty_cumulative_eur")[-1] == 1442


def test_a_scenario_term_rule_sets_the_deadline_of_new_cases_lodged_from_its_date() -> None:
    rows = [("2025-11-10", "2027-02-10", "4", "SYR", 1)]
    base = {"horizon": 12, "paths": 1, "capacity": {"fte": 0}, "inflow": {"monthly": [1] * 12}}
    legal = run(start_state(rows, legal_months=15), base)
    ruled = run(
        start_state(rows, legal_months=15),
        {**base, "term_rules": [{"lodged_from": "2026-03-01", "months": 6}]},
    )
    # Without the rule nothing is over term within the year; with it, the cases lodged on
    # 15 March 2026 and later are over term six months on (from 15 September: at September's end).
    assert total(legal, "open_cases_over_term") == [0] * 12
    assert total(ruled, "open_cases_over_term") == [0] * 8 + [1, 2, 3, 4]


def test_inflow_is_rounded_half_up_with_the_remainder_carried() -> None:
    simulation = run(
        start_state([]), {"horizon": 4, "paths": 1, "inflow": {"monthly": [0.5, 0.5, 0.5, 0.5]}}
    )
    assert total(simulation, "inflow") == [1, 0, 1, 0]
    simulation = run(start_state([]), {"horizon": 12, "paths": 1, "inflow": {"annual": 1000}})
    assert sum(total(simulation, "inflow")) == 1000


def test_whole_cases_are_split_by_largest_remainder_on_decimal_values() -> None:
    # 100 x 0.145 is 14.5 exactly: the remainders .5, .5, .0 tie, the earlier code wins.
    split = largest_remainder(np.array([100.0]), np.array([0.145, 0.145, 0.71]))
    assert split.tolist() == [[15, 14, 71]]
    split = largest_remainder(np.array([10.0, 3.0]), np.array([1 / 3, 1 / 3, 1 / 3]))
    assert split.tolist() == [[4, 3, 3], [1, 1, 1]]


def test_decisions_never_exceed_the_open_cases() -> None:
    simulation = run(
        start_state([("2025-11-10", "2026-05-10", "4", "SYR", 5)]),
        {"horizon": 2, "paths": 1, "capacity": {"fte": 100}},
    )
    assert total(simulation, "decisions") == [5, 0]
    assert (
        total(simulation, "decision_lead_time_median")[0]
        == (date(2026, 1, 15) - date(2025, 11, 10)).days
    )
    assert np.isnan(total(simulation, "decision_lead_time_median")[1])
    assert total(simulation, "decisions_within_term_share")[0] == 1.0


def test_the_lead_time_median_is_percentile_cont_over_the_decided_cases() -> None:
    rows = [
        ("2025-10-15", "2026-04-15", "4", "SYR", 1),
        ("2025-11-15", "2026-05-15", "4", "SYR", 1),
    ]
    simulation = run(start_state(rows), {"horizon": 1, "paths": 1, "capacity": {"fte": 2}})
    # 92 and 61 days: the median interpolates to 76.5.
    assert total(simulation, "decision_lead_time_median") == [76.5]


def test_hires_ramp_up_linearly_over_their_months() -> None:
    rows = [("2025-01-10", "2025-07-10", "4", "SYR", 10_000)]
    simulation = run(start_state(rows), {"horizon": 5, "paths": 1, "capacity": {
        "fte": 10, "productivity": 1, "hires": [{"month": "2026-02", "fte": 30, "ramp_months": 3}],
    }})  # fmt: skip
    assert total(simulation, "decisions") == [10, 20, 30, 40, 40]


def test_reception_follows_entries_decisions_and_leave_rates() -> None:
    rows = [("2025-11-10", "2026-05-10", "4", "SYR", 100)]
    simulation = run(
        start_state(rows, in_procedure=50, status_holders=20, others=10),
        {"horizon": 1, "paths": 1, "capacity": {"fte": 10}, "inflow": {"monthly": [10]},
         "reception": {"planning_norm": 0.8}},
        grant_share={"4": 0.6}, reception_entry_share=0.5, status_holder_leave_rate=0.1,
        other_leave_rate=0.5,
    )  # fmt: skip
    # In procedure 50 + 5 = 55 of 110 open: half of the 10 decided are in reception,
    # 3 granted, 2 rejected.
    assert total(simulation, "status_holders_in_reception") == [(20 + 3) * 0.9]
    in_reception = (55 - 5) + (20 + 3) * 0.9 + (10 + 2) * 0.5
    assert abs(total(simulation, "in_reception")[0] - in_reception) < 1e-9
    assert abs(total(simulation, "places_needed")[0] - in_reception / 0.8) < 1e-9


def test_return_cases_open_from_rejections_and_close_at_the_departure_rate() -> None:
    rows = [("2025-11-10", "2026-05-10", "4", "SYR", 100)]
    simulation = run(
        start_state(rows, open_return_cases=40),
        {"horizon": 1, "paths": 1, "capacity": {"fte": 10}},
        grant_share={"4": 0.3}, return_case_share=0.5, departure_rate=0.25,
    )  # fmt: skip
    opened = 7 * 0.5
    assert total(simulation, "departures") == [(40 + opened) * 0.25]
    assert total(simulation, "open_return_cases") == [(40 + opened) * 0.75]


def test_the_inflow_paths_are_those_statsmodels_simulates_for_the_fitted_ets_model() -> None:
    series = np.array([100, 120, 95, 130, 110, 140, 125, 150, 135, 128, 160, 145], dtype=float)
    fitted = ETSModel(series, error="add", trend=None).fit(disp=False)
    level, alpha = float(fitted.forecast(1)[0]), float(fitted.params[0])
    errors = np.random.default_rng(3).normal(0, 10, size=(6, 4))
    simulated = fitted.simulate(6, repetitions=4, anchor="end", random_errors=errors)
    ours = level * ets_paths(errors / level, alpha)
    assert np.allclose(np.asarray(simulated), ours)


def test_a_belgian_scenario_runs_on_its_own_tracks() -> None:
    rows = [
        ("2025-05-10", "2025-11-10", "P", "SYR", 40),
        ("2025-11-10", "2026-05-10", "U", "AFG", 10),
    ]
    inputs = check_inputs(
        data={"chain": "BE", "origin": "2025-12", "horizon": 2, "paths": 1,
              "capacity": {"fte": 30}, "inflow": {"monthly": [5, 5]}},
        today=date(2026, 1, 10), first_month=months.parse_month("2020-01"),
        nationalities=frozenset({"SYR", "AFG"}),
    )  # fmt: skip
    c = calibration(track_shares={"P": 0.8, "U": 0.2}, grant_share={"P": 0.5, "U": 0.1})
    plan = build_plan(inputs=inputs, calibration=c, start=start_state(rows))
    simulation = simulate(plan=plan, cohorts=model_cohorts(plan=plan, start=start_state(rows)))
    assert plan.tracks == ("P", "U")
    # Month 2: all 30 open cases, in FIFO order: P of May, U of November, then the new ones.
    assert track(simulation, "decisions", "P") == [30, 18]
    assert track(simulation, "inflow", "P") == [4, 4]
    assert track(simulation, "open_cases", "U") == [11, 0]
