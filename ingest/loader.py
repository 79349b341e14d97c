"""Load one extract's canonical rows: COPY into staging, merge, case facts, dirty periods.

Everything happens inside the caller's transaction, so an extract is stored whole or not at
all. Rows stream from the adapter into a single ``COPY`` (one staging table holds events,
measurements and rejections, told apart by ``kind``, because a connection can run one COPY at a
time); the merge is a handful of set-based statements, never a loop over rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from django.db import connection

from chain.case_facts import refresh_case_facts
from chain.models import DirtyRange
from ingest.adapters.base import EventRow, MeasurementRow, Rejection, Row
from ingest.pseudonymize import person_key

# The summary lists at most this many conflicts; every rejected row is kept in the database.
MAX_CONFLICTS = 10_000
# Rows are sent to COPY in batches of this many lines: few calls, bounded memory.
COPY_BATCH = 5_000

_STAGE = """
CREATE TEMP TABLE stage_row (
    kind char(1) NOT NULL,
    line integer NOT NULL,
    source_event_id text, person_key text, event_type text, occurred_at timestamptz,
    track text, nationality text, uam boolean, location text, reason text, destination text,
    measurement_kind text, measurement_date date, measurement_value double precision,
    field text, message text, excerpt text
) ON COMMIT DROP
"""

_COPY = (
    "COPY stage_row (kind, line, source_event_id, person_key, event_type, occurred_at, track,"
    " nationality, uam, location, reason, destination, measurement_kind, measurement_date,"
    " measurement_value, field, message, excerpt) FROM STDIN"
)

_MERGE_CASES = """
INSERT INTO chain_case (chain_id, person_key)
SELECT DISTINCT %(chain)s, person_key FROM stage_row WHERE kind = 'e'
ORDER BY 2
ON CONFLICT (chain_id, person_key) DO NOTHING
"""

# Within one extract the first occurrence of an identity wins; across extracts the stored one.
_MERGE_EVENTS = """
WITH inserted AS (
    INSERT INTO chain_statusevent (
        organisation_id, source_event_id, case_id, chain_id, event_type, occurred_at,
        local_date, track, nationality, uam, location, reason, destination, extract_id)
    SELECT %(organisation)s, s.source_event_id, c.id, %(chain)s, s.event_type, s.occurred_at,
        (s.occurred_at AT TIME ZONE %(timezone)s)::date, s.track, s.nationality, s.uam,
        s.location, s.reason, s.destination, %(extract)s
    FROM (
        SELECT DISTINCT ON (source_event_id) * FROM stage_row WHERE kind = 'e'
        ORDER BY source_event_id, line
    ) s
    JOIN chain_case c ON c.chain_id = %(chain)s AND c.person_key = s.person_key
    ON CONFLICT (organisation_id, source_event_id) DO NOTHING
    RETURNING case_id, local_date
), touched AS (
    INSERT INTO touched_case (case_id)
    SELECT DISTINCT case_id FROM inserted
)
SELECT count(*), min(local_date), max(local_date) FROM inserted
"""

# A new delivery of the same (organisation, kind, location, date) replaces the value;
# within one extract the last line wins.
_MERGE_MEASUREMENTS = """
WITH upserted AS (
    INSERT INTO chain_measurement AS m (
        organisation_id, chain_id, kind, location, date, value, extract_id)
    SELECT %(organisation)s, %(chain)s, s.measurement_kind, s.location, s.measurement_date,
        s.measurement_value, %(extract)s
    FROM (
        SELECT DISTINCT ON (measurement_kind, location, measurement_date) *
        FROM stage_row WHERE kind = 'm'
        ORDER BY measurement_kind, location, measurement_date, line DESC
    ) s
    ON CONFLICT ON CONSTRAINT measurement_identity DO UPDATE
        SET value = excluded.value, extract_id = excluded.extract_id
    RETURNING m.date
)
SELECT count(*), min(date), max(date) FROM upserted
"""

_KEEP_REJECTIONS = """
INSERT INTO ingest_rejectedrow (extract_id, line, field, reason, excerpt)
SELECT %(extract)s, line, coalesce(field, ''), message, coalesce(excerpt, '')
FROM stage_row WHERE kind = 'r' ORDER BY line
"""


@dataclass
class LoadResult:
    """What one load stored: counts, the rows' date span, and the rejections' conflicts."""

    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    earliest: date | None = None
    latest: date | None = None
    conflicts: list[dict[str, object]] = field(default_factory=list)


def load_rows(
    *, extract_id: int, organisation: str, chain: str, timezone: str, rows: Iterable[Row]
) -> LoadResult:
    """Stage ``rows`` with COPY and merge them; must run inside a transaction.

    Raises whatever the row source raises (``ExtractRejected`` for an unreadable file); the
    caller's transaction then rolls back and nothing of the extract remains.
    """
    result = LoadResult()
    staged = {"e": 0, "m": 0}
    with connection.cursor() as cursor:
        # The merge sorts the whole extract by identity; in memory that is several times faster.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("DROP TABLE IF EXISTS stage_row")
        cursor.execute(_STAGE)
        cursor.execute("DROP TABLE IF EXISTS touched_case")
        cursor.execute("CREATE TEMP TABLE touched_case (case_id bigint) ON COMMIT DROP")
        with cursor.cursor.copy(_COPY) as copy:
            batch: list[str] = []
            for row in rows:
                if len(batch) >= COPY_BATCH:
                    copy.write("".join(batch))
                    batch.clear()
                if isinstance(row, EventRow):
                    staged["e"] += 1
                    batch.append(_event_line(row, chain))
                elif isinstance(row, MeasurementRow):
                    staged["m"] += 1
                    batch.append(_measurement_line(row))
                else:
                    result.rejected += 1
                    batch.append(_rejection_line(row))
                    if len(result.conflicts) < MAX_CONFLICTS:
                        result.conflicts.append(
                            {"index": row.line, "field": row.field, "message": row.reason}
                        )
            copy.write("".join(batch))
        result.received = staged["e"] + staged["m"] + result.rejected
        params = {"organisation": organisation, "chain": chain, "timezone": timezone}
        params["extract"] = extract_id  # type: ignore[assignment]
        cursor.execute("ANALYZE stage_row")
        cursor.execute(_MERGE_CASES, params)
        cursor.execute(_MERGE_EVENTS, params)
        events, first_event, last_event = cursor.fetchone()
        cursor.execute(_MERGE_MEASUREMENTS, params)
        measurements, first_measured, last_measured = cursor.fetchone()
        cursor.execute(_KEEP_REJECTIONS, params)
        facts_changed_from = refresh_case_facts(cursor, touched="touched_case")
    result.accepted = events + measurements
    result.duplicates = staged["e"] - events
    dates = [d for d in (first_event, first_measured) if d is not None]
    result.earliest = min(dates) if dates else None
    latest = [d for d in (last_event, last_measured) if d is not None]
    result.latest = max(latest) if latest else None
    dirty = [d for d in (result.earliest, facts_changed_from) if d is not None]
    if dirty:
        DirtyRange.objects.create(chain_id=chain, from_date=min(dirty))
    return result


# COPY text format: backslash, tab and line breaks are escaped; \N is NULL.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NONE_TAIL_EVENT = "\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n"


def _text(value: str | None) -> str:
    return "\\N" if value is None else value.translate(_ESCAPES)


@lru_cache(maxsize=65_536)
def _timestamp(value: datetime) -> str:
    return value.isoformat()


def _event_line(row: EventRow, chain: str) -> str:
    uam = "\\N" if row.uam is None else ("t" if row.uam else "f")
    return (
        f"e\t{row.line}\t{_text(row.source_event_id)}\t{person_key(chain, row.person_ref)}\t"
        f"{row.event_type}\t{_timestamp(row.occurred_at)}\t{_text(row.track)}\t"
        f"{_text(row.nationality)}\t{uam}\t{_text(row.location)}\t{_text(row.reason)}\t"
        f"{_text(row.destination)}{_NONE_TAIL_EVENT}"
    )


def _measurement_line(row: MeasurementRow) -> str:
    return (
        f"m\t{row.line}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t{_text(row.location)}\t\\N\t\\N\t"
        f"{_text(row.kind)}\t{row.date.isoformat()}\t{row.value!r}\t\\N\t\\N\t\\N\n"
    )


def _rejection_line(row: Rejection) -> str:
    return (
        f"r\t{row.line}"
        + "\t\\N" * 13
        + f"\t{_text(row.field)}\t{_text(row.reason[:500])}\t{_text(row.excerpt[:500])}\n"
    )
