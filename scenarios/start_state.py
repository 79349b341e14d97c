"""The state of a chain at a scenario's origin, read set-wise from its case facts.

Open cases come grouped into cohorts of cases alike in lodged date, deadline, track and
nationality, which the model cannot tell apart (docs/reference/scenarios.md, "Start state").
The definitions of open, over term, in reception and open return case are those of the
indicators (docs/reference/indicators.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from django.core.cache import cache
from django.db import connection

from chain.indicators.engine import DATA_VERSION_KEY
from chain.models import LegalTermRule
from scenarios import months
from scenarios.inputs import TermRule

# A start state lives as long as its data version; this only bounds an old one.
CACHE_TTL = 24 * 3600
# A deadline that never comes: cases without a term rule are never over term.
NEVER = date(2999, 12, 31)
# Under a scenario term rule, a recorded TERM_EXTENDED gives at least this many months.
EXTENDED_MONTHS = 15


@dataclass(frozen=True)
class LegalTerm:
    """One of the chain's legal term rules: months for cases lodged from ... to ... ."""

    lodged_from: date | None
    lodged_to: date | None
    months: int


@dataclass(frozen=True)
class StartState:
    """Open cases at the origin as cohorts, reception and return stocks, the chain's terms."""

    origin: int
    lodged: np.ndarray  # datetime64[D], ascending, ties by deadline, track, nationality
    deadline: np.ndarray  # datetime64[D]
    track: np.ndarray  # str codes, '' for unknown
    nationality: np.ndarray  # str codes, '' for unknown
    count: np.ndarray  # int64
    in_procedure: float
    status_holders: float
    others: float
    open_return_cases: float
    legal_terms: tuple[LegalTerm, ...]

    @property
    def open_cases(self) -> int:
        return int(self.count.sum())


_OPEN_COHORTS = """
WITH open AS (
    SELECT f.case_id, f.lodged, f.deadline, f.track, f.nationality
    FROM chain_casefact f
    WHERE f.chain_id = %(chain)s AND f.lodged <= %(end)s
      AND (f.decided IS NULL OR f.decided > %(end)s)
),
ruled AS (
    SELECT o.*, r.months FROM open o
    LEFT JOIN LATERAL (
        SELECT r.months FROM unnest(%(rule_from)s::date[], %(rule_months)s::int[])
            AS r(lodged_from, months)
        WHERE r.lodged_from <= o.lodged ORDER BY r.lodged_from DESC LIMIT 1
    ) r ON true
),
extended AS (
    SELECT e.case_id, min(e.local_date) AS extended_on
    FROM chain_statusevent e JOIN ruled u ON u.case_id = e.case_id AND u.months IS NOT NULL
    WHERE e.chain_id = %(chain)s AND e.event_type = 'TERM_EXTENDED'
    GROUP BY e.case_id
)
SELECT u.lodged,
    coalesce(CASE
        WHEN u.months IS NULL THEN u.deadline
        WHEN x.extended_on <= (u.lodged + u.months * interval '1 month')::date
            THEN (u.lodged + greatest(u.months, %(extended)s) * interval '1 month')::date
        ELSE (u.lodged + u.months * interval '1 month')::date
    END, %(never)s) AS deadline,
    coalesce(u.track, '') AS track, coalesce(u.nationality, '') AS nationality, count(*)
FROM ruled u LEFT JOIN extended x ON x.case_id = u.case_id
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4
"""

_RECEPTION = """
SELECT
    count(*) FILTER (WHERE f.lodged <= %(end)s AND (f.decided IS NULL OR f.decided > %(end)s)),
    count(*) FILTER (WHERE f.outcome = 'DECISION_GRANTED' AND f.decided <= %(end)s),
    count(*)
FROM chain_casefact f
WHERE f.chain_id = %(chain)s AND cardinality(f.reception) > 0
  AND EXISTS (SELECT 1 FROM unnest(f.reception) r(days) WHERE r.days @> %(end)s::date)
"""

_OPEN_RETURN = """
SELECT count(*) FROM chain_casefact f
WHERE f.chain_id = %(chain)s AND f.return_opened <= %(end)s
  AND (f.departed IS NULL OR f.departed > %(end)s)
  AND (f.return_closed IS NULL OR f.return_closed > %(end)s)
"""


def legal_terms(*, chain: str) -> tuple[LegalTerm, ...]:
    """The chain's legal term rules (data, edited in the admin)."""
    rules = LegalTermRule.objects.filter(chain_id=chain).order_by("lodged_from")
    return tuple(LegalTerm(r.lodged_from, r.lodged_to, r.months) for r in rules)


def start_state(*, chain: str, origin: int, term_rules: tuple[TermRule, ...]) -> StartState:
    """``read_start_state``, cached per indicator data version (as the calibration)."""
    rules = ",".join(f"{r.lodged_from}:{r.months}" for r in term_rules)
    key = f"scenario-start:{cache.get(DATA_VERSION_KEY, 0)}:{chain}:{origin}:{rules}"
    found = cache.get(key)
    if found is None:
        found = read_start_state(chain=chain, origin=origin, term_rules=term_rules)
        cache.set(key, found, CACHE_TTL)
    return found


def read_start_state(*, chain: str, origin: int, term_rules: tuple[TermRule, ...]) -> StartState:
    """The chain's state at the end of month ``origin``, deadlines under ``term_rules``."""
    bind: dict[str, Any] = {
        "chain": chain,
        "end": months.last_day(origin),
        "rule_from": [r.lodged_from for r in term_rules],
        "rule_months": [r.months for r in term_rules],
        "extended": EXTENDED_MONTHS,
        "never": NEVER,
    }
    with connection.cursor() as cursor:
        cursor.execute(_OPEN_COHORTS, bind)
        rows = cursor.fetchall()
        cursor.execute(_RECEPTION, bind)
        in_procedure, status_holders, everyone = cursor.fetchone()
        cursor.execute(_OPEN_RETURN, bind)
        open_return = cursor.fetchone()[0]
    columns: list[Any] = list(zip(*rows, strict=True)) if rows else [[], [], [], [], []]
    return StartState(
        origin=origin,
        lodged=np.array(columns[0], dtype="datetime64[D]"),
        deadline=np.array(columns[1], dtype="datetime64[D]"),
        track=np.array(columns[2], dtype=object),
        nationality=np.array(columns[3], dtype=object),
        count=np.array(columns[4], dtype=np.int64),
        in_procedure=float(in_procedure),
        status_holders=float(status_holders),
        others=float(everyone - in_procedure - status_holders),
        open_return_cases=float(open_return),
        legal_terms=legal_terms(chain=chain),
    )
