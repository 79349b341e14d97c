"""The back-test: how well the scenario model foretold the chain's own past.

From rolling origins (every 3 months, with at least ``window`` months of history before each,
of measured decision capacity where the chain measures it, and 12 months after) and at horizons
3, 6 and 12 months (docs/reference/scenarios.md, "Back-test"):

- **accounting**: the cases that were lodged and decided are fed in as they happened; the
  model must then give exactly the observed open cases and open cases over term;
- **capacity**: actual inflow and the measured FTE are fed in, the model decides by itself;
  its median is compared with what happened (absolute percentage error), as is the naive
  forecast "nothing changes" (the value at the origin), and whether the actual value lay in
  the p10-p90 band.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
from django.db import connection

from chain import clock
from scenarios import months
from scenarios.inputs import default_origin, parse_inputs
from scenarios.model import Cohorts, Plan, simulate
from scenarios.services import run_inputs
from scenarios.start_state import NEVER

HORIZONS = (3, 6, 12)
STEP = 3
AFTER = 12
FIGURES = ("open_cases", "open_cases_over_term", "in_reception")
DEFAULT_PATHS = 200
DEFAULT_SEED = 2023

# Monthly movements of the chain, each counted in the month it happens: a stock at a month end
# is the running sum of what entered minus what left (as the indicators' open stocks).
_MOVEMENTS = """
SELECT 'lodged', date_trunc('month', lodged)::date, count(*) FROM chain_casefact
WHERE chain_id = %(chain)s AND lodged IS NOT NULL GROUP BY 2
UNION ALL
SELECT 'decided', date_trunc('month', decided)::date, count(*) FROM chain_casefact
WHERE chain_id = %(chain)s AND lodged IS NOT NULL AND decided IS NOT NULL GROUP BY 2
UNION ALL
SELECT 'over_in', date_trunc('month', deadline + 1)::date, count(*) FROM chain_casefact
WHERE chain_id = %(chain)s AND lodged IS NOT NULL AND deadline IS NOT NULL GROUP BY 2
UNION ALL
SELECT 'over_out', date_trunc('month', greatest(deadline + 1, decided))::date, count(*)
FROM chain_casefact
WHERE chain_id = %(chain)s AND lodged IS NOT NULL AND deadline IS NOT NULL
  AND decided IS NOT NULL GROUP BY 2
UNION ALL
SELECT 'reception_in', date_trunc('month', lower(r.days))::date, count(*)
FROM chain_casefact f CROSS JOIN LATERAL unnest(f.reception) r(days)
WHERE f.chain_id = %(chain)s AND cardinality(f.reception) > 0 GROUP BY 2
UNION ALL
SELECT 'reception_out', date_trunc('month', upper(r.days))::date, count(*)
FROM chain_casefact f CROSS JOIN LATERAL unnest(f.reception) r(days)
WHERE f.chain_id = %(chain)s AND cardinality(f.reception) > 0 AND upper(r.days) IS NOT NULL
GROUP BY 2
"""

# Cases open at the origin or lodged in the twelve months after it, by cohort and the month
# they were decided in (if within those months).
_COHORTS = """
SELECT f.lodged, coalesce(f.deadline, %(never)s), coalesce(f.track, ''),
    CASE WHEN f.decided <= %(last)s THEN date_trunc('month', f.decided)::date END, count(*)
FROM chain_casefact f
WHERE f.chain_id = %(chain)s AND f.lodged <= %(last)s
  AND (f.decided IS NULL OR f.decided > %(origin_end)s)
GROUP BY 1, 2, 3, 4
"""

_FTE = """
SELECT e.e, (SELECT sum(latest.value) FROM (
    SELECT DISTINCT ON (m.organisation_id, m.location) m.value FROM chain_measurement m
    WHERE m.chain_id = %(chain)s AND m.kind = 'DECISION_CAPACITY_FTE' AND m.date <= e.e
    ORDER BY m.organisation_id, m.location, m.date DESC) latest)
FROM (SELECT (d + interval '1 month' - interval '1 day')::date AS e
      FROM generate_series(%(first)s::date, %(last)s::date, interval '1 month') d) e
"""


_FIRST_FTE = """
SELECT min(m.date) FROM chain_measurement m
WHERE m.chain_id = %(chain)s AND m.kind = 'DECISION_CAPACITY_FTE'
"""


@dataclass(frozen=True)
class Error:
    """One origin, horizon and figure: what happened, what the model and the naive forecast
    said, and the accounting check's value."""

    origin: str
    horizon: int
    figure: str
    actual: float
    p10: float
    p50: float
    p90: float
    naive: float
    accounting: float | None


@dataclass(frozen=True)
class Series:
    """The chain's actual monthly figures from its first month to the last complete one."""

    first: int
    last: int
    values: dict[str, np.ndarray]

    def at(self, name: str, month: int) -> float:
        return float(self.values[name][month - self.first])


def actual_series(*, chain: str) -> Series | None:
    """Inflow, decisions and the three stocks at each month end, from the case facts."""
    with connection.cursor() as cursor:
        cursor.execute(_MOVEMENTS, {"chain": chain})
        rows = cursor.fetchall()
    if not rows:
        return None
    first = min(months.month_of(day) for _, day, _ in rows if day is not None)
    last = default_origin(clock.today())
    if last < first:
        return None
    size = last - first + 1
    flows = {
        name: np.zeros(size)
        for name in ("lodged", "decided", "over_in", "over_out", "reception_in", "reception_out")
    }
    for name, day, count in rows:
        if day is None:
            continue
        index = months.month_of(day) - first
        if index < size:
            flows[name][index] += count
    values = {
        "inflow": flows["lodged"],
        "decisions": flows["decided"],
        "open_cases": np.cumsum(flows["lodged"] - flows["decided"]),
        "open_cases_over_term": np.cumsum(flows["over_in"] - flows["over_out"]),
        "in_reception": np.cumsum(flows["reception_in"] - flows["reception_out"]),
    }
    return Series(first=first, last=last, values=values)


def origins(series: Series, *, window: int, measured_from: int | None = None) -> list[int]:
    """Every third month back from the latest with 12 months after it, keeping ``window``
    months of history before each (the origin's own month included).

    The capacity check decides by the measured FTE: with ``measured_from`` (the chain's first
    month with a measured decision capacity) those ``window`` months must all be measured, so
    that no origin is calibrated on months the chain did not measure its capacity in.
    """
    latest = series.last - AFTER
    earliest = max(series.first, measured_from or series.first) + window - 1
    return list(range(latest, earliest - 1, -STEP))[::-1]


def first_measured_month(*, chain: str) -> int | None:
    """The first month with a measured decision capacity (``DECISION_CAPACITY_FTE``)."""
    with connection.cursor() as cursor:
        cursor.execute(_FIRST_FTE, {"chain": chain})
        (day,) = cursor.fetchone()
    return None if day is None else months.month_of(day)


def _measured_fte(chain: str, origin: int) -> list[float] | None:
    bind: dict[str, Any] = {
        "chain": chain,
        "first": months.first_day(origin + 1),
        "last": months.first_day(origin + AFTER),
    }
    with connection.cursor() as cursor:
        cursor.execute(_FTE, bind)
        found = [value for _, value in cursor.fetchall()]
    if any(value is None for value in found):
        return None
    return [float(value) for value in found]


def accounting(*, chain: str, origin: int, plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """Open cases and open cases over term at each month end after ``origin``, from the
    model fed with the cases that were lodged and decided as they were."""
    bind: dict[str, Any] = {
        "chain": chain,
        "never": NEVER,
        "last": months.last_day(origin + AFTER),
        "origin_end": months.last_day(origin),
    }
    with connection.cursor() as cursor:
        cursor.execute(_COHORTS, bind)
        rows = cursor.fetchall()
    tracks = {t: i for i, t in enumerate(plan.tracks)}
    if rows:
        lodged = np.array([r[0] for r in rows], dtype="datetime64[D]")
        deadline = np.array([r[1] for r in rows], dtype="datetime64[D]")
        track = np.array([tracks.get(r[2], len(tracks)) for r in rows], dtype=np.int64)
        decided = np.array(
            [months.month_of(r[3]) - origin if r[3] else 0 for r in rows], dtype=np.int64
        )
        count = np.array([r[4] for r in rows], dtype=float)
    else:
        lodged = deadline = np.zeros(0, dtype="datetime64[D]")
        track = decided = np.zeros(0, dtype=np.int64)
        count = np.zeros(0)
    keys = np.column_stack([lodged.astype(np.int64), deadline.astype(np.int64), track])
    columns, column = np.unique(keys, axis=0, return_inverse=True)
    column = column.ravel()
    arrival = np.array(
        [months.month_of(d) - origin for d in columns[:, 0].astype("datetime64[D]").tolist()],
        dtype=np.int64,
    ).clip(min=0)
    total = np.zeros(len(columns))
    np.add.at(total, column, count)
    forced = np.zeros((AFTER + 1, len(columns)))
    np.add.at(forced, (decided, column), np.where(decided > 0, count, 0))
    bounds = np.searchsorted(arrival, np.arange(1, AFTER + 2))
    cohorts = Cohorts(
        lodged=columns[:, 0].astype("datetime64[D]"),
        deadline=columns[:, 1].astype("datetime64[D]"),
        track=columns[:, 2],
        fast=np.zeros(len(columns), dtype=bool),
        start_count=np.where(arrival == 0, total, 0.0),
        arrivals=tuple(slice(bounds[k], bounds[k + 1]) for k in range(AFTER)),
        # Reception and return play no part in this check.
        stocks=dict.fromkeys(
            ("in_procedure", "status_holders", "others", "open_return_cases"), 0.0
        ),
    )
    fed = replace(plan, paths=1, fast_nationalities=(), fast_extra=0)
    simulation = simulate(
        plan=fed,
        cohorts=cohorts,
        arrivals=lambda k: total[cohorts.arrivals[k - 1]][None, :],
        forced=lambda k, active: forced[k, :active],
    )
    return simulation.totals["open_cases"][:, 0], simulation.totals["open_cases_over_term"][:, 0]


def backtest_errors(
    *, chain: str, window: int = 12, paths: int = DEFAULT_PATHS, seed: int = DEFAULT_SEED
) -> list[Error]:
    """Per origin, horizon and figure, the back-test's values (for the API and the command)."""
    series = actual_series(chain=chain)
    if series is None:
        return []
    errors = []
    measured_from = first_measured_month(chain=chain)
    for origin in origins(series, window=window, measured_from=measured_from):
        actual_inflow = [
            series.at("inflow", origin + k) for k in range(1, AFTER + 1)
        ]  # what was lodged
        data: dict[str, Any] = {
            "chain": chain, "origin": months.label(origin), "horizon": AFTER, "paths": paths,
            "seed": seed, "window": window, "inflow": {"monthly": actual_inflow},
        }  # fmt: skip
        staff = _measured_fte(chain, origin)
        if staff is not None:
            data["capacity"] = {"fte": staff}
        result = run_inputs(inputs=parse_inputs(data=data))
        plan = result.simulation.plan
        open_fed, over_fed = accounting(chain=chain, origin=origin, plan=plan)
        fed = {"open_cases": open_fed, "open_cases_over_term": over_fed}
        for horizon in HORIZONS:
            for figure in FIGURES:
                values = result.simulation.totals[figure][horizon - 1]
                p10, p50, p90 = np.percentile(values, [10, 50, 90])
                errors.append(
                    Error(
                        origin=months.label(origin),
                        horizon=horizon,
                        figure=figure,
                        actual=series.at(figure, origin + horizon),
                        p10=float(p10),
                        p50=float(p50),
                        p90=float(p90),
                        naive=series.at(figure, origin),
                        accounting=float(fed[figure][horizon - 1]) if figure in fed else None,
                    )
                )
    return errors


def _mape(errors: list[Error], figure: str, horizon: int, *, naive: bool = False) -> float:
    found = [
        abs((e.naive if naive else e.p50) - e.actual) / e.actual
        for e in errors
        if e.figure == figure and e.horizon == horizon and e.actual > 0
    ]
    return float(np.mean(found)) if found else float("nan")


def summary(errors: list[Error]) -> dict[str, float | int]:
    """The figures of the command's last line."""
    accounting_error = max(
        (abs(e.accounting - e.actual) for e in errors if e.accounting is not None), default=0.0
    )
    banded = [e for e in errors if e.figure in ("open_cases", "open_cases_over_term")]
    coverage = (
        float(np.mean([e.p10 <= e.actual <= e.p90 for e in banded])) if banded else float("nan")
    )
    return {
        "origins": len({e.origin for e in errors}),
        "accounting_max_abs_err": round(accounting_error),
        "mape_open_6m": _mape(errors, "open_cases", 6),
        "mape_open_12m": _mape(errors, "open_cases", 12),
        "mape_overterm_6m": _mape(errors, "open_cases_over_term", 6),
        "mape_reception_3m": _mape(errors, "in_reception", 3),
        "naive_mape_open_6m": _mape(errors, "open_cases", 6, naive=True),
        "coverage_p10_p90": coverage,
    }


def summary_line(chain: str, errors: list[Error]) -> str:
    """``backtest chain=NL origins=... coverage_p10_p90=...`` (fractions, 4 decimals)."""
    figures = summary(errors)
    parts = [f"backtest chain={chain}"]
    for name, value in figures.items():
        parts.append(f"{name}={value}" if isinstance(value, int) else f"{name}={value:.4f}")
    return " ".join(parts)


def errors_json(errors: list[Error]) -> list[dict[str, Any]]:
    """The errors as plain data."""
    return [asdict(e) for e in errors]
