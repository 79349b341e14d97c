"""Running a scenario: check the inputs, calibrate, read the start state, run the model.

``run_scenario`` is the one entry point for the API, the pages and the report; ``result_json``
gives the answer of docs/reference/scenarios.md ("An answer"): the completed inputs, the
calibration with the months each parameter rests on, and the figures per month and track.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from scenarios import months
from scenarios.calibration import Calibration, calibrate
from scenarios.inputs import ScenarioInputs, parse_inputs
from scenarios.model import (
    CASE_FIGURES,
    FIGURES,
    Simulation,
    build_plan,
    model_cohorts,
    simulate,
)
from scenarios.start_state import StartState, start_state

# Figures that count whole cases: whole numbers in a deterministic run.
WHOLE = ("inflow", "decisions", "open_cases", "open_cases_over_term")
BANDS = (("p10", 10), ("p50", 50), ("p90", 90))


@dataclass(frozen=True)
class ScenarioResult:
    """A run: its completed inputs, its calibration (overrides applied) and its figures."""

    inputs: ScenarioInputs
    calibration: Calibration
    start: StartState
    simulation: Simulation


def run_scenario(*, data: dict[str, Any]) -> ScenarioResult:
    """Run the scenario of ``data`` (decoded JSON); ``InvalidInputs`` names every bad field."""
    inputs = parse_inputs(data=data)
    return run_inputs(inputs=inputs)


def run_inputs(*, inputs: ScenarioInputs) -> ScenarioResult:
    """Run already checked inputs (calibrated on the chain's data at their origin)."""
    calibration = calibrate(chain=inputs.chain, origin=inputs.origin, window=inputs.window)
    calibration = calibration.with_overrides(dict(inputs.overrides))
    start = start_state(chain=inputs.chain, origin=inputs.origin, term_rules=inputs.term_rules)
    plan = build_plan(inputs=inputs, calibration=calibration, start=start)
    simulation = simulate(plan=plan, cohorts=model_cohorts(plan=plan, start=start))
    return ScenarioResult(
        inputs=inputs, calibration=calibration, start=start, simulation=simulation
    )


def _number(value: Decimal | float | int) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def inputs_json(inputs: ScenarioInputs, calibration: Calibration) -> dict[str, Any]:
    """The inputs with every default filled in, calibrated capacity included."""
    if inputs.inflow_kind == "annual":
        assert inputs.inflow_annual is not None
        inflow: dict[str, Any] = {"annual": _number(inputs.inflow_annual)}
    elif inputs.inflow_kind == "monthly":
        assert inputs.inflow_monthly is not None
        inflow = {"monthly": [_number(v) for v in inputs.inflow_monthly]}
    else:
        inflow = {"baseline": True}
    if inputs.fte is None:
        fte: Any = calibration.value("fte")
    elif inputs.fte_as_list:
        fte = [_number(v) for v in inputs.fte]
    else:
        fte = _number(inputs.fte[0])
    productivity = (
        _number(inputs.productivity)
        if inputs.productivity is not None
        else calibration.value("productivity")
    )
    return {
        "chain": inputs.chain,
        "origin": months.label(inputs.origin),
        "horizon": inputs.horizon,
        "paths": inputs.paths,
        "seed": inputs.seed,
        "window": inputs.window,
        "inflow": inflow,
        "capacity": {
            "fte": fte,
            "productivity": productivity,
            "hires": [
                {
                    "month": months.label(h.month),
                    "fte": _number(h.fte),
                    "ramp_months": h.ramp_months,
                }
                for h in inputs.hires
            ],
        },
        "policy": {"kind": inputs.policy, "share": _number(inputs.share)},
        "fast_track": {
            "nationalities": list(inputs.fast_track_nationalities),
            "extra_decisions_per_month": _number(inputs.fast_track_extra),
        },
        "term_rules": [
            {"lodged_from": r.lodged_from.isoformat(), "months": r.months}
            for r in inputs.term_rules
        ],
        "penalty": {
            "notice_rate": _number(inputs.notice_rate),
            "notice_lag_days": inputs.notice_lag_days,
        },
        "reception": {"planning_norm": _number(inputs.planning_norm)},
        "overrides": {name: calibration.value(name) for name in sorted(inputs.overrides)},
    }


def calibration_json(calibration: Calibration) -> dict[str, Any]:
    """Each parameter's value and the months it rests on (none when overridden)."""
    answer: dict[str, Any] = {}
    for name, parameter in sorted(calibration.parameters.items()):
        entry: dict[str, Any] = {"value": parameter.value, "months": list(parameter.months)}
        if parameter.overridden:
            entry["overridden"] = True
        answer[name] = entry
    return answer


def _bands(values: np.ndarray, name: str) -> list[Any]:
    """One figure over the months (rows) and paths (columns): per month a number for one
    path, else its p10, p50, p90 and mean; None where no path has a value."""
    if values.shape[1] == 1:
        return [
            None if np.isnan(v) else (round(float(v)) if name in WHOLE else round(float(v), 3))
            for v in values[:, 0]
        ]
    empty = np.isnan(values).all(axis=1)
    filled = np.where(empty[:, None], 0.0, values)
    with np.errstate(invalid="ignore"):
        if np.isnan(filled).any():
            quantiles = np.nanpercentile(filled, [10, 50, 90], axis=1)
            means = np.nanmean(filled, axis=1)
        else:
            quantiles = np.percentile(filled, [10, 50, 90], axis=1)
            means = filled.mean(axis=1)
    return [
        None if empty[i] else {
            "p10": round(float(quantiles[0, i]), 3), "p50": round(float(quantiles[1, i]), 3),
            "p90": round(float(quantiles[2, i]), 3), "mean": round(float(means[i]), 3),
        }
        for i in range(values.shape[0])
    ]  # fmt: skip


def months_json(simulation: Simulation) -> list[dict[str, Any]]:
    """The figures per month, in total and per track."""
    plan = simulation.plan
    totals = {name: _bands(simulation.totals[name], name) for name in FIGURES}
    tracks = {
        track: {name: _bands(simulation.per_track[name][:, :, t], name) for name in CASE_FIGURES}
        for t, track in enumerate(plan.tracks)
    }
    answer = []
    for i in range(plan.horizon):
        row: dict[str, Any] = {"month": months.label(plan.origin + i + 1)}
        row.update({name: totals[name][i] for name in FIGURES})
        row["tracks"] = {
            track: {name: figures[name][i] for name in CASE_FIGURES}
            for track, figures in tracks.items()
        }
        answer.append(row)
    return answer


def result_json(result: ScenarioResult) -> dict[str, Any]:
    """The answer of a run: ``inputs`` completed, ``calibration`` and ``months``."""
    return {
        "inputs": inputs_json(result.inputs, result.calibration),
        "calibration": calibration_json(result.calibration),
        "months": months_json(result.simulation),
    }
