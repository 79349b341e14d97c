"""Indicator kinds: each turns catalogue parameters into one set-based SQL query.

Every query reads the temp tables ``periods (chain_id, period_type, label, start_date,
end_date, is_first, previous)`` and ``period_day (chain_id, day, period_type, label)`` of one
chain, with the values bound as ``chain``, ``first_day`` (the first computed period's first
day), ``incremental`` (whether the periods before stand) and ``code`` (the indicator's), and
answers one row per period and slice with the columns ``chain_id, period_type, label, track,
nationality, value, numerator, denominator, n``. A slice is the
total (``track`` and ``nationality`` both ``''``), one track, or one nationality; a case whose
track or nationality is unknown lands in the slice ``'-'``, which the engine drops.

Adding an indicator of an existing kind is catalogue data only. Parameters that end up in SQL
text (milestone names) are checked against fixed lists first; everything else is bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from chain.models import EventType, MeasurementKind

MILESTONES = frozenset(
    {"registered", "lodged", "decided", "deadline", "return_opened", "departed", "return_closed"}
)
EVENT_TYPES = frozenset(EventType.values)

Params = dict[str, Any]
Bind = dict[str, Any]


def _grouped(
    measures: str,
    source: str,
    *,
    track: str,
    nationality: str,
    slices: Sequence[str],
    base: str = "p.chain_id, p.period_type, p.label",
) -> str:
    """SELECT the measures per chain and period for the total and every requested slice."""
    sets = [f"({base})"]
    track_col = nat_col = "''"
    if "track" in slices:
        sets.append(f"({base}, {track})")
        track_col = f"CASE WHEN GROUPING({track}) = 0 THEN coalesce({track}, '-') ELSE '' END"
    if "nationality" in slices:
        sets.append(f"({base}, {nationality})")
        nat_col = (
            f"CASE WHEN GROUPING({nationality}) = 0 THEN coalesce({nationality}, '-') ELSE '' END"
        )
    return (
        f"SELECT {base}, {track_col} AS track, {nat_col} AS nationality, {measures} "
        f"FROM {source} GROUP BY GROUPING SETS ({', '.join(sets)})"
    )


def _in_period(day: str, chain: str) -> str:
    """Join rows to the month and the ISO week containing ``day``.

    Through the calendar table ``period_day`` (one row per day and period type) this is an
    equality join on the date, which PostgreSQL hashes; a range join (``day BETWEEN start AND
    end``) would test every row against every period.
    """
    return f"JOIN period_day p ON p.chain_id = {chain} AND p.day = {day}"


def _from_first_period(alias: str, day: str) -> str:
    """Only the computed chain's rows, and only from its first computed period on (an
    incremental run computes few). The first day is bound as a value, not read from
    ``periods``, so that the planner sees how few rows that is."""
    return f"{alias}.chain_id = %(chain)s AND {day} >= %(first_day)s"


_COUNT = (
    "count(*)::float8 AS value, NULL::float8 AS numerator, NULL::float8 AS denominator, "
    "count(*) AS n"
)


def _median(expr: str) -> str:
    return (
        f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {expr}) AS value, "
        "NULL::float8 AS numerator, NULL::float8 AS denominator, count(*) AS n"
    )


def _share(numerator_filter: str) -> str:
    return (
        f"(count(*) FILTER (WHERE {numerator_filter}))::float8 / nullif(count(*), 0) AS value, "
        f"(count(*) FILTER (WHERE {numerator_filter}))::float8 AS numerator, "
        "count(*)::float8 AS denominator, count(*) AS n"
    )


def _stock(deltas: str, *, slices: Sequence[str]) -> str:
    """People or cases in a state at period end, from +1/-1 deltas per day.

    A case is in the stock at ``end`` when ``enter <= end < exit``; counting ``enter <= end``
    minus ``greatest(enter, exit) <= end`` gives that without joining every case to every
    period. Each day's delta is added to the period containing it, and a running sum over the
    periods gives the stock at each end. A full run starts from nothing; an incremental run
    (``%(incremental)s``) starts from the stock stored for the period just before the first it
    computes, which the change did not touch, so it needs only the deltas from there on.
    ``deltas`` yields ``(chain_id, track, nationality, day, delta)`` for the days from the
    first computed period on.
    """
    in_periods = _grouped(
        "sum(d.delta) AS delta", f"({deltas}) d {_in_period('d.day', 'd.chain_id')}",
        track="d.track", nationality="d.nationality", slices=slices,
    )  # fmt: skip
    return f"""
    WITH per_period AS (
        {in_periods}
        UNION ALL
        SELECT p.chain_id, p.period_type, p.label, v.track, v.nationality, v.n
        FROM periods p JOIN chain_indicatorvalue v ON v.indicator_id = %(code)s
            AND v.chain_id = p.chain_id AND v.period_type = p.period_type
            AND v.period = p.previous
        WHERE p.is_first AND %(incremental)s
    ),
    slice AS (SELECT DISTINCT chain_id, track, nationality FROM per_period),
    grid AS (
        SELECT p.chain_id, p.period_type, p.label, p.end_date, s.track, s.nationality, q.delta
        FROM periods p JOIN slice s ON s.chain_id = p.chain_id
        LEFT JOIN (
            SELECT chain_id, period_type, label, track, nationality, sum(delta) AS delta
            FROM per_period GROUP BY chain_id, period_type, label, track, nationality
        ) q ON q.chain_id = p.chain_id AND q.period_type = p.period_type
            AND q.label = p.label AND q.track = s.track AND q.nationality = s.nationality
    )
    SELECT chain_id, period_type, label, track, nationality,
        (sum(coalesce(delta, 0)) OVER w)::float8 AS value, NULL::float8 AS numerator,
        NULL::float8 AS denominator, (sum(coalesce(delta, 0)) OVER w)::bigint AS n
    FROM grid
    WINDOW w AS (PARTITION BY chain_id, period_type, track, nationality ORDER BY end_date)
    """


def _slice_columns(slices: Sequence[str], alias: str = "f") -> str:
    track = f"{alias}.track" if "track" in slices else "NULL::text"
    nationality = f"{alias}.nationality" if "nationality" in slices else "NULL::text"
    return f"{track} AS track, {nationality} AS nationality"


def _delta_rows(enter: str, leave: str, source: str, slices: Sequence[str]) -> str:
    """Per chain, slice and day from the first computed period on: +1 where rows enter the
    state and -1 where they leave it. A row that entered and left before adds nothing."""
    return (
        f"SELECT s.chain_id, s.track, s.nationality, x.day, sum(x.delta) AS delta "
        f"FROM (SELECT {enter} AS enter, {leave} AS leave, q.chain_id, q.track, q.nationality "
        f"      FROM ({source}) q) s "
        # greatest() skips NULLs, so a row that never leaves must get no -1 at all.
        "CROSS JOIN LATERAL (VALUES (s.enter, 1), "
        "    (CASE WHEN s.leave IS NOT NULL THEN greatest(s.enter, s.leave) END, -1)) "
        "    x(day, delta) "
        "WHERE s.enter IS NOT NULL "
        "AND (s.enter >= %(first_day)s OR s.leave >= %(first_day)s) AND x.day >= %(first_day)s "
        "GROUP BY s.chain_id, s.track, s.nationality, x.day"
    )


@dataclass(frozen=True)
class Kind:
    """A kind of indicator computation; subclasses give the SQL."""

    name: ClassVar[str]
    # True for kinds that read other indicators' results (ratios): they are computed last.
    reads_results: ClassVar[bool] = False

    def check_params(self, params: Params) -> list[str]:
        """Problems with the catalogue parameters, as readable sentences."""
        return []

    def sql(self, params: Params, slices: Sequence[str], bind: Bind) -> str:
        raise NotImplementedError


def _milestone(params: Params, key: str, problems: list[str]) -> None:
    if params.get(key) not in MILESTONES:
        problems.append(f"param {key!r} must be one of {', '.join(sorted(MILESTONES))}")


def _event_list(params: Params, key: str, problems: list[str]) -> None:
    value = params.get(key)
    if not isinstance(value, list) or not value or not set(value) <= EVENT_TYPES:
        problems.append(f"param {key!r} must be a non-empty list of event types")


class CaseCount(Kind):
    """Cases whose milestone falls in the period."""

    name = "case_count"

    def check_params(self, params: Params) -> list[str]:
        problems: list[str] = []
        _milestone(params, "milestone", problems)
        return problems

    def sql(self, params: Params, slices: Sequence[str], bind: Bind) -> str:
        m = params["milestone"]
        source = (
            f"chain_casefact f {_in_period(f'f.{m}', 'f.chain_id')} "
            f"WHERE {_from_first_period('f', f'f.{m}')}"
        )
        return _grouped(_COUNT, source, track="f.track", nationality="f.nationality", slices=slices)


class LeadTimeMedian(Kind):
    """Median days from one milestone to another, over cases reaching the second in period."""

    name = "lead_time_median"

    def check_params(self, params: Params) -> list[str]:
        problems: list[str] = []
        _milestone(params, "from", problems)
        _milestone(params, "to", problems)
        return problems

    def sql(self, params: Params, slices: Sequence[str], bind: Bind) -> str:
        start, end = params["from"], params["to"]
        source = (
            f"chain_casefact f {_in_period(f'f.{end}', 'f.chain_id')} "
            f"WHERE {_from_first_period('f', f'f.{end}')} AND f.{start} <= f.{end}"
        )
        return _grouped(
            _median(f"f.{end} - f.{start}"), source, track="f.track",
            nationality="f.nationality", slices=slices,
        )  # fmt: skip


class WithinTermShare(Kind):
    """Share of the cases decided in period that were decided on or before their deadline."""

    name = "within_term_share"

    def sql(self, params: Params, slices: Sequence[str], bind: Bind) -> str:
        source = (
            f"chain_casefact f {_in_period('f.decided', 'f.chain_id')} "
            f"WHERE {_from_first_period('f', 'f.decided')}"
        )
        return _grouped(
            _share("f.decided <= f.deadline"), source, track="f.track",
            nationality="f.nationality", slices=slices,
        )  # fmt: skip


class OpenStock(Kind):
    """Cases past a milestone and not yet past any of the closing ones, at period end."""

    name = "open_stock"

    def check_params(self, params: Params) -> list[str]:
        problems: list[str] = []
        _milestone(params, "from", problems)
        until = params.get("until")
        if not isinstance(until, list) or not until or not set(until) <= MILESTONES:
            problems.append("param 'until' must be a non-empty list of milestones")
        return problems

    def sql(self, params: Params, slices: Sequence[str], bind: Bind) -> str:
        enter = f"f.{params['from']}"
        if params.get("over_term"):
            # Over term at end means deadline < end, i.e. from the day after the deadline.
            enter = f"CASE WHEN f.deadline IS NOT NULL THEN greatest({enter}, f.deadline + 1) END"
        leave = "least(" + ", ".join(f"f.{m}" for m in params["until"]) + ")"
        # Milestones other than the deadline are dates of the case's events: a case without an
        # event since the first computed period entered and left before it.
        since = "f.last_event >= %(first_day)s"
        if params.get("over_term") or "deadline" in {params["from"], *params["until"]}:
            since = f"({since} OR f.deadline >= %(first_day)s - 1)"
        cases = (
            f"SELECT f.chain_id, {_slice_columns(slices)}, {enter} AS enter_day, "
            f"{leave} AS leave_day FROM chain_casefact f "
            f"WHERE f.chain_id = %(chain)s AND {since}"
        )
        return _stock(_delta_rows("q.enter_day", "q.leave_day", cases, slices), slices=slices)


class EventCount(Kind):
    """Events of the given types in period; an event without a track counts under its case's."""

    name = "event_count"

    def check_params(self, params: Params) -> list[str]:
        problems: list[str] = []
        _event_list(params, "event_types", problems)
        return problems

    def sql(self, params: Params, slices: Sequence[str], bind: Bind) -> str:
        bind["event_types"] = params["event_types"]
        source = (
            f"chain_statusevent e {_in_period('e.local_date', 'e.chain_id')} "
            "JOIN chain_casefact f ON f.case_id = e.case_id "
            "WHERE e.event_type = ANY(%(event_types)s) "
            f"AND {_from_first_period('e', 'e.local_date')}"
        )
        return _grouped(
            _COUNT, source, track="coalesce(e.track, f.track)", nationality="f.nationality",
            slices=slices,
        )  # fmt: skip


class EventShare(Kind):
    """Events of the numerator types over events of the denominator types, in period."""

    name = "event_share"

    def check_params(self, params: Params) -> list[str]:
        problems: list[str] = []
        _event_list(params, "numerator", problems)
        _event_list(params, "denominator", problems)
        return problems

    def sql(self, params: Params, slices: Sequence[str], bind: Bind) -> str:
        bind["numerator_types"] = params["numerator"]
        bind["denominator_types"] = params["denominator"]
        source = (
            f"chain_statusevent e {_in_period('e.local_date', 'e.chain_id')} "
            "JOIN chain_casefact f ON f.case_id = e.case_id "
            "WHERE e.event_type = ANY(%(denominator_types)s) "
            f"AND {_from_first_period('e', 'e.local_date')}"
        )
        return _grouped(
            _share("e.event_type = ANY(%(numerator_types)s)"), source,
            track="coalesce(e.track, f.track)", nationality="f.nationality", slices=slices,
        )  # fmt: skip


class MeasurementMean(Kind):
    """Plain mean of the chain's measurements of one kind dated in period."""

    name = "measurement_mean"

    def check_params(self, params: Params) -> list[str]:
        if params.get("kind") not in MeasurementKind.values:
            return [f"param 'kind' must be one of {', '.join(MeasurementKind.values)}"]
        return []

    def sql(self, params: Params, slices: Sequence[str], bind: Bind) -> str:
        bind["measurement_kind"] = params["kind"]
        source = (
            f"chain_measurement m {_in_period('m.date', 'm.chain_id')} "
            "WHERE m.kind = %(measurement_kind)s"
        )
        measures = (
            "avg(m.value) AS value, NULL::float8 AS numerator, NULL::float8 AS denominator, "
            "count(*) AS n"
        )
        return _grouped(measures, source, track="NULL", nationality="NULL", slices=())


def _reception_cases(granted_only: bool, slices: Sequence[str]) -> str:
    """Stays in reception (from the decision on, if only the granted count), one row each.

    Every bound of a stay, and a decision, is the date of an event of the case: a case
    without an event since the first computed period entered and left before it.
    """
    enter = "lower(r.days)"
    granted = ""
    if granted_only:
        enter = "greatest(lower(r.days), f.decided)"
        granted = "AND f.outcome = 'DECISION_GRANTED' AND f.decided IS NOT NULL"
    return (
        f"SELECT f.chain_id, {_slice_columns(slices)}, {enter} AS enter_day, "
        "upper(r.days) AS leave_day "
        "FROM chain_casefact f CROSS JOIN LATERAL unnest(f.reception) r(days) "
        f"WHERE f.chain_id = %(chain)s AND f.last_event >= %(first_day)s {granted}"
    )


class ReceptionCount(Kind):
    """People in reception at period end (optionally: only those granted by then)."""

    name = "reception_count"

    def sql(self, params: Params, slices: Sequence[str], bind: Bind) -> str:
        cases = _reception_cases(bool(params.get("granted_only")), slices)
        return _stock(_delta_rows("q.enter_day", "q.leave_day", cases, slices), slices=slices)


class ReceptionOccupancy(Kind):
    """People in reception at period end over the latest capacity of each location then."""

    name = "reception_occupancy"

    def sql(self, params: Params, slices: Sequence[str], bind: Bind) -> str:
        people = ReceptionCount().sql({}, (), bind)
        return f"""
        SELECT p.chain_id, p.period_type, p.label, '' AS track, '' AS nationality,
            coalesce(o.value, 0) / nullif(c.places, 0) AS value,
            coalesce(o.value, 0) AS numerator, c.places AS denominator,
            coalesce(o.value, 0)::bigint AS n
        FROM periods p
        LEFT JOIN ({people}) o
            ON o.chain_id = p.chain_id AND o.period_type = p.period_type AND o.label = p.label
        LEFT JOIN LATERAL (
            SELECT sum(latest.value) AS places FROM (
                SELECT DISTINCT ON (m.location) m.value FROM chain_measurement m
                WHERE m.chain_id = p.chain_id AND m.kind = 'RECEPTION_CAPACITY'
                  AND m.date <= p.end_date
                ORDER BY m.location, m.date DESC
            ) latest
        ) c ON true
        """


class EventSinceMilestoneMedian(Kind):
    """Median days from a case milestone to events of one type (and reason) in period."""

    name = "event_since_milestone_median"

    def check_params(self, params: Params) -> list[str]:
        problems: list[str] = []
        _milestone(params, "since", problems)
        if params.get("event_type") not in EVENT_TYPES:
            problems.append("param 'event_type' must be an event type")
        return problems

    def sql(self, params: Params, slices: Sequence[str], bind: Bind) -> str:
        since = params["since"]
        bind["event_type"] = params["event_type"]
        bind["reason"] = params.get("reason")
        bind["outcome"] = params.get("outcome")
        source = (
            f"chain_statusevent e {_in_period('e.local_date', 'e.chain_id')} "
            f"JOIN chain_casefact f ON f.case_id = e.case_id AND f.{since} IS NOT NULL "
            "AND (%(outcome)s::text IS NULL OR f.outcome = %(outcome)s) "
            "WHERE e.event_type = %(event_type)s "
            "AND (%(reason)s::text IS NULL OR e.reason = %(reason)s) "
            f"AND {_from_first_period('e', 'e.local_date')}"
        )
        return _grouped(
            _median(f"e.local_date - f.{since}"), source, track="coalesce(e.track, f.track)",
            nationality="f.nationality", slices=slices,
        )  # fmt: skip


class Ratio(Kind):
    """One indicator's value over another's, per chain, period and slice."""

    name = "ratio"
    reads_results = True

    def check_params(self, params: Params) -> list[str]:
        if not params.get("numerator") or not params.get("denominator"):
            return ["params 'numerator' and 'denominator' must name indicators"]
        return []

    def sql(self, params: Params, slices: Sequence[str], bind: Bind) -> str:
        bind["numerator_code"] = params["numerator"]
        bind["denominator_code"] = params["denominator"]
        # Driven by the denominator: a period with applications but no decisions is 0, not absent.
        return """
        SELECT b.chain_id, b.period_type, b.label, b.track, b.nationality,
            coalesce(a.value, 0) / nullif(b.value, 0) AS value,
            coalesce(a.value, 0) AS numerator, b.value AS denominator, b.value::bigint AS n
        FROM indicator_result b
        LEFT JOIN indicator_result a ON a.chain_id = b.chain_id
            AND a.period_type = b.period_type AND a.label = b.label AND a.track = b.track
            AND a.nationality = b.nationality AND a.indicator_id = %(numerator_code)s
        WHERE b.indicator_id = %(denominator_code)s AND b.nationality = ''
        """


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        CaseCount(), LeadTimeMedian(), WithinTermShare(), OpenStock(), EventCount(),
        EventShare(), MeasurementMean(), ReceptionCount(), ReceptionOccupancy(),
        EventSinceMilestoneMedian(), Ratio(),
    )
}  # fmt: skip
