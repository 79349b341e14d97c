"""The indicator engine: compute every catalogue indicator for a chain's periods, set-wise.

``compute`` recomputes all periods of one chain that end on or after a date, for both period
types, and replaces their stored values in one transaction. An ingest marks the earliest date
it can have changed (``DirtyRange``); ``compute_dirty`` consumes those marks, so only touched
chains and periods are recomputed. ``compute_all`` recomputes everything and, because it runs
the same queries over more periods, gives identical values.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import date, timedelta

from django.core.cache import cache
from django.db import connection, transaction

from chain import clock
from chain.indicators.kinds import KINDS, indicator_problems
from chain.models import Chain, DirtyRange, Indicator
from chain.periods import PERIOD_TYPES, Period, periods_between

logger = logging.getLogger(__name__)
DATA_VERSION_KEY = "indicator-data-version"
# Nationality cells resting on fewer cases than this are suppressed (primary suppression);
# secondary suppression is decided when a breakdown is read (docs/architecture.md).
SUPPRESSION_THRESHOLD = 10

_TEMP_TABLES = """
DROP TABLE IF EXISTS periods, period_day, indicator_result;
CREATE TEMP TABLE periods (
    chain_id text, period_type text, label text, start_date date, end_date date,
    is_first boolean, previous text
) ON COMMIT DROP;
CREATE TEMP TABLE indicator_result (
    indicator_id text, chain_id text, period_type text, label text, track text,
    nationality text, value double precision, numerator double precision,
    denominator double precision, n bigint
) ON COMMIT DROP;
"""

# Every period gets a total, also where nothing happened: a count is then 0, anything else
# (a share, a median) has no value.
_FILL_TOTALS = """
INSERT INTO indicator_result
SELECT i.code, p.chain_id, p.period_type, p.label, '', '',
    CASE WHEN i.unit = 'count' THEN 0 END, NULL, NULL, 0
FROM periods p CROSS JOIN chain_indicator i
WHERE i.code = ANY(%(codes)s) AND NOT EXISTS (
    SELECT 1 FROM indicator_result r
    WHERE r.indicator_id = i.code AND r.chain_id = p.chain_id AND r.period_type = p.period_type
      AND r.label = p.label AND r.track = '' AND r.nationality = '')
"""

_DELETE_OLD = """
DELETE FROM chain_indicatorvalue v USING periods p
WHERE v.chain_id = p.chain_id AND v.period_type = p.period_type AND v.period = p.label
"""

# A chain's own bands where the indicator has any for it, else the bands for all chains;
# resolved once, so that each value's signal is a lookup among a handful of rows.
_WRITE = """
WITH band AS MATERIALIZED (
    SELECT b.indicator_id, c.code AS chain_id, b.position, b.signal, b.lower, b.upper
    FROM chain_signalband b JOIN chain_chain c ON c.code = b.chain_id OR (
        b.chain_id IS NULL AND NOT EXISTS (
            SELECT 1 FROM chain_signalband own
            WHERE own.indicator_id = b.indicator_id AND own.chain_id = c.code))
)
INSERT INTO chain_indicatorvalue (
    indicator_id, chain_id, period_type, period, period_start, period_end, track,
    nationality, value, numerator, denominator, n, signal, suppressed, computed_at)
SELECT r.indicator_id, r.chain_id, r.period_type, r.label, p.start_date, p.end_date, r.track,
    r.nationality, s.value, s.numerator, s.denominator, r.n, coalesce(g.signal, 'none'),
    s.suppressed, %(computed_at)s
FROM indicator_result r
JOIN periods p ON p.chain_id = r.chain_id AND p.period_type = r.period_type AND p.label = r.label
CROSS JOIN LATERAL (
    SELECT CASE WHEN r.nationality <> '' AND r.n < %(threshold)s THEN 'primary' ELSE '' END
        AS suppressed
) q
CROSS JOIN LATERAL (
    SELECT q.suppressed,
        CASE WHEN q.suppressed = '' THEN r.value END AS value,
        CASE WHEN q.suppressed = '' THEN r.numerator END AS numerator,
        CASE WHEN q.suppressed = '' THEN r.denominator END AS denominator
) s
LEFT JOIN LATERAL (
    SELECT b.signal FROM band b
    WHERE b.indicator_id = r.indicator_id AND b.chain_id = r.chain_id
      AND (b.lower IS NULL OR s.value >= b.lower) AND (b.upper IS NULL OR s.value <= b.upper)
    ORDER BY b.position LIMIT 1
) g ON s.value IS NOT NULL
"""


def compute(*, chain: str, from_date: date | None = None, today: date | None = None) -> int:
    """Recompute every indicator of ``chain`` for the periods ending on or after ``from_date``.

    ``from_date`` None means from the chain's first data. Returns the number of values written.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        # One computation per chain at a time: two would delete each other's fresh values.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"indicators:{chain}"])
        # Aggregating a chain's periods is sort- and hash-heavy; on disk it is several times slower.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        first, last = _data_span(cursor, chain)
        if first is None or last is None:
            cursor.execute("DELETE FROM chain_indicatorvalue WHERE chain_id = %s", [chain])
            return 0
        start = max(first, from_date) if from_date else first
        # A stock carries on from the stored value of the period before a run's first, and a
        # period after the last stored one was never computed (no run had it as today, say
        # over a holiday without deliveries): such a run starts where the stored values end.
        covered = _stored_until(cursor, chain)
        start = first if covered is None else max(first, min(start, covered + timedelta(days=1)))
        end = max(last, today or clock.today())
        # Values of the periods before ``start`` stand (nothing before it changed); a run from
        # the chain's first data has none to rest on.
        incremental = start > first
        periods = [periods_between(start, end, period_type) for period_type in PERIOD_TYPES]
        bind = {
            "chain": chain, "incremental": incremental,
            "first_day": min(of_type[0].start for of_type in periods),
            "last_day": max(of_type[-1].end for of_type in periods),
        }  # fmt: skip
        cursor.execute(_TEMP_TABLES)
        cursor.executemany(
            "INSERT INTO periods VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                (chain, p.type, p.label, p.start, p.end, i == 0, p.previous().label)
                for of_type in periods
                for i, p in enumerate(of_type)
            ],
        )
        cursor.execute(
            "CREATE TEMP TABLE period_day ON COMMIT DROP AS "
            "SELECT chain_id, d::date AS day, period_type, label FROM periods, "
            "generate_series(start_date, end_date, interval '1 day') d"
        )
        cursor.execute("ANALYZE periods")
        cursor.execute("ANALYZE period_day")
        _scope_cases(cursor, bind)
        indicators = computable_indicators()
        ordered = sorted(indicators, key=lambda i: KINDS[i.kind].reads_results)
        first_ratio = next((i for i in ordered if KINDS[i.kind].reads_results), None)
        for indicator in ordered:
            if indicator is first_ratio:
                _fill_totals(cursor, [i for i in indicators if not KINDS[i.kind].reads_results])
                cursor.execute("ANALYZE indicator_result")
            _compute_indicator(cursor, indicator, bind)
        _fill_totals(cursor, indicators)
        cursor.execute(_DELETE_OLD)
        # The moment from the clock, not the database's now(): one clock for all the code.
        cursor.execute(_WRITE, {"threshold": SUPPRESSION_THRESHOLD, "computed_at": clock.now()})
        written = cursor.rowcount
        # A view would outlive the transaction, and hold on to the columns of the case facts.
        cursor.execute("DROP TABLE case_fact" if incremental else "DROP VIEW case_fact")
    transaction.on_commit(lambda: cache.set(DATA_VERSION_KEY, time.time_ns(), None))
    return written


# Only cases that can count in the periods of an incremental run: a milestone or a stay's bound
# is the date of one of the case's events, so such a case had an event since the first day;
# without one, it can still go over its term (the day after its deadline). Copied, so that each
# kind reads a few compact pages rather than picking its rows from every page of the table.
_CASES_SINCE = """
CREATE TEMP TABLE case_fact ON COMMIT DROP AS
SELECT * FROM chain_casefact
WHERE chain_id = %(chain)s
  AND (last_event >= %(first_day)s OR deadline BETWEEN %(first_day)s - 1 AND %(last_day)s)
"""


def _scope_cases(cursor, bind: dict[str, object]) -> None:
    """Provide ``case_fact``: every case for a full run (a view), the few that can count for
    an incremental one (a copy); ``compute`` drops it when done."""
    if not bind["incremental"]:
        cursor.execute("CREATE TEMP VIEW case_fact AS SELECT * FROM chain_casefact")
        return
    cursor.execute(_CASES_SINCE, bind)
    cursor.execute("CREATE INDEX ON case_fact (case_id)")
    # Statistics for the joins and the slices only: the other columns would cost more to
    # sample than they save in planning.
    cursor.execute("ANALYZE case_fact (case_id, track, nationality)")


def _stored_until(cursor, chain: str) -> date | None:
    """The last day for which every period type has stored values; None if one has none."""
    cursor.execute(
        """
        SELECT min(last_end) FROM (
            SELECT max(period_end) AS last_end FROM chain_indicatorvalue
            WHERE chain_id = %(chain)s GROUP BY period_type) stored
        HAVING count(*) = %(types)s
        """,
        {"chain": chain, "types": len(PERIOD_TYPES)},
    )
    row = cursor.fetchone()
    return row[0] if row else None


def _data_span(cursor, chain: str) -> tuple[date | None, date | None]:
    cursor.execute(
        """
        SELECT least(f.first, m.first), greatest(f.last, m.last) FROM
            (SELECT min(first_event) AS first, max(last_event) AS last
             FROM chain_casefact WHERE chain_id = %(chain)s) f,
            (SELECT min(date) AS first, max(date) AS last
             FROM chain_measurement WHERE chain_id = %(chain)s) m
        """,
        {"chain": chain},
    )
    return cursor.fetchone()


def compute_spans(
    *, chain: str, indicator: Indicator, spans: Sequence[Period]
) -> dict[tuple[str, str], tuple[float | None, float | None, float | None, int]]:
    """The total and per-track values of one indicator over spans the engine does not store
    (years to date), by the same SQL as the stored periods: a median over the cases of the
    span, a count of all of them, a share over their numerator and denominator.

    Keyed by (span label, track); each a (value, numerator, denominator, n). Nothing is
    written: the temp tables go with the transaction. A kind at period end (a stock) cannot
    be computed this way; its callers read the stored month instead. A ratio computes its
    numerator and denominator indicators first.
    """
    if KINDS[indicator.kind].at_period_end or not spans:
        raise ValueError(f"{indicator.code} is a stock or no span was asked")
    if problems := indicator_problems(indicator.kind, indicator.params):
        raise ValueError(f"{indicator.code} cannot be computed: {'; '.join(problems)}")
    needed = [indicator]
    if KINDS[indicator.kind].reads_results:
        parts = (indicator.params["numerator"], indicator.params["denominator"])
        needed = [*Indicator.objects.filter(code__in=parts), indicator]
    bind = {
        "chain": chain, "incremental": False, "first_day": min(s.start for s in spans),
        "last_day": max(s.end for s in spans),
    }  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_TEMP_TABLES)
        cursor.executemany(
            "INSERT INTO periods VALUES (%s, %s, %s, %s, %s, false, '')",
            [(chain, s.type, s.label, s.start, s.end) for s in spans],
        )
        cursor.execute(
            "CREATE TEMP TABLE period_day ON COMMIT DROP AS "
            "SELECT chain_id, d::date AS day, period_type, label FROM periods, "
            "generate_series(start_date, end_date, interval '1 day') d"
        )
        cursor.execute("CREATE TEMP VIEW case_fact AS SELECT * FROM chain_casefact")
        for each in needed:
            _compute_indicator(cursor, each, bind)
        cursor.execute(
            "SELECT label, track, value, numerator, denominator, n FROM indicator_result "
            "WHERE indicator_id = %s AND nationality = ''",
            [indicator.code],
        )
        found = {(row[0], row[1]): row[2:] for row in cursor.fetchall()}
        cursor.execute("DROP VIEW case_fact")
    return found


def computable_indicators() -> list[Indicator]:
    """The indicators the engine can compute; each other one is logged and skipped.

    Its kind and params are checked here too, not only in the admin and the loader, because
    a row may have been changed around them, and the checked milestone names go into SQL text.
    """
    computable = []
    for indicator in Indicator.objects.all():
        if problems := indicator_problems(indicator.kind, indicator.params):
            logger.error(
                "indicator %s cannot be computed and is skipped: %s",
                indicator.code, "; ".join(problems),
            )  # fmt: skip
        else:
            computable.append(indicator)
    return computable


def _compute_indicator(cursor, indicator: Indicator, bind: dict[str, object]) -> None:
    slices = [
        name
        for name, wanted in (
            ("track", indicator.per_track),
            ("nationality", indicator.by_nationality),
        )
        if wanted
    ]
    bind = {**bind, "code": indicator.code}
    query = KINDS[indicator.kind].sql(indicator.params, slices, bind)
    cursor.execute(
        "INSERT INTO indicator_result SELECT %(code)s, q.* FROM (" + query + ") q "
        "WHERE q.track <> '-' AND q.nationality <> '-'",
        bind,
    )


def _fill_totals(cursor, indicators: list[Indicator]) -> None:
    cursor.execute(_FILL_TOTALS, {"codes": [i.code for i in indicators]})


def compute_dirty() -> dict[str, date]:
    """Recompute the chains and periods that ingests marked, and the periods that began since
    a chain's last run; returns what was recomputed."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Claiming by DELETE … RETURNING: a mark is consumed by exactly one run, and put
            # back by the rollback if this run fails.
            cursor.execute("DELETE FROM chain_dirtyrange RETURNING chain_id, from_date")
            claimed: dict[str, date] = {}
            for chain, from_date in cursor.fetchall():
                claimed[chain] = min(from_date, claimed.get(chain, from_date))
            # A chain without deliveries still enters new periods, and its stocks and cases over
            # term must be there for them; ``compute`` starts where its stored values end.
            today = clock.today()
            for chain in Chain.objects.exclude(code__in=claimed).values_list("code", flat=True):
                covered = _stored_until(cursor, chain)
                if covered is not None and covered < today:
                    claimed[chain] = today
        for chain, from_date in sorted(claimed.items()):
            started = time.perf_counter()
            written = compute(chain=chain, from_date=from_date)
            logger.info(
                "indicators %s from %s: %s values in %.2fs",
                chain, from_date, written, time.perf_counter() - started,
            )  # fmt: skip
    return claimed


def compute_all() -> int:
    """Recompute every indicator for every chain and period (``compute_indicators --full``)."""
    DirtyRange.objects.all().delete()
    return sum(compute(chain=chain.code) for chain in Chain.objects.all())
