"""Indicator kinds: each turns catalogue parameters into one set-based SQL query.

Every query reads the temp tables ``periods (chain_id, period_type, label, start_date,
end_date, is_first, previous)`` and ``period_day (chain_id, day, period_type, label)`` of one
chain and its case facts as ``case_fact`` (at least those that can count in the periods), with
the values bound as ``chain``, ``first_day`` and ``last_day`` (the first and last day of the
periods), ``incremental`` (whether the periods before them stand) and ``code`` (the
indicator's), and answers one row per period and slice with the columns ``chain_id,
period_type, label, track, nationality, value, numerator, denominator, n``. A slice is the
total (``track`` and ``nationality`` both ``''``), one track, or one nationality; a case whose
track or nationality is unknown lands in the slice ``'-'``, which the engine drops.

Adding an indicator of an existing kind is catalogue data only. Parameters that end up in SQL
text (milestone names) are checked against fixed lists first; everything else is bound.
``indicator_problems`` is the one check of a kind and its parameters: the catalogue loader, the
admin (through ``Indicator.clean``) and the engine, before it builds any SQL, all ask it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from chain.vocabulary import EVENT_TYPES, MeasurementKind

MILESTONES = frozenset(
    {"registered", "lodged", "decided", "deadline", "return_opened", "departed", "return_closed"}
)

# An event counts under its case's current track (the latest one any of its events carries),
# not under a track of its own: a hearing held before a case moved from a first to a subsequent
# application counts under the subsequent one, like every other indicator about that case.
EVENT_TRACK = "f.track"

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


def _in_period(day: str) -> str:
    """Join rows to the month and the ISO week containing ``day``.

    Through the calendar table ``period_day`` (one row per day and period type) this is an
    equality join on the date, which PostgreSQL hashes; a range join (``day BETWEEN start AND
    end``) would test every row against every period.
    """
    return f"JOIN period_day p ON p.day = {day}"


def _from_first_period(alias: str, day: str) -> str:
    """Only the computed chain's rows, and only from its first computed period on (an
    incremental run computes few). The first day is bound as a value, not read from
    ``periods``, so that the planner sees how few rows that is."""
    return f"{alias}.chain_id = %(chain)s AND {day} >= %(first_day)s"


def _counted(
    source: str, *, day: str, track: str, nationality: str, slices: Sequence[str],
    hits: str | None = None,
) -> str:  # fmt: skip
    """Rows counted per period and slice; with ``hits``, the share of them that meet it.

    The rows are first counted per day and slice, so that only these counts, not every row,
    are joined to the periods and grouped into the total and the slices.
    """
    track_key = track if "track" in slices else "NULL::text"
    nationality_key = nationality if "nationality" in slices else "NULL::text"
    hit_count = f"count(*) FILTER (WHERE {hits})" if hits else "NULL::bigint"
    daily = (
        f"SELECT {day} AS day, {track_key} AS track, {nationality_key} AS nationality, "
        f"count(*) AS total, {hit_count} AS hits FROM {source} GROUP BY 1, 2, 3"
    )
    value = "sum(d.total)::float8"
    numerator = denominator = "NULL::float8"
    if hits:
        numerator, denominator = "sum(d.hits)::float8", "sum(d.total)::float8"
        value = f"{numerator} / nullif({denominator}, 0)"
    return _grouped(
        f"{value} AS value, {numerator} AS numerator, {denominator} AS denominator, "
        "sum(d.total)::bigint AS n",
        f"({daily}) d {_in_period('d.day')}", track="d.track", nationality="d.nationality",
        slices=slices,
    )  # fmt: skip


def _median(expr: str) -> str:
    return (
        f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {expr}) AS value, "
        "NULL::float8 AS numerator, NULL::float8 AS denominator, count(*) AS n"
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
        "sum(d.delta) AS delta", f"({deltas}) d {_in_period('d.day')}",
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


def _delta_rows(source: str) -> str:
    """Per chain, slice and day in the computed periods: +1 for each row entering the state
    and -1 for each leaving it. ``source`` yields ``chain_id, track, nationality, enter_day,
    leave_day``; a row that never leaves gets no -1, and one that leaves before it enters
    leaves on the day it enters (``greatest``). Two grouped passes over the source are cheaper
    than one pass that doubles every row."""
    in_periods = "BETWEEN %(first_day)s AND %(last_day)s"
    return (
        "SELECT q.chain_id, q.track, q.nationality, q.enter_day AS day, count(*) AS delta "
        f"FROM ({source}) q WHERE q.enter_day {in_periods} GROUP BY 1, 2, 3, 4 "
        "UNION ALL "
        "SELECT q.chain_id, q.track, q.nationality, greatest(q.enter_day, q.leave_day), "
        f"-count(*) FROM ({source}) q WHERE q.enter_day IS NOT NULL "
        f"AND q.leave_day IS NOT NULL AND greatest(q.enter_day, q.leave_day) {in_periods} "
        "GROUP BY 1, 2, 3, 4"
    )


@dataclass(frozen=True)
class Kind:
    """A kind of indicator computation; subclasses give the SQL."""

    name: ClassVar[str]
    # True for kinds that read other indicators' results (ratios): they are computed last.
    reads_results: ClassVar[bool] = False
    # True for stocks, whose value is the state at period end: a longer span than the engine's
    # periods (a year to date) takes the value of its last month, which the engine stored.
    at_period_end: ClassVar[bool] = False

    def check_params(self, params: Params) -> list[str]:
        """Problems with the catalogue parameters, as readable sentences."""
        return []

    def sql(self, params: Params, slices: Sequence[str], bind: Bind) -> str:
        raise NotImplementedError


def _names(value: object, allowed: frozenset[str]) -> bool:
    """Whether ``value`` is a non-empty list of names from ``allowed`` (and nothing else)."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, str) and v in allowed for v in value)
    )


def _milestone(params: Params, key: str, problems: list[str]) -> None:
    if not _names([params.get(key)], MILESTONES):
        problems.append(f"param {key!r} must be one of {', '.join(sorted(MILESTONES))}")


def _event_list(params: Params, key: str, problems: list[str]) -> None:
    if not _names(params.get(key), EVENT_TYPES):
        problems.append(f"param {key!r} must be a non-empty list of event types")


def _optional_text(params: Params, key: str, problems: list[str]) -> None:
    if not isinstance(params.get(key), str | None):
        problems.append(f"param {key!r} must be text when given")


class CaseCount(Kind):
    """Cases whose milestone falls in the period."""

    name = "case_count"

    def check_params(self, params: Params) -> list[str]:
        problems: list[str] = []
        _milestone(params, "milestone", problems)
        return problems

    def sql(self, params: Params, slices: Sequence[str], bind: Bind) -> str:
        m = params["milestone"]
        return _counted(
            f"case_fact f WHERE {_from_first_period('f', f'f.{m}')}", day=f"f.{m}",
            track="f.track", nationality="f.nationality", slices=slices,
        )  # fmt: skip


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
            f"case_fact f {_in_period(f'f.{end}')} "
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
        return _counted(
            f"case_fact f WHERE {_from_first_period('f', 'f.decided')}", day="f.decided",
            track="f.track", nationality="f.nationality", slices=slices,
            hits="f.decided <= f.deadline",
        )  # fmt: skip


class OpenStock(Kind):
    """Cases past a milestone and not yet past any of the closing ones, at period end."""

    name = "open_stock"
    at_period_end = True

    def check_params(self, params: Params) -> list[str]:
        problems: list[str] = []
        _milestone(params, "from", problems)
        if not _names(params.get("until"), MILESTONES):
            problems.append("param 'until' must be a non-empty list of milestones")
        return problems

    def sql(self, params: Params, slices: Sequence[str], bind: Bind) -> str:
        enter = f"f.{params['from']}"
        if params.get("over_term"):
            # Over term at end means deadline < end, i.e. from the day after the deadline.
            enter = f"CASE WHEN f.deadline IS NOT NULL THEN greatest({enter}, f.deadline + 1) END"
        leave = "least(" + ", ".join(f"f.{m}" for m in params["until"]) + ")"
        cases = (
            f"SELECT f.chain_id, {_slice_columns(slices)}, {enter} AS enter_day, "
            f"{leave} AS leave_day FROM case_fact f WHERE f.chain_id = %(chain)s"
        )
        return _stock(_delta_rows(cases), slices=slices)


class EventCount(Kind):
    """Events of the given types in period, each under its case's current track."""

    name = "event_count"

    def check_params(self, params: Params) -> list[str]:
        problems: list[str] = []
        _event_list(params, "event_types", problems)
        return problems

    def sql(self, params: Params, slices: Sequence[str], bind: Bind) -> str:
        bind["event_types"] = params["event_types"]
        source = (
            "chain_statusevent e JOIN case_fact f ON f.case_id = e.case_id "
            "WHERE e.event_type = ANY(%(event_types)s) "
            f"AND {_from_first_period('e', 'e.local_date')}"
        )
        return _counted(
            source, day="e.local_date", track=EVENT_TRACK,
            nationality="f.nationality", slices=slices,
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
            "chain_statusevent e JOIN case_fact f ON f.case_id = e.case_id "
            "WHERE e.event_type = ANY(%(denominator_types)s) "
            f"AND {_from_first_period('e', 'e.local_date')}"
        )
        return _counted(
            source, day="e.local_date", track=EVENT_TRACK,
            nationality="f.nationality", slices=slices,
            hits="e.event_type = ANY(%(numerator_types)s)",
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
            f"chain_measurement m {_in_period('m.date')} "
            "WHERE m.chain_id = %(chain)s AND m.kind = %(measurement_kind)s"
        )
        # Summed as numeric: a float sum depends on the order the rows come in, which differs
        # between a full and an incremental run, and between periods of different lengths.
        measures = (
            "avg(m.value::numeric)::float8 AS value, NULL::float8 AS numerator, "
            "NULL::float8 AS denominator, count(*) AS n"
        )
        return _grouped(measures, source, track="NULL", nationality="NULL", slices=())


def _reception_cases(granted_only: bool, slices: Sequence[str]) -> str:
    """Stays in reception (from the decision on, if only the granted count), one row each."""
    enter = "lower(r.days)"
    granted = ""
    if granted_only:
        enter = "greatest(lower(r.days), f.decided)"
        granted = "AND f.outcome = 'DECISION_GRANTED' AND f.decided IS NOT NULL"
    # Stays are in order, so the last one holds the latest day a stay began or ended: a
    # person whose stays all began and ended before the first computed day adds nothing.
    last = "f.reception[cardinality(f.reception)]"
    recent = f"upper({last}) >= %(first_day)s OR lower({last}) >= %(first_day)s"
    if granted_only:
        recent += " OR f.decided >= %(first_day)s"
    return (
        f"SELECT f.chain_id, {_slice_columns(slices)}, {enter} AS enter_day, "
        "upper(r.days) AS leave_day "
        "FROM case_fact f CROSS JOIN LATERAL unnest(f.reception) r(days) "
        f"WHERE f.chain_id = %(chain)s AND ({recent}) {granted}"
    )


class ReceptionCount(Kind):
    """People in reception at period end (optionally: only those granted by then)."""

    name = "reception_count"
    at_period_end = True

    def sql(self, params: Params, slices: Sequence[str], bind: Bind) -> str:
        cases = _reception_cases(bool(params.get("granted_only")), slices)
        return _stock(_delta_rows(cases), slices=slices)


class ReceptionOccupancy(Kind):
    """People in reception at period end over the latest capacity of each location then."""

    name = "reception_occupancy"
    at_period_end = True

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
        if not _names([params.get("event_type")], EVENT_TYPES):
            problems.append("param 'event_type' must be an event type")
        _optional_text(params, "reason", problems)
        _optional_text(params, "outcome", problems)
        return problems

    def sql(self, params: Params, slices: Sequence[str], bind: Bind) -> str:
        since = params["since"]
        bind["event_type"] = params["event_type"]
        bind["reason"] = params.get("reason")
        bind["outcome"] = params.get("outcome")
        source = (
            f"chain_statusevent e {_in_period('e.local_date')} "
            f"JOIN case_fact f ON f.case_id = e.case_id AND f.{since} IS NOT NULL "
            "AND (%(outcome)s::text IS NULL OR f.outcome = %(outcome)s) "
            "WHERE e.event_type = %(event_type)s "
            "AND (%(reason)s::text IS NULL OR e.reason = %(reason)s) "
            f"AND {_from_first_period('e', 'e.local_date')}"
        )
        return _grouped(
            _median(f"e.local_date - f.{since}"), source, track=EVENT_TRACK,
            nationality="f.nationality", slices=slices,
        )  # fmt: skip


class Ratio(Kind):
    """One indicator's value over another's, per chain, period and slice."""

    name = "ratio"
    reads_results = True

    def check_params(self, params: Params) -> list[str]:
        codes = (params.get("numerator"), params.get("denominator"))
        if not all(isinstance(code, str) and code for code in codes):
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


def indicator_problems(kind: object, params: object) -> list[str]:
    """What keeps an indicator of ``kind`` with ``params`` from being computed; [] if nothing.

    The one rule for every way a kind and parameters come in (catalogue file, admin, database):
    the engine builds SQL only for an indicator without problems.
    """
    found = KINDS.get(kind) if isinstance(kind, str) else None
    if found is None:
        return [f"unknown kind {kind!r}; one of {', '.join(sorted(KINDS))}"]
    if not isinstance(params, dict):
        return ["params must be a JSON object"]
    return found.check_params(params)
