"""Calibration: every parameter of the scenario model from the chain's own history.

Each parameter is read from the ``window`` months up to and including the origin, set-wise (one
grouped query per source), and returned with the months it rests on; a scenario's
``overrides`` replace them (docs/reference/scenarios.md, "Calibration"). The definitions of
lodged, decided, in reception and open return case are those of the indicators. The inflow
baseline is an exponential smoothing (ETS) model fitted by statsmodels on the deseasonalised
monthly inflow. Results are cached per chain, origin, window and indicator data version, the
version the engine bumps after each recompute (as the read API's answer cache does).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.cache import cache
from django.db import connection

from chain.indicators.engine import DATA_VERSION_KEY
from chain.vocabulary import TRACKS
from scenarios import months

# A calibration lives as long as its data version; this only bounds what an old one occupies.
CACHE_TTL = 24 * 3600
# Part of the cache key: a change to what a calibration holds leaves the old ones behind.
CALIBRATION_FORMAT = 4
# The seasonal profile needs two full years of history.
SEASONAL_WINDOW = 24


@dataclass(frozen=True)
class Parameter:
    """A calibrated value and the months (``YYYY-MM``) it rests on; ``overridden`` if given."""

    value: Any
    months: tuple[str, ...]
    overridden: bool = False


@dataclass(frozen=True)
class Calibration:
    """The parameters by name (docs/reference/scenarios.md lists them)."""

    chain: str
    origin: int
    window: int
    parameters: dict[str, Parameter] = field(default_factory=dict)

    def value(self, name: str) -> Any:
        return self.parameters[name].value

    def with_overrides(self, overrides: dict[str, Any]) -> Calibration:
        """This calibration with the given values in place of the calibrated ones."""
        parameters = dict(self.parameters)
        for name, value in overrides.items():
            parameters[name] = Parameter(_plain(value), (), overridden=True)
        return replace(self, parameters=parameters)


def _plain(value: Any) -> Any:
    """Overrides arrive as Decimals (and read-only maps); the model reads floats and dicts."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if hasattr(value, "items"):
        return {k: _plain(v) for k, v in value.items()}
    return value


_MONTHLY_CASES = """
SELECT 'lodged' AS what, date_trunc('month', f.lodged)::date AS month,
    coalesce(f.track, '') AS track, count(*) AS n, 0 AS granted
FROM chain_casefact f
WHERE f.chain_id = %(chain)s AND f.lodged BETWEEN %(first)s AND %(last)s
GROUP BY 2, 3
UNION ALL
SELECT 'decided', date_trunc('month', f.decided)::date, coalesce(f.track, ''), count(*),
    count(*) FILTER (WHERE f.outcome = 'DECISION_GRANTED')
FROM chain_casefact f
WHERE f.chain_id = %(chain)s AND f.decided BETWEEN %(first)s AND %(last)s
GROUP BY 2, 3
UNION ALL
SELECT 'return_opened', date_trunc('month', f.return_opened)::date, '', count(*), 0
FROM chain_casefact f
WHERE f.chain_id = %(chain)s AND f.return_opened BETWEEN %(first)s AND %(last)s
GROUP BY 2
UNION ALL
SELECT 'return_ended',
    date_trunc('month', greatest(f.return_opened, least(f.departed, f.return_closed)))::date,
    '', count(*), 0
FROM chain_casefact f
WHERE f.chain_id = %(chain)s AND f.return_opened IS NOT NULL
  AND coalesce(f.departed, f.return_closed) IS NOT NULL
  AND greatest(f.return_opened, least(f.departed, f.return_closed))
    BETWEEN %(first)s AND %(last)s
GROUP BY 2
UNION ALL
SELECT 'return_open_before', NULL, '', count(*), 0
FROM chain_casefact f
WHERE f.chain_id = %(chain)s AND f.return_opened <= %(e0)s
  AND (f.departed IS NULL OR f.departed > %(e0)s)
  AND (f.return_closed IS NULL OR f.return_closed > %(e0)s)
"""

_NATIONALITIES = """
SELECT f.nationality, count(*) FROM chain_casefact f
WHERE f.chain_id = %(chain)s AND f.lodged BETWEEN %(first)s AND %(last)s
  AND f.nationality IS NOT NULL
GROUP BY 1 ORDER BY 1
"""

# Month ends from the one before the window to the origin.
_ENDS = """
SELECT (d + interval '1 month' - interval '1 day')::date AS e
FROM generate_series(%(before)s::date, %(last_start)s::date, interval '1 month') d
"""

# Persons in reception at the end of the month before the window and the changes in each month
# of it ("stock"), in procedure, status holder and in total: each stay is a phase [enter, leave)
# of each kind, so a stock is its count at the first end plus what entered less what left
# (as the indicators' stocks). Those leaving in each month ("left") are classed as they were
# on their last day in. Only stays reaching past the first end are read: a person's stays are
# in order, so the last one tells whether any does.
_RECEPTION = """
WITH stays AS MATERIALIZED (
    SELECT f.lodged, f.decided, f.outcome = 'DECISION_GRANTED' AS granted,
        lower(r.days) AS lo, upper(r.days) AS hi
    FROM chain_casefact f CROSS JOIN LATERAL unnest(f.reception) r(days)
    WHERE f.chain_id = %(chain)s AND cardinality(f.reception) > 0
      AND coalesce(upper(f.reception[cardinality(f.reception)]), 'infinity') > %(e0)s
      AND lower(f.reception[1]) <= %(last)s
      AND coalesce(upper(r.days), 'infinity') > %(e0)s AND lower(r.days) <= %(last)s
),
phases AS (
    SELECT 'total' AS kind, lo AS enter, hi AS leave FROM stays
    UNION ALL
    SELECT 'holder', greatest(lo, decided), hi FROM stays WHERE granted AND decided IS NOT NULL
    UNION ALL
    SELECT 'procedure', greatest(lo, lodged), least(hi, decided) FROM stays
    WHERE lodged IS NOT NULL
),
live AS (SELECT * FROM phases WHERE leave IS NULL OR enter < leave),
moves AS (
    SELECT kind, %(e0)s::date AS day, count(*) AS n FROM live
    WHERE enter <= %(e0)s AND (leave IS NULL OR leave > %(e0)s) GROUP BY 1
    UNION ALL
    SELECT kind, enter, count(*) FROM live WHERE enter > %(e0)s AND enter <= %(last)s
    GROUP BY 1, 2
    UNION ALL
    SELECT kind, leave, -count(*) FROM live WHERE leave > %(e0)s AND leave <= %(last)s
    GROUP BY 1, 2
)
SELECT date_trunc('month', day)::date, 'stock',
    coalesce(sum(n) FILTER (WHERE kind = 'procedure'), 0),
    coalesce(sum(n) FILTER (WHERE kind = 'holder'), 0),
    coalesce(sum(n) FILTER (WHERE kind = 'total'), 0)
FROM moves GROUP BY 1
UNION ALL
SELECT date_trunc('month', hi - 1)::date, 'left',
    count(*) FILTER (WHERE lodged <= hi - 1 AND (decided IS NULL OR decided > hi - 1)),
    count(*) FILTER (WHERE granted AND decided <= hi - 1), count(*)
FROM stays WHERE hi - 1 BETWEEN %(first)s AND %(last)s GROUP BY 1
UNION ALL
SELECT date_trunc('month', lo)::date, 'entered', 0, 0, count(*)
FROM stays WHERE lo BETWEEN %(first)s AND %(last)s GROUP BY 1
"""

# The FTE at each month end: per partner and location, the latest measurement on or before it.
_FTE = f"""
SELECT e.e, sum(latest.value)
FROM ({_ENDS}) e
CROSS JOIN LATERAL (
    SELECT DISTINCT ON (m.organisation_id, m.location) m.value
    FROM chain_measurement m
    WHERE m.chain_id = %(chain)s AND m.kind = 'DECISION_CAPACITY_FTE' AND m.date <= e.e
    ORDER BY m.organisation_id, m.location, m.date DESC
) latest
GROUP BY 1
"""


def calibrate(*, chain: str, origin: int, window: int) -> Calibration:
    """The chain's parameters at ``origin`` from its ``window`` months, cached per data version."""
    version = cache.get(DATA_VERSION_KEY, 0)
    key = f"scenario-calibration:{CALIBRATION_FORMAT}:{version}:{chain}:{origin}:{window}"
    found = cache.get(key)
    if found is None:
        found = _calibrate(chain=chain, origin=origin, window=window)
        cache.set(key, found, CACHE_TTL)
    return found


def _calibrate(*, chain: str, origin: int, window: int) -> Calibration:
    first_month = origin - window + 1
    window_months = list(range(first_month, origin + 1))
    labels = [months.label(m) for m in window_months]
    bind: dict[str, Any] = {
        "chain": chain,
        "first": months.first_day(first_month),
        "last": months.last_day(origin),
        "before": months.first_day(first_month - 1),
        "last_start": months.first_day(origin),
        "e0": months.last_day(first_month - 1),
    }
    with connection.cursor() as cursor:
        cursor.execute(_MONTHLY_CASES, bind)
        cases = cursor.fetchall()
        cursor.execute(_NATIONALITIES, bind)
        nationalities = cursor.fetchall()
        cursor.execute(_RECEPTION, bind)
        reception = cursor.fetchall()
        cursor.execute(_FTE, bind)
        fte = {months.month_of(e): v for e, v in cursor.fetchall() if v is not None}

    index = {m: i for i, m in enumerate(window_months)}
    tracks = sorted(TRACKS[chain])
    flows: dict[str, np.ndarray] = {
        what: np.zeros(window)
        for what in ("lodged", "decided", "granted", "return_opened", "return_ended")
    }
    lodged_by_track: dict[str, int] = dict.fromkeys(tracks, 0)
    decided_by_track: dict[str, int] = dict.fromkeys(tracks, 0)
    granted_by_track: dict[str, int] = dict.fromkeys(tracks, 0)
    open_before = 0
    for what, month, track, n, granted in cases:
        if what == "return_open_before":
            open_before = n
            continue
        i = index[months.month_of(month)]
        flows[what][i] += n
        if what == "decided":
            flows["granted"][i] += granted
            if track in decided_by_track:
                decided_by_track[track] += n
                granted_by_track[track] += granted
        elif what == "lodged" and track in lodged_by_track:
            lodged_by_track[track] += n

    p: dict[str, Parameter] = {}

    def months_where(mask: np.ndarray) -> tuple[str, ...]:
        return tuple(label for label, hit in zip(labels, mask, strict=True) if hit)

    all_months = tuple(labels)
    inflow = flows["lodged"]
    profile = _seasonal_profile(inflow, window_months)
    p["seasonal_profile"] = Parameter(
        [round(f, 6) for f in profile], all_months if window >= SEASONAL_WINDOW else ()
    )
    factors = np.array([profile[m % 12] for m in window_months])
    level, alpha, sigma = _ets(inflow / factors)
    p["inflow_monthly_mean"] = Parameter(round(level, 3), all_months)
    p["inflow_dispersion"] = Parameter(round(sigma / level, 6) if level > 0 else 0.0, all_months)
    p["inflow_smoothing"] = Parameter(round(alpha, 6), all_months)

    lodged_total = sum(lodged_by_track.values())
    p["track_shares"] = Parameter(
        {t: _ratio(n, lodged_total) for t, n in lodged_by_track.items()}, all_months
    )
    nat_total = sum(n for _, n in nationalities)
    p["nationality_shares"] = Parameter(
        {code: _ratio(n, nat_total) for code, n in nationalities}, all_months
    )
    p["grant_share"] = Parameter(
        {t: _ratio(granted_by_track[t], decided_by_track[t]) for t in tracks}, all_months
    )

    staff = np.array([fte.get(m, 0.0) for m in window_months])
    measured = staff > 0
    if not measured.any():
        # No FTE measured: capacity is one "FTE" deciding the window's mean a month.
        fte = {origin: 1.0}
        staff = np.ones(window)
        measured = staff > 0
    decided = flows["decided"]
    productivity = _ratio(decided[measured].sum(), staff[measured].sum())
    per_fte = decided[measured] / staff[measured]
    p["productivity"] = Parameter(productivity, months_where(measured))
    # The spread of productivity and how much of a surprise persists: ETS on decisions per FTE.
    level, smoothing, sigma = _ets(per_fte)
    p["productivity_dispersion"] = Parameter(
        round(sigma / level, 6) if level > 0 else 0.0, months_where(measured)
    )
    p["productivity_smoothing"] = Parameter(round(smoothing, 6), months_where(measured))
    p["fte"] = Parameter(fte.get(origin, 0.0), (months.label(origin),) if origin in fte else ())

    _reception(p, reception, window_months, inflow, labels)

    # Open return cases at each previous month end: at the first, then plus opened less ended.
    flow = flows["return_opened"] - flows["return_ended"]
    previous = open_before + np.concatenate([[0.0], np.cumsum(flow)[:-1]])
    rejected = decided - flows["granted"]
    p["return_case_share"] = Parameter(
        min(1.0, _ratio(flows["return_opened"].sum(), rejected.sum())), months_where(rejected > 0)
    )
    p["departure_rate"] = Parameter(
        min(1.0, _ratio(flows["return_ended"].sum(), previous.sum())), months_where(previous > 0)
    )
    return Calibration(chain=chain, origin=origin, window=window, parameters=p)


def _reception(
    p: dict[str, Parameter], rows: list[tuple[date, str, int, int, int]],
    window_months: list[int], inflow: np.ndarray, labels: list[str],
) -> None:  # fmt: skip
    """Entry share and leave rates from the month-end stocks and the month's movements."""
    change = np.zeros((len(window_months) + 1, 3))  # the first end, then each window month
    moved: dict[tuple[str, int], tuple[int, int, int]] = {}
    first = window_months[0] - 1
    for month, what, procedure, holders, total in rows:
        key = months.month_of(month)
        if what == "stock":
            change[key - first] += (
                float(procedure),
                float(holders),
                float(total - procedure - holders),
            )
        else:
            moved[(what, key)] = (procedure, holders, total - procedure - holders)
    stock = np.cumsum(change, axis=0)[:-1]  # at the end of each month before a window month
    entered = np.array([moved.get(("entered", m), (0, 0, 0))[2] for m in window_months])
    holders_before, others_before = stock[:, 1], stock[:, 2]
    holders_left = np.array([moved.get(("left", m), (0, 0, 0))[1] for m in window_months])
    others_left = np.array([moved.get(("left", m), (0, 0, 0))[2] for m in window_months])

    def where(mask: np.ndarray) -> tuple[str, ...]:
        return tuple(label for label, hit in zip(labels, mask, strict=True) if hit)

    p["reception_entry_share"] = Parameter(
        min(1.0, _ratio(entered.sum(), inflow.sum())), where(inflow > 0)
    )
    p["status_holder_leave_rate"] = Parameter(
        min(1.0, _ratio(holders_left.sum(), holders_before.sum())), where(holders_before > 0)
    )
    p["other_leave_rate"] = Parameter(
        min(1.0, _ratio(others_left.sum(), others_before.sum())), where(others_before > 0)
    )


def _ratio(numerator: float, denominator: float) -> float:
    return round(float(numerator) / float(denominator), 6) if denominator else 0.0


def _seasonal_profile(inflow: np.ndarray, window_months: list[int]) -> list[float]:
    """Mean inflow per calendar month over the overall mean (averaging 1); flat under 24 months."""
    if len(window_months) < SEASONAL_WINDOW or inflow.mean() <= 0:
        return [1.0] * 12
    calendar = np.array([m % 12 for m in window_months])
    means = np.array([inflow[calendar == k].mean() for k in range(12)])
    factors = means / means.mean()
    if (factors <= 0).any():
        return [1.0] * 12
    return [float(f) for f in factors]


def _ets(series: np.ndarray) -> tuple[float, float, float]:
    """Level forecast, smoothing weight and one-step error of an ETS(A,N,N) fit (statsmodels).

    Too short or flat a series has nothing to fit: its mean and spread stand in.
    """
    mean = float(series.mean()) if series.size else 0.0
    spread = float(series.std()) if series.size > 1 else 0.0
    if series.size < 4 or spread == 0:
        return mean, 0.0, spread
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    with warnings.catch_warnings():
        # Convergence chatter on short or steady series; the fit is still the best found.
        warnings.simplefilter("ignore")
        try:
            fitted = ETSModel(series.astype(float), error="add", trend=None).fit(disp=False)
        except (ValueError, np.linalg.LinAlgError):
            return mean, 0.0, spread
    level = float(fitted.forecast(1)[0])
    alpha = float(fitted.params[0])
    sigma = float(np.sqrt(fitted.mse))
    if not np.isfinite(level) or level < 0:
        return mean, 0.0, spread
    return level, alpha, sigma
