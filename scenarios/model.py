"""The monthly cohort model of a scenario, in numpy, vectorised over paths.

The state is a matrix of open cases: one row per cohort (cases alike in lodged date, deadline,
track and the nationality group the run tells apart), one column per path. Cohorts are in the
tie order of docs/reference/scenarios.md (lodged, deadline, track code, nationality code), those
open at the origin first, then each month's new cohorts, so a first-in-first-out decision is a
cumulative sum down the rows; each month reads and writes only the rows at a queue's front.
Each month follows the reference's order of steps: inflow, decisions (policy, then fast
track), outcomes, reception, return.

Arithmetic on input values is decimal where the reference asks for it: whole numbers come
from ``Decimal`` in a deterministic run, and from values rounded to nine decimals before they
are floored in a random one (so that 0.145 x 100 is 14.5 there too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from chain.vocabulary import TRACKS
from scenarios import months
from scenarios.calibration import Calibration
from scenarios.inputs import ScenarioInputs, TermRule
from scenarios.penalty import DECISION_DAY, exposure_tables
from scenarios.start_state import NEVER, LegalTerm, StartState

# Figures about cases, given per track as well as in total.
CASE_FIGURES = (
    "inflow", "decisions", "open_cases", "open_cases_over_term", "decision_lead_time_median",
    "decisions_within_term_share", "penalty_exposure_eur", "penalty_cumulative_eur",
)  # fmt: skip
# Figures about people and return cases, in total only.
CHAIN_FIGURES = (
    "in_reception", "status_holders_in_reception", "places_needed", "open_return_cases",
    "departures",
)  # fmt: skip
FIGURES = CASE_FIGURES + CHAIN_FIGURES
# Rounding to this many decimals before a floor keeps binary fractions from cutting a whole off.
_DECIMALS = 9


def round_half_up(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def _whole(x: np.ndarray) -> np.ndarray:
    """Half-up rounding of non-negative values, on their decimal value."""
    return np.floor(np.round(x, _DECIMALS) + 0.5)


@dataclass(frozen=True)
class Plan:
    """Everything a run needs, as numbers: the inputs resolved against the calibration."""

    origin: int
    horizon: int
    paths: int
    seed: int
    tracks: tuple[str, ...]
    inflow_expected: np.ndarray  # per month
    inflow_whole: np.ndarray  # per month, deterministic, remainder carried
    inflow_dispersion: float
    inflow_smoothing: float
    capacity: np.ndarray  # decisions per month (fte x productivity), unrounded
    decisions_whole: np.ndarray  # per month, deterministic
    productivity_dispersion: float
    productivity_smoothing: float
    track_shares: np.ndarray  # per track
    group_shares: np.ndarray  # per nationality group
    fast_nationalities: tuple[str, ...]
    fast_extra: int
    grant_share: np.ndarray  # per track, then the unknown track
    policy: str
    share: Decimal
    arrival_deadline: np.ndarray  # datetime64[D] per month
    entry_share: float
    status_holder_leave_rate: float
    other_leave_rate: float
    return_case_share: float
    departure_rate: float
    notice_rate: float
    notice_lag_days: int
    planning_norm: float


def term_months(
    lodged: date, *, rules: tuple[TermRule, ...], legal: tuple[LegalTerm, ...]
) -> int | None:
    """Months of the term of a case lodged on ``lodged``: the latest scenario rule from on or
    before it, else the chain's legal rule for that date; None when no rule applies."""
    applying = [r for r in rules if r.lodged_from <= lodged]
    if applying:
        return max(applying, key=lambda r: r.lodged_from).months
    found = [
        t for t in legal
        if (t.lodged_from is None or t.lodged_from <= lodged)
        and (t.lodged_to is None or lodged <= t.lodged_to)
    ]  # fmt: skip
    if not found:
        return None
    return max(found, key=lambda t: t.lodged_from or date.min).months


def _dec(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def build_plan(*, inputs: ScenarioInputs, calibration: Calibration, start: StartState) -> Plan:
    """Resolve the inputs against the calibration (overrides already applied to it)."""
    c = calibration
    horizon = inputs.horizon
    scenario_months = inputs.months
    profile = [_dec(f) for f in c.value("seasonal_profile")]
    mean_factor = sum(profile, Decimal(0)) / 12
    factors = [profile[m % 12] / mean_factor for m in scenario_months]
    if inputs.inflow_kind == "monthly":
        assert inputs.inflow_monthly is not None
        expected = list(inputs.inflow_monthly)
    elif inputs.inflow_kind == "annual":
        assert inputs.inflow_annual is not None
        expected = [inputs.inflow_annual / 12 * f for f in factors]
    else:
        mean = _dec(c.value("inflow_monthly_mean"))
        expected = [mean * f for f in factors]
    whole, carry = [], Decimal(0)
    for value in expected:
        count = round_half_up(carry + value)
        carry += value - count
        whole.append(count)

    productivity = _dec(
        inputs.productivity if inputs.productivity is not None else c.value("productivity")
    )
    fte = list(inputs.fte) if inputs.fte is not None else [_dec(c.value("fte"))] * horizon
    for hire in inputs.hires:
        for i, month in enumerate(scenario_months):
            k = month - hire.month + 1
            if k >= 1:
                fte[i] += hire.fte * min(k, hire.ramp_months) / hire.ramp_months
    capacity = [f * productivity for f in fte]

    tracks = tuple(sorted(TRACKS[inputs.chain]))
    given = c.value("track_shares")
    track_shares = np.array([float(given.get(t, 0)) for t in tracks])
    track_shares = _normalised(track_shares)
    fast = inputs.fast_track_nationalities
    nationality_shares = c.value("nationality_shares")
    groups = np.zeros(2 * len(fast) + 1)
    codes = list(nationality_shares)
    np.add.at(groups, _groups(np.array(codes), fast), [float(nationality_shares[c]) for c in codes])
    group_shares = _normalised(groups)
    grants = c.value("grant_share")
    grant = np.array([float(grants.get(t, 0)) for t in tracks])
    grant = np.append(grant, float((grant * track_shares).sum()))

    arrival_deadline = []
    for month in scenario_months:
        lodged = months.fifteenth(month)
        term = term_months(lodged, rules=inputs.term_rules, legal=start.legal_terms)
        arrival_deadline.append(NEVER if term is None else months.add_months(lodged, term))

    return Plan(
        origin=inputs.origin, horizon=horizon, paths=inputs.paths, seed=inputs.seed,
        tracks=tracks, inflow_expected=np.array([float(v) for v in expected]),
        inflow_whole=np.array(whole, dtype=float),
        inflow_dispersion=float(c.value("inflow_dispersion")),
        inflow_smoothing=_optional(c, "inflow_smoothing"),
        capacity=np.array([float(v) for v in capacity]),
        decisions_whole=np.array([round_half_up(v) for v in capacity], dtype=float),
        productivity_dispersion=_optional(c, "productivity_dispersion"),
        productivity_smoothing=_optional(c, "productivity_smoothing"),
        track_shares=track_shares, group_shares=group_shares, fast_nationalities=fast,
        fast_extra=round_half_up(inputs.fast_track_extra), grant_share=grant,
        policy=inputs.policy, share=inputs.share,
        arrival_deadline=np.array(arrival_deadline, dtype="datetime64[D]"),
        entry_share=float(c.value("reception_entry_share")),
        status_holder_leave_rate=float(c.value("status_holder_leave_rate")),
        other_leave_rate=float(c.value("other_leave_rate")),
        return_case_share=float(c.value("return_case_share")),
        departure_rate=float(c.value("departure_rate")),
        notice_rate=float(inputs.notice_rate), notice_lag_days=inputs.notice_lag_days,
        planning_norm=float(inputs.planning_norm),
    )  # fmt: skip


def _optional(calibration: Calibration, name: str) -> float:
    """A parameter that only shapes the spread of a run with many paths; 0 when absent."""
    found = calibration.parameters.get(name)
    return float(found.value) if found is not None else 0.0


def _normalised(shares: np.ndarray) -> np.ndarray:
    total = shares.sum()
    return shares / total if total > 0 else np.full(shares.size, 1 / shares.size)


def _groups(codes: np.ndarray, fast: tuple[str, ...]) -> np.ndarray:
    """The nationality group of each code: each fast-track nationality is a group of its own,
    the others are grouped between them in code order, which keeps the tie order exact."""
    codes = np.asarray(codes, dtype=str)
    if not fast:
        return np.zeros(codes.size, dtype=np.int64)
    named = np.array(fast, dtype=str)
    position = np.searchsorted(named, codes, side="left")
    exact = named[np.minimum(position, len(fast) - 1)] == codes
    return (2 * position + exact).astype(np.int64)


@dataclass(frozen=True)
class Cohorts:
    """The columns of the state, in tie order; month k's new cohorts are ``arrivals[k-1]``."""

    lodged: np.ndarray  # datetime64[D]
    deadline: np.ndarray  # datetime64[D]
    track: np.ndarray  # index into Plan.tracks; len(tracks) for an unknown track
    fast: np.ndarray  # bool: a fast-track nationality
    start_count: np.ndarray  # float, 0 for new cohorts
    arrivals: tuple[slice, ...]
    # People in reception (in procedure, status holders, others) and open return cases.
    stocks: dict[str, float]


def start_cohorts(*, plan: Plan, start: StartState) -> tuple[np.ndarray, ...]:
    """The start state's cohorts merged by what this run tells apart, in tie order."""
    known = np.array(plan.tracks, dtype=str)
    given = np.asarray(start.track, dtype=str)
    position = np.minimum(np.searchsorted(known, given), len(known) - 1)
    tracks = np.where(known[position] == given, position, len(known)).astype(np.int64)
    fast = plan.fast_nationalities
    groups = _groups(start.nationality, fast)
    keys = np.column_stack([
        start.lodged.astype(np.int64), start.deadline.astype(np.int64), tracks, groups,
    ]) if start.count.size else np.zeros((0, 4), dtype=np.int64)  # fmt: skip
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    counts = np.zeros(len(unique))
    np.add.at(counts, inverse.ravel(), start.count)
    return unique, counts


def model_cohorts(*, plan: Plan, start: StartState) -> Cohorts:
    """The start state's cohorts, then one cohort per track and nationality group a month."""
    unique, counts = start_cohorts(plan=plan, start=start)
    n_tracks, n_groups = len(plan.tracks), plan.group_shares.size
    per_month = n_tracks * n_groups
    new_lodged = np.repeat(
        np.array([months.fifteenth(plan.origin + k) for k in range(1, plan.horizon + 1)],
                 dtype="datetime64[D]"), per_month)  # fmt: skip
    new_deadline = np.repeat(plan.arrival_deadline, per_month)
    new_track = np.tile(np.repeat(np.arange(n_tracks), n_groups), plan.horizon)
    new_group = np.tile(np.tile(np.arange(n_groups), n_tracks), plan.horizon)
    groups = np.concatenate([unique[:, 3], new_group])
    s = len(unique)
    return Cohorts(
        lodged=np.concatenate([unique[:, 0].astype("datetime64[D]"), new_lodged]),
        deadline=np.concatenate([unique[:, 1].astype("datetime64[D]"), new_deadline]),
        track=np.concatenate([unique[:, 2], new_track]).astype(np.int64),
        fast=groups % 2 == 1,
        start_count=np.concatenate([counts, np.zeros(plan.horizon * per_month)]),
        arrivals=tuple(
            slice(s + k * per_month, s + (k + 1) * per_month) for k in range(plan.horizon)
        ),
        stocks=start_stocks(start),
    )


def start_stocks(start: StartState) -> dict[str, float]:
    """The reception and return stocks of the start state, by name."""
    return {
        "in_procedure": start.in_procedure, "status_holders": start.status_holders,
        "others": start.others, "open_return_cases": start.open_return_cases,
    }  # fmt: skip


def largest_remainder(total: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Whole counts per share for each row's ``total`` (paths), largest remainders first and,
    among equal remainders, the earlier share (codes are in order)."""
    quotas = np.round(total[:, None] * shares[None, :], _DECIMALS)
    base = np.floor(quotas)
    left = total - base.sum(axis=1)
    order = np.argsort(-(quotas - base), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(shares.size)[None, :].repeat(len(total), 0), 1)
    return base + (rank < left[:, None])


class _Decisions:
    """The cases decided in one month: cohorts (rows of the state) and, per path, how many.

    Only the cohorts at the front of a queue are ever touched, so the state is read and
    written there alone; everything about the month's decisions works on these cohorts.
    """

    def __init__(self, paths: int) -> None:
        self.columns: list[np.ndarray] = []
        self.counts: list[np.ndarray] = []
        self.paths = paths

    def add(self, columns: np.ndarray, counts: np.ndarray) -> None:
        self.columns.append(columns)
        self.counts.append(counts)

    def merged(self) -> tuple[np.ndarray, np.ndarray]:
        """Cohorts in order, each once, and the cases decided in them (cohorts x paths)."""
        if not self.columns:
            return np.zeros(0, dtype=np.int64), np.zeros((0, self.paths), dtype=np.float32)
        columns = np.concatenate(self.columns)
        counts = np.vstack(self.counts)
        if (np.diff(columns) > 0).all():  # one queue read front to back: in order already
            return columns, counts
        order = np.argsort(columns, kind="stable")
        columns, counts = columns[order], counts[order]
        starts = np.flatnonzero(np.r_[True, columns[1:] != columns[:-1]])
        if starts.size == columns.size:
            return columns, counts
        return columns[starts], np.add.reduceat(counts, starts, axis=0)


# The first block of a queue read at once; each next one is twice as wide.
_BLOCK = 64


def _take(
    state: np.ndarray, wanted: np.ndarray, queue: np.ndarray, alive: np.ndarray,
    decisions: _Decisions,
) -> None:  # fmt: skip
    """Decide up to ``wanted`` cases per path first in the order of ``queue`` (cohorts).

    The queue is read block by block from its front, until every path has what it wants or
    the queue ends; decided cases are taken from the state and recorded in ``decisions``.
    """
    need = wanted.astype(np.float32)  # a copy: the caller's stays as it was
    position, width = 0, _BLOCK
    while position < queue.size and need.max(initial=0) > 0:
        rows = queue[position : position + width]
        block = state[rows]
        before = np.cumsum(block, axis=0) - block
        taken = np.minimum(block, np.maximum(need[None, :] - before, 0))
        left = block - taken
        state[rows] = left
        need -= taken.sum(axis=0)
        alive[rows] = left.any(axis=1)
        hit = taken.any(axis=1)
        decisions.add(rows[hit], taken[hit])
        position += width
        width *= 2


def _medians(decided: np.ndarray, lead: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """percentile_cont(0.5) of the lead times of the decided cases, per path and segment.

    ``decided`` is cohorts x paths; ``segments`` holds the first row of each segment and, last,
    the end. Within a segment ``lead`` does not increase (the rows are in lodged order), so
    each median lies at the middle of the segment's cumulative count: one cumulative sum and
    one search over every path and segment at once. NaN where a segment decided nothing.
    """
    rows, paths = decided.shape
    count = len(segments) - 1
    if rows == 0:
        return np.full((paths, count), np.nan)
    cumulative = np.cumsum(decided.T, axis=1, dtype=np.float64)  # paths x rows

    def through(row: np.ndarray) -> np.ndarray:
        """Cases in the rows before ``row``, per path and segment."""
        return np.where(row > 0, cumulative[:, np.maximum(row - 1, 0)], 0.0)

    base = through(segments[:-1])
    total = through(segments[1:]) - base
    middle = (total - 1) / 2
    step = float(cumulative[:, -1].max()) + 1
    offset = (np.arange(paths) * step)[:, None]
    cumulative += offset
    flat = cumulative.ravel()
    first_row = (np.arange(paths) * rows)[:, None]

    def at(position: np.ndarray) -> np.ndarray:
        index = np.searchsorted(flat, (base + position + offset).ravel(), side="right")
        return lead[np.clip(index.reshape(paths, count) - first_row, 0, rows - 1)]

    value = (at(np.floor(middle)) + at(np.ceil(middle))) / 2
    return np.where(total > 0, value, np.nan)


@dataclass(frozen=True)
class Simulation:
    """Per figure, an array (months, paths) in total, and (months, paths, tracks) per track."""

    plan: Plan
    totals: dict[str, np.ndarray]
    per_track: dict[str, np.ndarray]


Arrivals = Callable[[int], np.ndarray]  # month k (1..H) -> (paths, cohorts of month k)
Forced = Callable[[int, int], np.ndarray]  # month k, active columns -> decided per column


def simulate(
    *, plan: Plan, cohorts: Cohorts, arrivals: Arrivals | None = None,
    forced: Forced | None = None,
) -> Simulation:  # fmt: skip
    """Run the model month by month over every path.

    ``arrivals`` gives the new cases per path and cohort of each month (by default the
    scenario's inflow split by largest remainder); ``forced``, when given, names the cases
    decided in each month (per column) instead of the capacity and the policy: the
    back-test's accounting check feeds the decisions that were taken.
    """
    horizon, paths = plan.horizon, plan.paths
    rng = np.random.default_rng(plan.seed)
    inflow_whole = _inflow_paths(plan, rng)
    decisions_cap = _capacity_paths(plan, rng)
    arrivals = arrivals or _split_arrivals(plan, inflow_whole)

    n_tracks = len(plan.tracks) + 1  # the last one: cases of no known track
    n = cohorts.track.size
    onehot = np.zeros((n, n_tracks))
    onehot[np.arange(n), cohorts.track] = 1.0
    origin_month = np.datetime64(months.label(plan.origin), "M")
    full, partial = exposure_tables(
        cohorts.deadline, origin=origin_month, horizon=horizon, lag=plan.notice_lag_days
    )
    lodged_days = cohorts.lodged.astype(np.int64)
    deadline_days = cohorts.deadline.astype(np.int64)
    fifo = np.arange(n)
    lifo = np.lexsort((cohorts.track, deadline_days, -lodged_days))

    # Whole cases only, so single precision is exact (to 16 million in one cell or block).
    state = np.repeat(cohorts.start_count.astype(np.float32)[:, None], paths, axis=1)
    alive = cohorts.start_count > 0
    first_new = cohorts.arrivals[0].start if cohorts.arrivals else n
    open_cases = np.tile(cohorts.start_count[:first_new] @ onehot[:first_new], (paths, 1))
    origin_end = np.datetime64(months.last_day(plan.origin)).astype(np.int64)
    over = np.tile((cohorts.start_count * (deadline_days < origin_end)) @ onehot, (paths, 1))
    shape = (horizon, paths, n_tracks)
    figures = {name: np.zeros(shape) for name in CASE_FIGURES}
    total_median = np.full((horizon, paths), np.nan)
    total_share = np.full((horizon, paths), np.nan)
    in_procedure = np.full(paths, cohorts.stocks["in_procedure"])
    status_holders = np.full(paths, cohorts.stocks["status_holders"])
    others = np.full(paths, cohorts.stocks["others"])
    returns = np.full(paths, cohorts.stocks["open_return_cases"])
    chain_figures = {name: np.zeros((horizon, paths)) for name in CHAIN_FIGURES}
    cumulative = np.zeros((paths, n_tracks))
    previous_end = origin_end

    for k in range(1, horizon + 1):
        i = k - 1
        month = plan.origin + k
        end = np.datetime64(months.last_day(month)).astype(np.int64)
        decision_day = np.datetime64(date(month // 12, month % 12 + 1, DECISION_DAY))
        new = cohorts.arrivals[i]
        came = arrivals(k)
        state[new] += came.T.astype(np.float32)
        alive[new] |= came.any(axis=0)
        active = new.stop
        inflow = came @ onehot[new]
        open_before = open_cases.sum(axis=1) + inflow.sum(axis=1)
        # Cases whose deadline passes this month: over term at its end unless decided in it.
        passing = np.flatnonzero(
            alive[:active]
            & (deadline_days[:active] >= previous_end)
            & (deadline_days[:active] < end)
        )
        over_before = over.sum(axis=1)
        over = over + state[passing].T.astype(np.float64) @ onehot[passing]

        decisions = _Decisions(paths)
        if forced is not None:
            chosen = forced(k, active)
            columns = np.flatnonzero(chosen)
            taken = np.repeat(chosen[columns, None], paths, axis=1).astype(np.float32)
            state[columns] -= taken
            alive[columns] = state[columns].any(axis=1)
            decisions.add(columns, taken)
        else:
            wanted = np.minimum(decisions_cap[i], open_before)
            live = alive[:active]
            if plan.policy == "fifo":
                _take(state, wanted, fifo[:active][live], alive, decisions)
            elif plan.policy == "lifo":
                order = lifo[lifo < active]
                _take(state, wanted, order[alive[order]], alive, decisions)
            else:
                _over_term_first(
                    plan, state, wanted, (over_before, open_before - over_before), live,
                    deadline_days[:active] < previous_end, alive, decisions,
                )  # fmt: skip
            if plan.fast_extra and plan.fast_nationalities:
                pool = np.flatnonzero(alive[:active] & cohorts.fast[:active])
                _take(state, np.full(paths, plan.fast_extra), pool, alive, decisions)
        columns, taken = decisions.merged()

        one = onehot[columns]
        is_over = (deadline_days[columns] < end)[:, None]
        is_within = (deadline_days[columns] >= decision_day.astype(np.int64))[:, None]
        # Whole cases in single precision are exact; euros are summed in double.
        weights = np.hstack([one, one * is_within, one * is_over]).astype(np.float32)
        done = (taken.T @ weights).astype(np.float64)
        paying = np.flatnonzero(partial[columns, i] > 0)
        t = n_tracks
        count, hits = done[:, :t], done[:, t : 2 * t]
        open_cases = open_cases + inflow - count
        over = over - done[:, 2 * t :]
        owing = np.flatnonzero(alive[:active] & (full[:active, i] > 0))
        exposure = plan.notice_rate * (
            state[owing].T.astype(np.float64) @ (onehot[owing] * full[owing, i : i + 1])
            + taken[paying].T.astype(np.float64)
            @ (one[paying] * partial[columns[paying], i : i + 1])
        )
        cumulative = cumulative + exposure
        figures["inflow"][i] = inflow
        figures["decisions"][i] = count
        figures["open_cases"][i] = open_cases
        figures["open_cases_over_term"][i] = over
        figures["penalty_exposure_eur"][i] = exposure
        figures["penalty_cumulative_eur"][i] = cumulative
        with np.errstate(invalid="ignore", divide="ignore"):
            figures["decisions_within_term_share"][i] = np.where(count > 0, hits / count, np.nan)
            total_share[i] = np.where(
                count.sum(axis=1) > 0, hits.sum(axis=1) / count.sum(axis=1), np.nan
            )
        lead = decision_day.astype(np.int64) - lodged_days[columns]
        total_median[i] = _lead_times(
            figures["decision_lead_time_median"][i], taken, lead, cohorts.track[columns]
        )

        # Outcomes, reception and return: expected values.
        decided_total = count.sum(axis=1)
        granted = count @ plan.grant_share
        rejected = decided_total - granted
        in_procedure = in_procedure + inflow.sum(axis=1) * plan.entry_share
        with np.errstate(invalid="ignore", divide="ignore"):
            in_reception_share = np.where(
                open_before > 0, np.minimum(in_procedure / open_before, 1.0), 0.0
            )
        in_procedure = np.maximum(in_procedure - decided_total * in_reception_share, 0.0)
        status_holders = status_holders + granted * in_reception_share
        others = others + rejected * in_reception_share
        status_holders = status_holders * (1 - plan.status_holder_leave_rate)
        others = others * (1 - plan.other_leave_rate)
        reception = in_procedure + status_holders + others
        returns = returns + rejected * plan.return_case_share
        departures = returns * plan.departure_rate
        returns = returns - departures
        chain_figures["in_reception"][i] = reception
        chain_figures["status_holders_in_reception"][i] = status_holders
        chain_figures["places_needed"][i] = reception / plan.planning_norm
        chain_figures["open_return_cases"][i] = returns
        chain_figures["departures"][i] = departures
        previous_end = end

    totals = {name: figures[name].sum(axis=2) for name in CASE_FIGURES}
    totals["decision_lead_time_median"] = total_median
    totals["decisions_within_term_share"] = total_share
    totals.update(chain_figures)
    per_track = {name: figures[name][:, :, :-1] for name in CASE_FIGURES}
    return Simulation(plan=plan, totals=totals, per_track=per_track)


def _lead_times(
    medians: np.ndarray, decided: np.ndarray, lead: np.ndarray, track: np.ndarray
) -> np.ndarray:
    """Median lead time of the month's decisions per track (into ``medians``, paths x
    tracks) and in total (returned)."""
    by_track = np.argsort(track, kind="stable")
    segments = np.searchsorted(track[by_track], np.arange(medians.shape[1] + 1))
    medians[:] = _medians(decided[by_track], lead[by_track], segments)
    return _medians(decided, lead, np.array([0, len(lead)]))[:, 0]


def _over_term_first(
    plan: Plan, state: np.ndarray, wanted: np.ndarray, available: tuple[np.ndarray, np.ndarray],
    live: np.ndarray, over_before: np.ndarray, alive: np.ndarray, decisions: _Decisions,
) -> None:  # fmt: skip
    """``floor(share x D)`` decisions to the cases over term at the previous month end, the
    rest to the others, each first-in-first-out; what one group cannot use goes to the other.
    ``available`` holds how many cases each group has open on each path."""
    old = np.flatnonzero(live & over_before)
    rest = np.flatnonzero(live & ~over_before)
    old_open, rest_open = available
    to_old = np.floor(np.round(float(plan.share) * wanted, _DECIMALS))
    take_old = np.minimum(to_old, old_open)
    take_rest = np.minimum(wanted - to_old, rest_open)
    spare = wanted - take_old - take_rest
    more_old = np.minimum(spare, old_open - take_old)
    take_old += more_old
    take_rest += np.minimum(spare - more_old, rest_open - take_rest)
    _take(state, take_old, old, alive, decisions)
    _take(state, take_rest, rest, alive, decisions)


def ets_paths(errors: np.ndarray, smoothing: float) -> np.ndarray:
    """Simulated paths of an ETS(A,N,N) model from level 1: month m is the level then plus
    its error, and each error moves the level by ``smoothing`` times itself. ``errors`` are
    months x paths, relative to the level; this is what statsmodels' ``simulate`` of the
    fitted model gives (tests/test_scenario_known_answers.py checks it), for all paths at once.
    """
    level = np.vstack([np.zeros((1, errors.shape[1])), np.cumsum(errors, axis=0)[:-1]])
    return 1 + smoothing * level + errors


def _inflow_paths(plan: Plan, rng: np.random.Generator) -> np.ndarray:
    """Whole new cases per month (rows) and path (columns), remainders carried."""
    if plan.paths == 1:
        return plan.inflow_whole[:, None]
    errors = rng.normal(0.0, plan.inflow_dispersion, size=(plan.horizon, plan.paths))
    noise = np.maximum(ets_paths(errors, plan.inflow_smoothing), 0.0)
    values = plan.inflow_expected[:, None] * noise
    whole = np.zeros_like(values)
    carry = np.zeros(plan.paths)
    for i in range(plan.horizon):
        whole[i] = _whole(carry + values[i])
        carry += values[i] - whole[i]
    return whole


def _capacity_paths(plan: Plan, rng: np.random.Generator) -> np.ndarray:
    """Whole decisions the capacity allows per month (rows) and path (columns)."""
    if plan.paths == 1:
        return plan.decisions_whole[:, None]
    errors = rng.normal(0.0, plan.productivity_dispersion, size=(plan.horizon, plan.paths))
    noise = np.maximum(ets_paths(errors, plan.productivity_smoothing), 0.0)
    return _whole(plan.capacity[:, None] * noise)


def _split_arrivals(plan: Plan, inflow_whole: np.ndarray) -> Arrivals:
    """New cases per month split over tracks, then within each over nationality groups."""

    def split(k: int) -> np.ndarray:
        per_track = largest_remainder(inflow_whole[k - 1], plan.track_shares)
        paths, n_tracks = per_track.shape
        groups = largest_remainder(per_track.ravel(), plan.group_shares)
        return groups.reshape(paths, n_tracks * plan.group_shares.size)

    return split
