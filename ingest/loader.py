"""Load one extract's canonical rows: COPY into staging, merge, case facts, dirty periods.

Everything happens inside the caller's transaction, so an extract is stored whole or not at
all. Rows are loaded in chunks of ``CHUNK_ROWS``: a thread parses and formats the next chunk
while the database merges this one, so the adapter's Python and PostgreSQL work at the same
time. Each chunk goes through one ``COPY`` into a staging table (events, measurements and
rejections, told apart by ``kind``, because a connection runs one COPY at a time) and a few
set-based statements merge it, never a loop over rows. Events merge chunk by chunk; measurements
and rejections wait in ``stage_kept`` for the end, and case facts are rebuilt once for every
case the extract touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from django.db import IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper

from chain.case_facts import refresh_case_facts
from chain.models import DirtyRange
from ingest.adapters.base import EventRow, MeasurementRow, Rejection, Row
from ingest.pseudonymize import person_key

# The summary lists at most this many conflicts; every rejected row is kept in the database.
MAX_CONFLICTS = 10_000
# Rows per chunk: large enough that the per-chunk statements cost little, small enough that
# memory stays bounded whatever the file's size and the last, unshared chunk is short.
CHUNK_ROWS = 100_000
# The database waits for the first chunk with nothing to overlap it, so that one is short, and
# the next ones double up to ``CHUNK_ROWS``, so that the parsing of each takes about as long as
# the merge of the one before.
FIRST_CHUNK_ROWS = 10_000
# Chunks inserted plainly, each in a savepoint, per extract: past 64 subtransactions every other
# session's visibility checks slow down while the extract loads.
MAX_PLAIN_CHUNKS = 32
# Below this many new events a load cannot make the planner's row counts badly wrong.
REANALYZE_MIN_EVENTS = 5_000

# The identifiers sort byte by byte (COLLATE "C"), like the columns they are merged into.
_STAGE = """
CREATE TEMP TABLE stage_row (
    kind char(1) NOT NULL,
    line integer NOT NULL,
    source_event_id text COLLATE "C", person_key text COLLATE "C",
    event_type text, occurred_at timestamptz,
    track text, nationality text, uam boolean, location text, reason text, destination text,
    measurement_kind text, measurement_date date, measurement_value double precision,
    field text, message text, excerpt text
) ON COMMIT DROP
"""
_KEPT = "CREATE TEMP TABLE stage_kept (LIKE stage_row) ON COMMIT DROP"
# The case of every inserted event, repeats and all: deduplicated once, at the end, into
# ``touched_case``, not chunk by chunk through a unique index.
_INSERTED = "CREATE TEMP TABLE inserted_case (case_id bigint NOT NULL) ON COMMIT DROP"
_TEMP_TABLES = {"stage_row": _STAGE, "stage_kept": _KEPT, "inserted_case": _INSERTED}
_TOUCHED = (
    "CREATE TEMP TABLE touched_case ON COMMIT DROP AS SELECT DISTINCT case_id FROM inserted_case"
)

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

# Within one extract the first occurrence of an identity wins (a chunk stages only its first
# one); across extracts the stored one. {guard} is empty for a plain insert, whose unique index
# rejects a stored identity, or ``_SKIP_STORED``, which skips it at a cost per row.
_MERGE_EVENTS = """
WITH inserted AS (
    INSERT INTO chain_statusevent (
        organisation_id, source_event_id, case_id, chain_id, event_type, occurred_at,
        local_date, track, nationality, uam, location, reason, destination, extract_id)
    SELECT %(organisation)s, s.source_event_id, c.id, %(chain)s, s.event_type, s.occurred_at,
        (s.occurred_at AT TIME ZONE %(timezone)s)::date, s.track, s.nationality, s.uam,
        s.location, s.reason, s.destination, %(extract)s
    FROM stage_row s
    JOIN chain_case c ON c.chain_id = %(chain)s AND c.person_key = s.person_key
    WHERE s.kind = 'e'
    {guard}
    RETURNING case_id, local_date
), touched AS (
    INSERT INTO inserted_case (case_id) SELECT case_id FROM inserted
)
SELECT count(*), min(local_date), max(local_date) FROM inserted
"""
_SKIP_STORED = "ON CONFLICT (organisation_id, source_event_id) DO NOTHING"

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
        FROM stage_kept WHERE kind = 'm'
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
FROM stage_kept WHERE kind = 'r' ORDER BY line
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
    staged_events = events = analyzed = plain_chunks = 0
    plain = True
    first_event: date | None = None
    last_event: date | None = None
    params: dict[str, str | int] = {
        "organisation": organisation, "chain": chain, "timezone": timezone, "extract": extract_id,
    }  # fmt: skip
    with connection.cursor() as cursor:
        # The case facts sort the touched cases' events; in memory that is several times faster.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        for table, create in _TEMP_TABLES.items():
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(create)
        for chunk in _chunks(rows, chain):
            with cursor.cursor.copy(_COPY) as copy:
                copy.write(chunk.text)
            staged_events += chunk.events
            result.received += chunk.events + chunk.measurements + chunk.rejected
            result.rejected += chunk.rejected
            result.conflicts.extend(chunk.conflicts[: MAX_CONFLICTS - len(result.conflicts)])
            if chunk.events:
                # A chunk's statistics hold for the next ones of its size (TRUNCATE keeps them).
                if chunk.events > 2 * analyzed:
                    cursor.execute("ANALYZE stage_row (kind, source_event_id, person_key)")
                    analyzed = chunk.events
                cursor.execute(_MERGE_CASES, params)
                plain = plain and plain_chunks < MAX_PLAIN_CHUNKS
                plain_chunks += plain
                plain, (inserted, first, last) = _merge_events(cursor, params, plain=plain)
                events += inserted
                first_event, last_event = _earliest(first_event, first), _latest(last_event, last)
            if chunk.measurements or chunk.rejected:
                cursor.execute("INSERT INTO stage_kept SELECT * FROM stage_row WHERE kind <> 'e'")
            cursor.execute("TRUNCATE stage_row")
        cursor.execute(_MERGE_MEASUREMENTS, params)
        measured, first_measured, last_measured = cursor.fetchone()
        cursor.execute(_KEEP_REJECTIONS, params)
        _refresh_statistics(cursor, inserted=events)
        cursor.execute("DROP TABLE IF EXISTS touched_case")
        cursor.execute(_TOUCHED)
        cursor.execute("ANALYZE touched_case")
        facts_changed_from = refresh_case_facts(cursor, touched="touched_case")
    result.accepted = events + measured
    result.duplicates = staged_events - events
    result.earliest = _earliest(first_event, first_measured)
    result.latest = _latest(last_event, last_measured)
    dirty = _earliest(result.earliest, facts_changed_from)
    if dirty is not None:
        DirtyRange.objects.create(chain_id=chain, from_date=dirty)
    return result


def _merge_events(
    cursor: CursorWrapper, params: dict[str, str | int], *, plain: bool
) -> tuple[bool, tuple[int, date | None, date | None]]:
    """Insert the staged events; whether the next chunk may be tried plainly, and the counts.

    A new extract's events are new, and a plain insert of them costs a fifth less than one that
    looks for each identity first. A chunk that repeats a stored event (a re-delivery, or
    another load that just stored it) is rolled back to its savepoint and skips stored events,
    and so does the rest of the extract.
    """
    if plain:
        try:
            with transaction.atomic():
                cursor.execute(_MERGE_EVENTS.format(guard=""), params)
                return True, cursor.fetchone()
        except IntegrityError:
            pass
    cursor.execute(_MERGE_EVENTS.format(guard=_SKIP_STORED), params)
    return False, cursor.fetchone()


def _refresh_statistics(cursor: CursorWrapper, *, inserted: int) -> None:
    """ANALYZE events and cases when this load grew the events by more than half.

    The planner counts rows as of the last ANALYZE. After a first load or a backfill it would
    plan the case facts as for a near-empty table, with nested loops rescanned for every case:
    minutes instead of seconds. ANALYZE sees this transaction's own rows. It holds its lock to
    the commit, so two such loads at once wait for each other there; smaller loads leave the
    counts to autovacuum.
    """
    if inserted < REANALYZE_MIN_EVENTS:
        return
    cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'chain_statusevent'::regclass")
    if inserted * 2 > cursor.fetchone()[0]:
        cursor.execute("ANALYZE chain_statusevent, chain_case")


def _earliest(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else max(a, b)


@dataclass
class _Chunk:
    """Up to ``CHUNK_ROWS`` rows as COPY text, with what the summary needs of them."""

    text: str = ""
    events: int = 0
    measurements: int = 0
    rejected: int = 0
    conflicts: list[dict[str, object]] = field(default_factory=list)


def _chunks(rows: Iterable[Row], chain: str) -> Iterator[_Chunk]:
    """The rows chunk by chunk; the next chunk is parsed in a thread while the caller loads one.

    The caller's database work waits on the server without holding the GIL, so the adapter's
    Python runs meanwhile. An exception of the row source comes out of the chunk it ends.
    """
    source = iter(rows)
    size = min(FIRST_CHUNK_ROWS, CHUNK_ROWS)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-parse") as pool:
        pending = pool.submit(_format_chunk, source, chain, size)
        while (chunk := pending.result()).text:
            size = min(size * 2, CHUNK_ROWS)
            pending = pool.submit(_format_chunk, source, chain, size)
            yield chunk


def _format_chunk(rows: Iterator[Row], chain: str, size: int) -> _Chunk:
    chunk = _Chunk()
    lines = []
    # The first occurrence of an identity in the chunk is staged, so the merge needs no sort to
    # find it; earlier chunks are merged first, so across chunks too the first one wins.
    identities: set[str] = set()
    for row in islice(rows, size):
        if isinstance(row, EventRow):
            chunk.events += 1
            if row.source_event_id not in identities:
                identities.add(row.source_event_id)
                lines.append(_event_line(row, chain))
        elif isinstance(row, MeasurementRow):
            chunk.measurements += 1
            lines.append(_measurement_line(row))
        else:
            chunk.rejected += 1
            lines.append(_rejection_line(row))
            if len(chunk.conflicts) < MAX_CONFLICTS:
                chunk.conflicts.append(
                    {"index": row.line, "field": row.field, "message": row.reason}
                )
    chunk.text = "".join(lines)
    return chunk


# COPY text format: backslash, tab and line breaks are escaped; \N is NULL.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NONE_TAIL_EVENT = "\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n"


def _text(value: str | None) -> str:
    if value is None:
        return "\\N"
    # Most values need no escaping; these membership tests cost a fraction of ``translate``.
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def _event_line(row: EventRow, chain: str) -> str:
    uam = "\\N" if row.uam is None else ("t" if row.uam else "f")
    return (
        f"e\t{row.line}\t{_text(row.source_event_id)}\t{person_key(chain, row.person_ref)}\t"
        f"{row.event_type}\t{row.occurred_at.isoformat()}\t{_text(row.track)}\t"
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
