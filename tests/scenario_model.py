"""Hand-made start states and calibrations for running the scenario model without a database."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from scenarios import months
from scenarios.calibration import Calibration, Parameter
from scenarios.inputs import check_inputs
from scenarios.model import Simulation, build_plan, model_cohorts, simulate
from scenarios.start_state import LegalTerm, StartState

ORIGIN = "2025-12"
# Any day after the origin's month will do: the inputs are checked against it, not the clock.
TODAY = date(2026, 1, 10)
NATIONALITIES = frozenset({"AFG", "ERI", "SYR", "TUR", "YEM"})

Row = tuple[str, str, str, str, int]  # lodged, deadline, track, nationality, count


def start_state(
    rows: list[Row], *, legal_months: int = 6, in_procedure: float = 0.0,
    status_holders: float = 0.0, others: float = 0.0, open_return_cases: float = 0.0,
) -> StartState:  # fmt: skip
    """Open cases at the end of ORIGIN, rows in any order."""
    rows = sorted(rows)
    return StartState(
        origin=months.parse_month(ORIGIN) or 0,
        lodged=np.array([r[0] for r in rows], dtype="datetime64[D]"),
        deadline=np.array([r[1] for r in rows], dtype="datetime64[D]"),
        track=np.array([r[2] for r in rows], dtype=object),
        nationality=np.array([r[3] for r in rows], dtype=object),
        count=np.array([r[4] for r in rows], dtype=np.int64),
        in_procedure=in_procedure, status_holders=status_holders, others=others,
        open_return_cases=open_return_cases,
        legal_terms=(LegalTerm(None, None, legal_months),),
    )  # fmt: skip


DEFAULTS: dict[str, Any] = {
    "inflow_monthly_mean": 0.0, "inflow_dispersion": 0.0, "inflow_smoothing": 0.0,
    "seasonal_profile": [1.0] * 12, "track_shares": {"4": 1.0},
    "nationality_shares": {"AFG": 0.5, "SYR": 0.5}, "productivity": 1.0,
    "productivity_dispersion": 0.0, "productivity_smoothing": 0.0, "fte": 0.0,
    "grant_share": {"1": 0.5, "2": 0.5, "3": 0.5, "4": 0.5}, "reception_entry_share": 0.0,
    "status_holder_leave_rate": 0.0, "other_leave_rate": 0.0, "return_case_share": 0.0,
    "departure_rate": 0.0,
}  # fmt: skip


def calibration(**values: Any) -> Calibration:
    """A calibration of the given values, the rest from DEFAULTS."""
    origin = months.parse_month(ORIGIN) or 0
    parameters = {k: Parameter(v, ()) for k, v in {**DEFAULTS, **values}.items()}
    return Calibration(chain="NL", origin=origin, window=12, parameters=parameters)


def run(start: StartState, data: dict[str, Any], **calibrated: Any) -> Simulation:
    """The model's run of ``data`` (chain NL, origin ORIGIN unless given) from ``start``."""
    inputs = check_inputs(
        data={"chain": "NL", "origin": ORIGIN, **data}, today=TODAY,
        first_month=months.parse_month("2020-01"), nationalities=NATIONALITIES,
    )  # fmt: skip
    c = calibration(**calibrated).with_overrides(dict(inputs.overrides))
    plan = build_plan(inputs=inputs, calibration=c, start=start)
    return simulate(plan=plan, cohorts=model_cohorts(plan=plan, start=start))


def track(simulation: Simulation, figure: str, code: str) -> list[float]:
    """A per-track figure of a one-path run, month by month."""
    t = simulation.plan.tracks.index(code)
    return [float(v) for v in simulation.per_track[figure][:, 0, t]]


def total(simulation: Simulation, figure: str) -> list[float]:
    """A figure of a one-path run, month by month."""
    return [float(v) for v in simulation.totals[figure][:, 0]]
