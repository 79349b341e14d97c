"""A large generated chain for the indicator benchmark, and the next day's IND extract for it.

About 1 million cases (4 in 5 Dutch) with 10 events each over the three years up to today:
registration, application, hearing, decision, reception entry, transfer and leave, and for
rejected cases a return process and departure; events that would lie in the future are left
out, so recent cases are still open. Going through the partner files would measure the ingest;
this measures the indicator engine, so the rows are generated where they live, in SQL. Only
the person keys are made in Python: they are the real pseudonyms of known V- and SP-numbers,
so that the next day's extract (``write_next_extract``) can carry on with existing cases.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from chain import clock
from chain.case_facts import rebuild_all_case_facts
from chain.models import Extract
from ingest.pseudonymize import person_key

DAYS = 3 * 365
# Case i is Belgian when i is a multiple of 5; its raw number follows from i.
BELGIAN_EVERY = 5
# IND's codes for the events of the next day's extract (docs/reference/formats.md).
DECISION_CODES = ("INWILLIGING", "AFWIJZING", "BUITEN_BEHANDELING")
IND_HEADER = "vnummer;zaaknummer;spoor;nationaliteit;gebeurtenis;datum;tijd;locatie;amv\n"
_RESET = (
    "TRUNCATE chain_indicatorvalue, chain_casefact, chain_statusevent, chain_case, "
    "chain_measurement, chain_dirtyrange, ingest_rejectedrow, ingest_extract CASCADE"
)
# Below this many cases every case is a candidate for the next events: a sample would be short.
_SAMPLE_AT_LEAST = 10_000


def is_bench_database() -> bool:
    """Whether this database may be emptied: one of the benchmarks' own (``psi_bench_…``), or
    the test database of a test run, thrown away when the run ends."""
    name = connection.settings_dict["NAME"]
    return "bench" in name or name.startswith("test_")


def raw_number(i: int) -> tuple[str, str]:
    """The chain and raw person number of generated case ``i``."""
    if i % BELGIAN_EVERY == 0:
        return "BE", f"{10_000_000 + i}"  # an SP-nummer of 8 digits
    return "NL", f"{5_000_000_000 + i}"  # a V-nummer of 10 digits


# One row per case with its random dates; the events are spelled out from it below.
_EVENTS = """
WITH c AS (
    SELECT c.id, c.chain_id,
        %(first)s::date + (random() * %(days)s)::int AS lodged,
        (random() * 400)::int + 30 AS lead,
        random() AS r1, random() AS r2,
        CASE WHEN c.chain_id = 'NL' THEN (ARRAY['1','2','3','4','4','4'])[1 + (random() * 5)::int]
             ELSE (ARRAY['P','P','P','U'])[1 + (random() * 3)::int] END AS track,
        (ARRAY['SYR', 'AFG', 'TUR', 'ERI', 'YEM', 'IRQ', 'MAR', 'DZA', 'SOM', 'PSE'])
            [1 + (random() * 9)::int] AS nationality
    FROM chain_case c
), e AS (
    SELECT c.*, x.n, x.event_type, x.day, x.org, x.reason FROM c
    CROSS JOIN LATERAL (VALUES
        (1, 'REGISTERED', c.lodged - 3, 'IND', NULL),
        (2, 'APPLICATION_LODGED', c.lodged, 'IND', NULL),
        (3, 'RECEPTION_ENTERED', c.lodged - 2, 'COA', NULL),
        (4, 'HEARING_SCHEDULED', c.lodged + c.lead / 3, 'IND', NULL),
        (5, CASE WHEN c.r1 < 0.06 THEN 'HEARING_NO_SHOW' ELSE 'HEARING_HELD' END,
            c.lodged + c.lead / 2, 'IND', NULL),
        (6, CASE WHEN c.r2 < 0.55 THEN 'DECISION_GRANTED' WHEN c.r2 < 0.95
            THEN 'DECISION_REJECTED' ELSE 'DECISION_DISCONTINUED' END, c.lodged + c.lead, 'IND',
            NULL),
        (7, 'RECEPTION_TRANSFERRED', c.lodged + 20, 'COA', NULL),
        (8, 'RECEPTION_LEFT', c.lodged + c.lead + (random() * 200)::int, 'COA',
            CASE WHEN c.r2 < 0.55 THEN 'HOUSING' ELSE 'DEPARTURE' END),
        (9, CASE WHEN c.r2 < 0.55 THEN 'APPEAL_LODGED' ELSE 'RETURN_CASE_OPENED' END,
            c.lodged + c.lead + 10, CASE WHEN c.r2 < 0.55 THEN 'IND' ELSE 'DTV' END, NULL),
        (10, CASE WHEN c.r2 < 0.55 THEN 'APPEAL_DECIDED' WHEN c.r1 < 0.3 THEN 'DEPARTED_VOLUNTARY'
             WHEN c.r1 < 0.5 THEN 'DEPARTED_FORCED' ELSE 'DEPARTED_UNVERIFIED' END,
            c.lodged + c.lead + 10 + (random() * 150)::int,
            CASE WHEN c.r2 < 0.55 THEN 'IND' ELSE 'DTV' END, NULL)
    ) x(n, event_type, day, org, reason)
)
INSERT INTO chain_statusevent (
    organisation_id, source_event_id, case_id, chain_id, event_type, occurred_at, local_date,
    track, nationality, uam, location, reason, destination, extract_id)
SELECT
    CASE WHEN e.chain_id = 'NL' THEN e.org
         WHEN e.org IN ('IND', 'DTV') THEN 'DVZ' ELSE 'FEDASIL' END,
    'bench-' || e.id || '-' || e.n, e.id, e.chain_id, e.event_type,
    (e.day + time '10:00') AT TIME ZONE 'Europe/Amsterdam', e.day,
    CASE WHEN e.org = 'IND' THEN e.track END, CASE WHEN e.org = 'IND' THEN e.nationality END,
    false, CASE WHEN e.org = 'COA' THEN 'location ' || (e.id %% 40) END,
    e.reason, NULL, %(extract)s
FROM e
WHERE e.day <= %(today)s
"""

_CAPACITY = """
INSERT INTO chain_measurement (organisation_id, chain_id, kind, location, date, value, extract_id)
SELECT CASE WHEN ch = 'NL' THEN 'COA' ELSE 'FEDASIL' END, ch, 'RECEPTION_CAPACITY',
    'location ' || l, d::date, 1500 + (random() * 500)::int, %(extract)s
FROM unnest(ARRAY['NL', 'BE']) ch, generate_series(0, 39) l,
    generate_series(%(first)s::date, %(today)s::date, interval '1 month') d
"""


def fresh_chain(*, cases: int, today: date) -> int:
    """Empty the chain tables and fill them with ``cases`` generated cases up to ``today``, as
    one accepted IND extract; returns the number of events."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_RESET)
        extract = Extract.objects.create(
            organisation_id="IND", channel=Extract.Channel.FILE, name="bench", sha256="",
            status=Extract.Status.ACCEPTED, finished_at=clock.now(),
        )  # fmt: skip
        events = generate(cases=cases, extract_id=extract.pk, today=today)
    with connection.cursor() as cursor:
        # What autovacuum does soon after a large load, and a long-lived database has had.
        cursor.execute("VACUUM ANALYZE chain_statusevent, chain_casefact")
    return events


def generate(*, cases: int, extract_id: int, today: date) -> int:
    """Fill the chain tables with ``cases`` cases up to ``today``; returns the number of events."""
    first = today - timedelta(days=DAYS)
    bind: dict[str, Any] = {"first": first, "today": today, "days": DAYS, "extract": extract_id}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '512MB'")
        with cursor.cursor.copy("COPY chain_case (chain_id, person_key) FROM STDIN") as copy:
            for i in range(1, cases + 1):
                chain, raw = raw_number(i)
                copy.write(f"{chain}\t{person_key(chain, raw)}\n")
        cursor.execute(_EVENTS, bind)
        events = cursor.rowcount
        cursor.execute(_CAPACITY, bind)
        cursor.execute("ANALYZE chain_case")
        cursor.execute("ANALYZE chain_statusevent")
        rebuild_all_case_facts(cursor)
        cursor.execute("ANALYZE chain_casefact")
    return events


def write_next_extract(path: Path, *, cases: int, events: int, today: date, seed: int) -> None:
    """IND's extract of ``today``: ``events`` rows dated in its last three days.

    Half are hearings and decisions of open Dutch cases of the generated chain, carrying the
    track and nationality the case has (as IND's rows do); the other half registrations and
    applications of new people.
    """
    rng = random.Random(seed)
    rows = []
    for number, track, nationality in open_dutch_cases(cases=cases, wanted=events // 4, rng=rng):
        hearing, decision = today - timedelta(days=rng.randint(1, 2)), today
        rows.append((number, track, nationality, "GEHOOR", hearing))
        rows.append((number, track, nationality, rng.choice(DECISION_CODES), decision))
    newcomer = 6_000_000_000 + seed % 1000 * 100_000
    while len(rows) < events:
        newcomer += 1
        track, nationality = rng.choice("1234"), rng.choice(("SYR", "AFG", "TUR", "ERI"))
        registered = today - timedelta(days=rng.randint(1, 2))
        rows.append((str(newcomer), track, nationality, "AANMELDING", registered))
        rows.append((str(newcomer), track, nationality, "AANVRAAG", registered + timedelta(1)))
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(IND_HEADER)
        for number, track, nationality, code, day in rows[:events]:
            out.write(f"{number};Z{number};{track};{nationality};{code};{day:%d-%m-%Y};;;N\n")


def open_dutch_cases(*, cases: int, wanted: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """Up to ``wanted`` lodged, undecided Dutch cases of the generated chain, in a random
    sample: (V-nummer, track, nationality)."""
    candidates = {}
    for i in rng.sample(range(1, cases + 1), min(cases, max(wanted * 8, _SAMPLE_AT_LEAST))):
        chain, raw = raw_number(i)
        if chain == "NL":
            candidates[person_key(chain, raw)] = raw
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.person_key, f.track, f.nationality FROM chain_case c "
            "JOIN chain_casefact f ON f.case_id = c.id "
            "WHERE c.chain_id = 'NL' AND c.person_key = ANY(%s) AND f.decided IS NULL "
            "AND f.lodged IS NOT NULL AND f.track IS NOT NULL AND f.nationality IS NOT NULL "
            "ORDER BY c.id LIMIT %s",
            [list(candidates), wanted],
        )
        return [(candidates[key], track, nat) for key, track, nat in cursor.fetchall()]
