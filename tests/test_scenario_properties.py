"""Properties of the scenario model over generated chains and scenarios (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios import months
from scenarios.services import months_json
from tests.scenario_model import run, start_state

NATIONALITIES = ["AFG", "ERI", "SYR", "TUR", "YEM"]


@st.composite
def chains(draw: st.DrawFn) -> list[tuple[str, str, str, str, int]]:
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        lodged = date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 700)))
        term = draw(st.sampled_from([6, 15]))
        rows.append((
            lodged.isoformat(), months.add_months(lodged, term).isoformat(),
            draw(st.sampled_from("1234")), draw(st.sampled_from(NATIONALITIES)),
            draw(st.integers(1, 60)),
        ))  # fmt: skip
    return rows


@st.composite
def scenarios(draw: st.DrawFn, paths: st.SearchStrategy[int]) -> dict[str, Any]:
    horizon = draw(st.integers(1, 8))
    data: dict[str, Any] = {
        "horizon": horizon,
        "paths": draw(paths),
        "seed": draw(st.integers(0, 1000)),
        "inflow": {"monthly": draw(st.lists(st.integers(0, 80), min_size=horizon,
                                            max_size=horizon))},
        "capacity": {"fte": draw(st.integers(0, 60)),
                     "productivity": draw(st.sampled_from([0.5, 1, 1.5]))},
        "policy": {"kind": draw(st.sampled_from(["fifo", "lifo", "over_term_share"])),
                   "share": draw(st.sampled_from([0, 0.3, 0.7, 1]))},
    }  # fmt: skip
    if draw(st.booleans()):
        data["fast_track"] = {
            "nationalities": draw(st.lists(st.sampled_from(NATIONALITIES), min_size=1,
                                           max_size=2, unique=True)),
            "extra_decisions_per_month": draw(st.integers(0, 30)),
        }  # fmt: skip
    if draw(st.booleans()):
        data["term_rules"] = [{"lodged_from": "2025-01-01", "months": draw(st.integers(1, 9))}]
    return data


CALIBRATED = {
    "inflow_dispersion": 0.2, "inflow_smoothing": 0.3, "productivity_dispersion": 0.1,
    "productivity_smoothing": 0.5,
    "track_shares": {"1": 0.1, "2": 0.2, "4": 0.7},
    "nationality_shares": {"AFG": 0.3, "SYR": 0.5, "YEM": 0.2},
    "reception_entry_share": 0.8, "status_holder_leave_rate": 0.1, "other_leave_rate": 0.2,
    "return_case_share": 0.4, "departure_rate": 0.1,
}  # fmt: skip
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(rows=chains(), data=scenarios(st.integers(1, 6)))
def test_no_figure_is_ever_negative(rows: list, data: dict[str, Any]) -> None:
    simulation = run(start_state(rows, in_procedure=30, status_holders=10, others=5,
                                 open_return_cases=7), data, **CALIBRATED)  # fmt: skip
    for figures in (simulation.totals, simulation.per_track):
        for name, values in figures.items():
            assert not (values[~np.isnan(values)] < 0).any(), name


@SETTINGS
@given(rows=chains(), data=scenarios(st.integers(1, 6)))
def test_on_every_path_the_open_cases_add_up(rows: list, data: dict[str, Any]) -> None:
    start = start_state(rows)
    simulation = run(start, data, **CALIBRATED)
    totals = simulation.totals
    before = np.full(simulation.plan.paths, float(start.open_cases))
    for i in range(simulation.plan.horizon):
        after = before + totals["inflow"][i] - totals["decisions"][i]
        assert (after == totals["open_cases"][i]).all()
        assert (totals["open_cases_over_term"][i] <= totals["open_cases"][i]).all()
        before = after
    per_track = simulation.per_track["open_cases"].sum(axis=2)
    assert (per_track == totals["open_cases"]).all()


@SETTINGS
@given(rows=chains(), data=scenarios(st.just(1)))
def test_one_path_twice_gives_the_same_answer(rows: list, data: dict[str, Any]) -> None:
    first = months_json(run(start_state(rows), data, **CALIBRATED))
    data = {**data, "seed": data["seed"] + 1}  # the seed plays no part in a deterministic run
    assert months_json(run(start_state(rows), data, **CALIBRATED)) == first


@SETTINGS
@given(rows=chains(), data=scenarios(st.integers(2, 30)))
def test_the_same_seed_gives_the_same_bands(rows: list, data: dict[str, Any]) -> None:
    first = months_json(run(start_state(rows), data, **CALIBRATED))
    assert months_json(run(start_state(rows), data, **CALIBRATED)) == first
