"""An independent reference computation of every indicator of catalogue v1.

It reads the contracts (``indicators.md``, ``events.md``), not the engine: it takes the raw
events and measurements as partners delivered them (a generated chain), keeps what the ingest
contract says is stored (the first delivery of an event identity, the last of a measurement
key), derives each case's milestones itself in plain Python, and computes every indicator for
every chain, calendar month and ISO week, for all tracks together, per track and per
nationality, with small-cell suppression and signals. No SQL, no case facts, no database.

Where the contract leaves a reading open, the one taken here is written next to the code.
"""

from __future__ import annotations

import calendar
import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from tests.chain.generated_chain import GeneratedChain

TIMEZONES = {"NL": ZoneInfo("Europe/Amsterdam"), "BE": ZoneInfo("Europe/Brussels")}
ORGANISATION_CHAIN = {"IND": "NL", "COA": "NL", "DTV": "NL", "DVZ": "BE", "FEDASIL": "BE"}
TRACKS = {"NL": ("1", "2", "3", "4"), "BE": ("P", "U")}
SUPPRESSION_BELOW = 10
DECISIONS = ("DECISION_GRANTED", "DECISION_REJECTED", "DECISION_DISCONTINUED")
DEPARTURES = ("DEPARTED_VOLUNTARY", "DEPARTED_FORCED", "DEPARTED_UNVERIFIED")
RECEPTION = ("RECEPTION_ENTERED", "RECEPTION_TRANSFERRED", "RECEPTION_LEFT")
MONTH, WEEK, HALF_YEAR = "month", "week", "half_year"


@dataclass(frozen=True)
class TermRule:
    """Months of the decision term for applications lodged from ``lodged_from`` to ``lodged_to``."""

    chain: str
    lodged_from: date | None
    lodged_to: date | None
    months: int
    extended_months: int = 15  # events.md: max(rule months, 6 + 9) after a TERM_EXTENDED


# events.md, "Legal decision term".
SPEC_TERM_RULES = (
    TermRule("NL", None, date(2022, 3, 26), 6),
    TermRule("NL", date(2022, 3, 27), date(2023, 12, 31), 15),
    TermRule("NL", date(2024, 1, 1), None, 6),
    TermRule("BE", None, None, 6),
)


@dataclass(frozen=True)
class Band:
    """A closed interval; ``None`` is an open end."""

    signal: str
    lower: float | None = None
    upper: float | None = None


def _at_most(green: float, amber: float) -> list[Band]:
    return [Band("green", upper=green), Band("amber", upper=amber), Band("red")]


def _at_least(green: float, amber: float) -> list[Band]:
    return [Band("green", lower=green), Band("amber", lower=amber), Band("red")]


# indicators.md, "Default signal values": per indicator, bands per chain (None: all chains).
SPEC_BANDS: dict[str, dict[str | None, list[Band]]] = {
    "decision_lead_time_median": {"NL": _at_most(180, 270), "BE": _at_most(180, 365)},
    "decisions_within_term_share": {None: _at_least(0.90, 0.70)},
    "open_cases_over_term": {"NL": _at_most(500, 2000), "BE": _at_most(250, 1000)},
    "decisions_to_applications_ratio": {None: _at_least(1.00, 0.85)},
    "hearing_no_show_rate": {None: _at_most(0.05, 0.10)},
    "client_satisfaction": {None: _at_least(3.8, 3.3)},
    "reception_occupancy_rate": {
        None: [
            Band("green", 0.85, 0.95),
            Band("amber", 0.80, 0.85),
            Band("amber", 0.95, 0.98),
            Band("red"),
        ]
    },
    "stay_after_grant_median": {None: _at_most(98, 182)},
    "verified_departure_share": {None: _at_least(0.60, 0.45)},
    "return_lead_time_median": {None: _at_most(90, 180)},
}

COUNTS = frozenset(
    {"applications_lodged", "decisions_taken", "open_cases", "open_cases_over_term",
     "status_holders_in_reception", "departures", "open_return_cases"}
)  # fmt: skip
NOT_PER_TRACK = frozenset({"client_satisfaction", "reception_occupancy_rate"})
# The contract lets the API break counts down by nationality; catalogue v1 does so for these.
BY_NATIONALITY = frozenset({"applications_lodged", "decisions_taken"})
INDICATORS = (
    "applications_lodged", "decisions_taken", "decision_lead_time_median",
    "decisions_within_term_share", "open_cases", "open_cases_over_term",
    "decisions_to_applications_ratio", "hearing_no_show_rate", "client_satisfaction",
    "reception_occupancy_rate", "status_holders_in_reception", "stay_after_grant_median",
    "departures", "verified_departure_share", "return_lead_time_median", "open_return_cases",
)  # fmt: skip


class Key(NamedTuple):
    """One value: indicator, chain, period type, period label, track ('' all), nationality."""

    indicator: str
    chain: str
    period_type: str
    period: str
    track: str
    nationality: str


@dataclass(frozen=True)
class Expected:
    """What the contract says a value is; ``n`` is the number of cases of a nationality cell."""

    value: float | None
    signal: str
    suppressed: bool = False
    n: int | None = None


@dataclass(frozen=True)
class Event:
    """A stored event as the oracle sees it: its instant and local date in the chain."""

    organisation: str
    event_type: str
    instant: datetime
    day: date
    track: str | None
    nationality: str | None
    reason: str | None


@dataclass
class Case:
    """One person in one chain, with the milestones the contract defines."""

    chain: str
    events: list[Event] = field(default_factory=list)
    track: str | None = None
    nationality: str | None = None
    lodged: date | None = None
    decided: date | None = None
    outcome: str | None = None
    rule_deadline: date | None = None
    deadline: date | None = None
    extended: bool = False
    return_opened: date | None = None
    departed: date | None = None
    return_closed: date | None = None
    # The person's reception events in order: their local dates, and whether each leaves.
    reception_days: list[date] = field(default_factory=list)
    reception_leaves: list[bool] = field(default_factory=list)

    def in_reception(self, day: date) -> bool:
        """Whether the latest reception event dated on or before ``day`` is not a leave."""
        index = bisect_right(self.reception_days, day) - 1
        return index >= 0 and not self.reception_leaves[index]


@dataclass(frozen=True)
class Capacity:
    """One location's capacity measurements of a chain, in date order."""

    days: list[date]
    values: list[float]

    def on(self, day: date) -> float | None:
        """The latest measurement on or before ``day``; None before the first."""
        index = bisect_right(self.days, day) - 1
        return self.values[index] if index >= 0 else None


@dataclass
class Stored:
    """What the ingest contract keeps of the deliveries, per chain."""

    cases: dict[str, dict[str, Case]]
    capacities: dict[str, dict[str, Capacity]]
    satisfaction: dict[str, list[tuple[date, float]]]
    measured_days: dict[str, list[date]]


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date


@dataclass
class OracleResult:
    """Every expected value, and the cases the oracle derived (to check what data covers)."""

    values: dict[Key, Expected]
    cases: dict[str, dict[str, Case]]


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months, clamped to the last day of the month reached."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def rule_for(chain: str, lodged: date, rules: Iterable[TermRule] = SPEC_TERM_RULES) -> TermRule:
    """The legal term rule of the chain that covers a lodged date."""
    for rule in rules:
        starts_ok = rule.lodged_from is None or rule.lodged_from <= lodged
        ends_ok = rule.lodged_to is None or lodged <= rule.lodged_to
        if rule.chain == chain and starts_ok and ends_ok:
            return rule
    raise LookupError(f"no legal term rule of {chain} covers {lodged}")


def median(values: Sequence[float]) -> float | None:
    """The 50th percentile with linear interpolation between the two middle values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) / 2
    below = math.floor(position)
    above = math.ceil(position)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def signal(value: float | None, bands: Sequence[Band]) -> str:
    """The first band holding the value; ``none`` for no value or no band."""
    if value is None:
        return "none"
    for band in bands:
        if (band.lower is None or band.lower <= value) and (
            band.upper is None or value <= band.upper
        ):
            return band.signal
    return "none"


def bands_of(
    indicator: str, chain: str, bands: dict[str, dict[str | None, list[Band]]]
) -> list[Band]:
    """The chain's own bands, else the bands for all chains, else none."""
    per_chain = bands.get(indicator, {})
    return per_chain.get(chain) or per_chain.get(None) or []


def month_label(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def week_label(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def half_year_label(day: date) -> str:
    return f"{day.year:04d}-H{1 if day.month <= 6 else 2}"


LABEL: dict[str, Callable[[date], str]] = {
    MONTH: month_label, WEEK: week_label, HALF_YEAR: half_year_label,
}  # fmt: skip


def periods(first: date, last: date, period_type: str) -> list[Period]:
    """Every month, ISO week or half-year from the one holding ``first`` to the one holding
    ``last``."""
    out: list[Period] = []
    if period_type == HALF_YEAR:
        year, half = first.year, 1 if first.month <= 6 else 2
        while date(year, 6 * half - 5, 1) <= last:
            start = date(year, 6 * half - 5, 1)
            end = date(year, 6, 30) if half == 1 else date(year, 12, 31)
            out.append(Period(half_year_label(start), start, end))
            year, half = (year + 1, 1) if half == 2 else (year, 2)
        return out
    if period_type == MONTH:
        year, month = first.year, first.month
        while date(year, month, 1) <= last:
            days = calendar.monthrange(year, month)[1]
            start = date(year, month, 1)
            out.append(Period(month_label(start), start, date(year, month, days)))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out
    monday = first - timedelta(days=first.weekday())
    while monday <= last:
        out.append(Period(week_label(monday), monday, monday + timedelta(days=6)))
        monday += timedelta(days=7)
    return out


def store(generated: GeneratedChain) -> Stored:
    """Keep what the ingest contract keeps: first delivery per event identity, last per
    measurement key, in delivery order; group events into cases by chain and person."""
    seen: set[tuple[str, str]] = set()
    cases: dict[str, dict[str, Case]] = {"NL": {}, "BE": {}}
    measured: dict[tuple[str, str, str | None, date], float] = {}
    for delivery in generated.deliveries():
        chain = ORGANISATION_CHAIN[delivery.organisation]
        for raw in delivery.events:
            identity = (raw.organisation, raw.source_event_id)
            if identity in seen:
                continue
            seen.add(identity)
            person = raw.person_ref.strip()
            case = cases[chain].setdefault(person, Case(chain=chain))
            case.events.append(
                Event(
                    organisation=raw.organisation,
                    event_type=raw.event_type,
                    instant=raw.occurred_at,
                    day=raw.occurred_at.astimezone(TIMEZONES[chain]).date(),
                    track=raw.track,
                    nationality=raw.nationality,
                    reason=raw.reason,
                )
            )
        for m in delivery.measurements:
            measured[(m.organisation, m.kind, m.location, m.date)] = m.value
    capacity_points: dict[str, dict[str, list[tuple[date, float]]]] = {"NL": {}, "BE": {}}
    satisfaction: dict[str, list[tuple[date, float]]] = {"NL": [], "BE": []}
    measured_days: dict[str, list[date]] = {"NL": [], "BE": []}
    for (organisation, kind, location, day), value in measured.items():
        chain = ORGANISATION_CHAIN[organisation]
        measured_days[chain].append(day)
        if kind == "RECEPTION_CAPACITY":
            assert location is not None, "capacity is measured per location"
            capacity_points[chain].setdefault(location, []).append((day, value))
        elif kind == "SATISFACTION_SCORE":
            satisfaction[chain].append((day, value))
    capacities = {
        chain: {
            location: Capacity([d for d, _ in sorted(points)], [v for _, v in sorted(points)])
            for location, points in by_location.items()
        }
        for chain, by_location in capacity_points.items()
    }
    return Stored(cases, capacities, satisfaction, measured_days)


def derive(case: Case, rules: Sequence[TermRule]) -> None:
    """Fill in a case's milestones from its events, as ``indicators.md`` defines them."""
    case.events.sort(key=lambda e: e.instant)
    instants = [e.instant for e in case.events]
    if len(set(instants)) != len(instants):
        raise ValueError("two events of one case at the same instant: the contract has no order")
    for event in case.events:
        # The latest event that carries a value sets it (events are in time order).
        case.track = event.track or case.track
        case.nationality = event.nationality or case.nationality
    case.lodged = _first_day(case, ("APPLICATION_LODGED",))
    if case.lodged is not None:
        for event in case.events:
            if event.event_type in DECISIONS and event.day >= case.lodged:
                case.decided, case.outcome = event.day, event.event_type
                break
        rule = rule_for(case.chain, case.lodged, rules)
        case.rule_deadline = add_months(case.lodged, rule.months)
        case.extended = any(
            e.event_type == "TERM_EXTENDED" and e.day <= case.rule_deadline for e in case.events
        )
        months = max(rule.months, rule.extended_months) if case.extended else rule.months
        case.deadline = add_months(case.lodged, months)
    case.return_opened = _first_day(case, ("RETURN_CASE_OPENED",))
    case.departed = _first_day(case, DEPARTURES)
    case.return_closed = _first_day(case, ("RETURN_CASE_CLOSED",))
    for event in case.events:
        if event.event_type in RECEPTION:
            case.reception_days.append(event.day)
            case.reception_leaves.append(event.event_type == "RECEPTION_LEFT")


def _first_day(case: Case, types: Sequence[str]) -> date | None:
    days = [e.day for e in case.events if e.event_type in types]
    return min(days) if days else None


class _Series:
    """Per period label and track ('' for all tracks): values gathered for one indicator."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], list[float]] = defaultdict(list)

    def add(self, label: str, track: str | None, value: float) -> None:
        self.items[(label, "")].append(value)
        if track:
            self.items[(label, track)].append(value)

    def get(self, label: str, track: str) -> list[float]:
        return self.items.get((label, track), [])


def compute(
    generated: GeneratedChain,
    *,
    today: date,
    rules: Sequence[TermRule] = SPEC_TERM_RULES,
    bands: dict[str, dict[str | None, list[Band]]] | None = None,
) -> OracleResult:
    """Every indicator of catalogue v1 for every chain, period and slice of the generated data.

    Periods run from the one holding the chain's first event or measurement to the one holding
    its last, or ``today`` if later (the engine keeps stocks current up to today).
    """
    bands = SPEC_BANDS if bands is None else bands
    stored = store(generated)
    values: dict[Key, Expected] = {}
    for chain, cases in stored.cases.items():
        for case in cases.values():
            derive(case, rules)
        days = [e.day for c in cases.values() for e in c.events] + stored.measured_days[chain]
        if not days:
            continue
        first, last = min(days), max(*days, today)
        for period_type in (MONTH, WEEK, HALF_YEAR):
            computed = _chain_values(
                chain, list(cases.values()), stored, periods(first, last, period_type), period_type
            )
            for (indicator, label, track, nationality), (value, n) in computed.items():
                key = Key(indicator, chain, period_type, label, track, nationality)
                if nationality:
                    suppressed = n < SUPPRESSION_BELOW
                    shown = None if suppressed else value
                    values[key] = Expected(
                        shown, signal(shown, bands_of(indicator, chain, bands)), suppressed, n
                    )
                else:
                    values[key] = Expected(value, signal(value, bands_of(indicator, chain, bands)))
    return OracleResult(values=values, cases=stored.cases)


Computed = dict[tuple[str, str, str, str], tuple[float | None, int]]


def _chain_values(
    chain: str, cases: list[Case], stored: Stored, in_range: list[Period], period_type: str
) -> Computed:
    """(indicator, label, track, nationality) -> (value, n) for one chain and period type."""
    label_of = LABEL[period_type]
    flows = _flows(cases, label_of)
    out: Computed = {}
    by_track = {"": cases} | {t: [c for c in cases if c.track == t] for t in TRACKS[chain]}
    for period in in_range:
        for track, of_track in by_track.items():
            _period_values(out, flows, period, track, of_track, chain, stored)
        for indicator, by_nationality in flows.nationality.items():
            for nationality, count in by_nationality.get(period.label, {}).items():
                out[(indicator, period.label, "", nationality)] = (float(count), count)
    return out


@dataclass
class _Flows:
    """What happens in a period, gathered once per chain and period type."""

    lodged: _Series = field(default_factory=_Series)
    decided: _Series = field(default_factory=_Series)
    lead_time: _Series = field(default_factory=_Series)
    within_term: _Series = field(default_factory=_Series)
    no_show: _Series = field(default_factory=_Series)
    departures: _Series = field(default_factory=_Series)
    stay_after_grant: _Series = field(default_factory=_Series)
    return_lead_time: _Series = field(default_factory=_Series)
    # indicator -> period label -> nationality -> cases
    nationality: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)


def _flows(cases: Iterable[Case], label: Callable[[date], str]) -> _Flows:
    flows = _Flows()
    lodged_by_nat: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    decided_by_nat: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for case in cases:
        if case.lodged is not None:
            flows.lodged.add(label(case.lodged), case.track, 1)
            if case.nationality:
                lodged_by_nat[label(case.lodged)][case.nationality] += 1
        if case.decided is not None and case.lodged is not None and case.deadline is not None:
            at = label(case.decided)
            flows.decided.add(at, case.track, 1)
            flows.lead_time.add(at, case.track, (case.decided - case.lodged).days)
            flows.within_term.add(at, case.track, 1.0 if case.decided <= case.deadline else 0.0)
            if case.nationality:
                decided_by_nat[at][case.nationality] += 1
        for event in case.events:
            # An event counts under its case's current track, whatever track it carries itself.
            track = case.track
            at = label(event.day)
            if event.event_type in ("HEARING_HELD", "HEARING_NO_SHOW"):
                flows.no_show.add(at, track, 1.0 if event.event_type == "HEARING_NO_SHOW" else 0.0)
            elif event.event_type in DEPARTURES:
                verified = event.event_type != "DEPARTED_UNVERIFIED"
                flows.departures.add(at, track, 1.0 if verified else 0.0)
            elif (
                event.event_type == "RECEPTION_LEFT"
                and event.reason == "HOUSING"
                and case.outcome == "DECISION_GRANTED"
                and case.decided is not None
            ):
                flows.stay_after_grant.add(at, track, (event.day - case.decided).days)
        if (
            case.departed is not None
            and case.return_opened is not None
            and case.return_opened <= case.departed
        ):
            # Reading: "opened before the departure" on local dates, so the same day counts.
            at = label(case.departed)
            flows.return_lead_time.add(at, case.track, (case.departed - case.return_opened).days)
    flows.nationality = {"applications_lodged": lodged_by_nat, "decisions_taken": decided_by_nat}
    return flows


def _share(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _mean(values: list[float]) -> float | None:
    """The mean in decimal arithmetic, as the engine takes it: exact whatever the order."""
    if not values:
        return None
    return float(sum(Decimal(repr(v)) for v in values) / len(values))


def _period_values(
    out: Computed,
    flows: _Flows,
    period: Period,
    track: str,
    cases: list[Case],
    chain: str,
    stored: Stored,
) -> None:
    at, end = period.label, period.end
    lodged = len(flows.lodged.get(at, track))
    decided = len(flows.decided.get(at, track))
    departures = flows.departures.get(at, track)
    found: dict[str, tuple[float | None, int]] = {
        "applications_lodged": (float(lodged), lodged),
        "decisions_taken": (float(decided), decided),
        "decision_lead_time_median": (median(flows.lead_time.get(at, track)), 0),
        "decisions_within_term_share": (_share(flows.within_term.get(at, track)), 0),
        "decisions_to_applications_ratio": (decided / lodged if lodged else None, 0),
        "hearing_no_show_rate": (_share(flows.no_show.get(at, track)), 0),
        "departures": (float(len(departures)), len(departures)),
        "verified_departure_share": (_share(departures), 0),
        "stay_after_grant_median": (median(flows.stay_after_grant.get(at, track)), 0),
        "return_lead_time_median": (median(flows.return_lead_time.get(at, track)), 0),
    }
    open_cases = over_term = open_returns = holders = in_reception = 0
    for case in cases:
        lodged_by_end = case.lodged is not None and case.lodged <= end
        if lodged_by_end and (case.decided is None or case.decided > end):
            open_cases += 1
            if case.deadline is not None and case.deadline < end:
                over_term += 1
        if case.return_opened is not None and case.return_opened <= end:
            closed = [d for d in (case.departed, case.return_closed) if d is not None]
            if not closed or min(closed) > end:
                open_returns += 1
        if case.reception_days and case.in_reception(end):
            in_reception += 1
            granted = case.outcome == "DECISION_GRANTED"
            if granted and case.decided is not None and case.decided <= end:
                holders += 1
    found["open_cases"] = (float(open_cases), open_cases)
    found["open_cases_over_term"] = (float(over_term), over_term)
    found["open_return_cases"] = (float(open_returns), open_returns)
    found["status_holders_in_reception"] = (float(holders), holders)
    if not track:
        found["client_satisfaction"] = (_mean(_scores_in(stored.satisfaction[chain], period)), 0)
        places = [c.on(end) for c in stored.capacities[chain].values()]
        total = sum(p for p in places if p is not None)
        measured = any(p is not None for p in places)
        rate = in_reception / total if measured and total else None
        found["reception_occupancy_rate"] = (rate, in_reception)
    for indicator, (value, n) in found.items():
        out[(indicator, at, track, "")] = (value, n)


def _scores_in(scores: list[tuple[date, float]], period: Period) -> list[float]:
    return [value for day, value in scores if period.start <= day <= period.end]
