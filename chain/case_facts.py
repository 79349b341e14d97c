"""Case facts: one row per case with its milestone dates, rebuilt set-wise from its events.

The definitions are those of ``docs/reference/indicators.md``: first milestones only, the
decision is the first ``DECISION_*`` on or after the lodged date, track, nationality and uam are
the values of the latest event (by ``occurred_at``) that carries one, and the deadline follows
the chain's legal term rules with calendar-month arithmetic (PostgreSQL clamps 31 January + 1
month to the end of February, as the reference asks). The days a person was in reception are
kept as date ranges, so that stocks of people in reception need no walk over their events.
"""

from __future__ import annotations

from datetime import date

from django.db.backends.utils import CursorWrapper

DECISIONS = ["DECISION_GRANTED", "DECISION_REJECTED", "DECISION_DISCONTINUED"]
RECEPTION_EVENTS = ["RECEPTION_ENTERED", "RECEPTION_TRANSFERRED", "RECEPTION_LEFT"]

_BIND = {"decisions": DECISIONS, "reception_events": RECEPTION_EVENTS}

# {scope} selects the cases to rebuild: a subquery of case ids, or TRUE for all of them. Every
# read of the events repeats it, so that none depends on the planner's guess of a join's size.
_REBUILD = """
WITH base AS (
    SELECT e.case_id, e.chain_id,
        (array_agg(e.track ORDER BY e.occurred_at DESC, e.id DESC)
            FILTER (WHERE e.track IS NOT NULL))[1] AS track,
        (array_agg(e.nationality ORDER BY e.occurred_at DESC, e.id DESC)
            FILTER (WHERE e.nationality IS NOT NULL))[1] AS nationality,
        (array_agg(e.uam ORDER BY e.occurred_at DESC, e.id DESC)
            FILTER (WHERE e.uam IS NOT NULL))[1] AS uam,
        min(e.local_date) FILTER (WHERE e.event_type = 'REGISTERED') AS registered,
        min(e.local_date) FILTER (WHERE e.event_type = 'APPLICATION_LODGED') AS lodged,
        min(e.local_date) FILTER (WHERE e.event_type = 'RETURN_CASE_OPENED') AS return_opened,
        min(e.local_date) FILTER (WHERE e.event_type LIKE 'DEPARTED\\_%%') AS departed,
        min(e.local_date) FILTER (WHERE e.event_type = 'RETURN_CASE_CLOSED') AS return_closed,
        min(e.local_date) AS first_event,
        max(e.local_date) AS last_event
    FROM chain_statusevent e
    WHERE {scope}
    GROUP BY e.case_id, e.chain_id
),
-- Each entering or transfer event starts a stay up to the person's next reception event (by
-- occurred_at); two on one local date leave an empty stay, so the later one governs that day.
stay AS (
    SELECT e.case_id, e.event_type,
        daterange(e.local_date, lead(e.local_date) OVER (
            PARTITION BY e.case_id ORDER BY e.occurred_at, e.id)) AS days
    FROM chain_statusevent e
    WHERE {scope} AND e.event_type = ANY(%(reception_events)s)
),
reception AS (
    SELECT case_id, range_agg(days) FILTER (WHERE event_type <> 'RECEPTION_LEFT') AS days
    FROM stay GROUP BY case_id
),
decision AS (
    SELECT DISTINCT ON (e.case_id) e.case_id, e.local_date AS decided, e.event_type AS outcome
    FROM chain_statusevent e JOIN base b ON b.case_id = e.case_id
    WHERE {scope} AND e.event_type = ANY(%(decisions)s) AND e.local_date >= b.lodged
    ORDER BY e.case_id, e.occurred_at, e.id
),
term AS (
    SELECT b.case_id, r.months, r.extended_months,
        (b.lodged + r.months * interval '1 month')::date AS rule_deadline
    FROM base b
    JOIN LATERAL (
        SELECT months, extended_months FROM chain_legaltermrule r
        WHERE r.chain_id = b.chain_id
          AND (r.lodged_from IS NULL OR r.lodged_from <= b.lodged)
          AND (r.lodged_to IS NULL OR b.lodged <= r.lodged_to)
        ORDER BY r.lodged_from DESC NULLS LAST LIMIT 1
    ) r ON true
    WHERE b.lodged IS NOT NULL
),
extended AS (
    SELECT DISTINCT e.case_id
    FROM chain_statusevent e JOIN term t ON t.case_id = e.case_id
    WHERE {scope} AND e.event_type = 'TERM_EXTENDED' AND e.local_date <= t.rule_deadline
)
INSERT INTO chain_casefact AS f (
    case_id, chain_id, track, nationality, uam, registered, lodged, decided, outcome,
    deadline, term_extended, return_opened, departed, return_closed, reception,
    first_event, last_event)
SELECT b.case_id, b.chain_id, b.track, b.nationality, b.uam, b.registered, b.lodged,
    d.decided, d.outcome,
    CASE WHEN x.case_id IS NOT NULL
        THEN (b.lodged + greatest(t.months, t.extended_months) * interval '1 month')::date
        ELSE t.rule_deadline END,
    x.case_id IS NOT NULL, b.return_opened, b.departed, b.return_closed,
    ARRAY(SELECT unnest(s.days)), b.first_event, b.last_event
FROM base b
LEFT JOIN decision d ON d.case_id = b.case_id
LEFT JOIN term t ON t.case_id = b.case_id
LEFT JOIN extended x ON x.case_id = b.case_id
LEFT JOIN reception s ON s.case_id = b.case_id
ORDER BY b.case_id
ON CONFLICT (case_id) DO UPDATE SET
    track = excluded.track, nationality = excluded.nationality, uam = excluded.uam,
    registered = excluded.registered, lodged = excluded.lodged, decided = excluded.decided,
    outcome = excluded.outcome, deadline = excluded.deadline,
    term_extended = excluded.term_extended, return_opened = excluded.return_opened,
    departed = excluded.departed, return_closed = excluded.return_closed,
    reception = excluded.reception, first_event = excluded.first_event,
    last_event = excluded.last_event
"""

# The earliest date from which a period's value can differ because a case's facts changed:
# a changed milestone moves values from the earlier of its old and new date; a case that
# moved to another track or nationality moves between slices over its whole history.
_EARLIEST_CHANGE = """
SELECT min(least(
    CASE WHEN o.case_id IS NULL THEN n.first_event END,
    CASE WHEN o.track IS DISTINCT FROM n.track OR o.nationality IS DISTINCT FROM n.nationality
        THEN least(o.first_event, n.first_event) END,
    CASE WHEN o.lodged IS DISTINCT FROM n.lodged THEN least(o.lodged, n.lodged) END,
    CASE WHEN o.decided IS DISTINCT FROM n.decided OR o.outcome IS DISTINCT FROM n.outcome
        THEN least(o.decided, n.decided) END,
    CASE WHEN o.deadline IS DISTINCT FROM n.deadline
        THEN least(o.deadline, n.deadline, n.decided) END,
    CASE WHEN o.return_opened IS DISTINCT FROM n.return_opened
        THEN least(o.return_opened, n.return_opened) END,
    CASE WHEN o.departed IS DISTINCT FROM n.departed THEN least(o.departed, n.departed) END,
    CASE WHEN o.return_closed IS DISTINCT FROM n.return_closed
        THEN least(o.return_closed, n.return_closed) END
))
FROM {touched} t
JOIN chain_casefact n ON n.case_id = t.case_id
LEFT JOIN old_case_facts o ON o.case_id = t.case_id
"""


def refresh_case_facts(cursor: CursorWrapper, *, touched: str) -> date | None:
    """Rebuild the facts of the cases listed in the temp table ``touched`` (column ``case_id``).

    Returns the earliest date from which indicator values may have changed because facts
    changed, or None when no fact changed. ``touched`` is a trusted table name, never input.
    """
    cursor.execute("DROP TABLE IF EXISTS old_case_facts")
    cursor.execute(
        "CREATE TEMP TABLE old_case_facts ON COMMIT DROP AS "
        f"SELECT f.* FROM chain_casefact f JOIN {touched} t ON t.case_id = f.case_id"
    )
    scope = f"e.case_id IN (SELECT case_id FROM {touched})"
    cursor.execute(_REBUILD.format(scope=scope), _BIND)
    cursor.execute(_EARLIEST_CHANGE.format(touched=touched))
    earliest: date | None = cursor.fetchone()[0]
    cursor.execute("DROP TABLE old_case_facts")
    return earliest


def rebuild_all_case_facts(cursor: CursorWrapper) -> None:
    """Rebuild every case's facts (after a change of the legal term rules, or for a check)."""
    cursor.execute(_REBUILD.format(scope="TRUE"), _BIND)
