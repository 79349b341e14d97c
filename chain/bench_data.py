"""A large generated chain for the indicator benchmark, written straight into the tables in SQL.

About 1 million cases (4 in 5 Dutch) with 10 events each over three years: registration,
application, hearing, decision, reception entry, transfer and leave, and for rejected cases a
return process and departure. Going through the partner files would measure the ingest; this
measures the indicator engine, so the rows are generated where they live.
"""

from __future__ import annotations

from django.db import connection

from chain.case_facts import rebuild_all_case_facts

_CASES = """
INSERT INTO chain_case (chain_id, person_key)
SELECT CASE WHEN i %% 5 = 0 THEN 'BE' ELSE 'NL' END, md5('bench' || i) || md5('case' || i)
FROM generate_series(1, %(cases)s) i
"""

# One row per case with its random dates; the events are spelled out from it below.
_EVENTS = """
WITH c AS (
    SELECT c.id, c.chain_id,
        date '2022-01-01' + (random() * 1095)::int AS lodged,
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
WHERE e.day <= date '2024-12-31'
"""

_CAPACITY = """
INSERT INTO chain_measurement (organisation_id, chain_id, kind, location, date, value, extract_id)
SELECT CASE WHEN ch = 'NL' THEN 'COA' ELSE 'FEDASIL' END, ch, 'RECEPTION_CAPACITY',
    'location ' || l, d::date, 1500 + (random() * 500)::int, %(extract)s
FROM unnest(ARRAY['NL', 'BE']) ch, generate_series(0, 39) l,
    generate_series(date '2022-01-01', date '2024-12-01', interval '1 month') d
"""


def generate(*, cases: int, extract_id: int) -> int:
    """Fill the chain tables with ``cases`` generated cases; returns the number of events."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '512MB'")
        cursor.execute(_CASES, {"cases": cases})
        cursor.execute(_EVENTS, {"extract": extract_id})
        events = cursor.rowcount
        cursor.execute(_CAPACITY, {"extract": extract_id})
        cursor.execute("ANALYZE chain_case")
        cursor.execute("ANALYZE chain_statusevent")
        rebuild_all_case_facts(cursor)
        cursor.execute("ANALYZE chain_casefact")
    return events
