"""Constructed chains for the scenario tests: case facts and measurements written directly.

The scenario model reads only case facts, TERM_EXTENDED events, measurements and the legal term
rules, so a test writes those rows as the engine would have derived them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from chain import clock
from chain.models import Case, CaseFact, LegalTermRule, Measurement, StatusEvent
from ingest.models import Extract

_serial = iter(range(10**9))


def fact(chain: str = "NL", **milestones: Any) -> CaseFact:
    """One case with the given facts (dates as ``date``)."""
    days = [d for d in milestones.values() if isinstance(d, date)] or [date(2023, 1, 1)]
    for stay in milestones.get("reception", []):
        days.append(stay.lower)
    made = Case.objects.create(chain_id=chain, person_key=f"{next(_serial):064d}")
    return CaseFact.objects.create(
        case=made, chain_id=chain, first_event=min(days), last_event=max(days), **milestones
    )


def facts(count: int, chain: str = "NL", **milestones: Any) -> None:
    """``count`` cases alike in their facts, written in one go."""
    days = [d for d in milestones.values() if isinstance(d, date)] or [date(2023, 1, 1)]
    cases = Case.objects.bulk_create(
        Case(chain_id=chain, person_key=f"{next(_serial):064d}") for _ in range(count)
    )
    CaseFact.objects.bulk_create(
        CaseFact(case=c, chain_id=chain, first_event=min(days), last_event=max(days),
                 **milestones)
        for c in cases
    )  # fmt: skip


def fte(chain: str, day: date, value: float) -> None:
    """A DECISION_CAPACITY_FTE measurement of the chain's deciding partner."""
    partner = {"NL": "IND", "BE": "DVZ"}[chain]
    extract = Extract.objects.create(
        organisation_id=partner, status=Extract.Status.ACCEPTED, finished_at=clock.now(),
        name="fte.csv", channel=Extract.Channel.FILE, sha256="0" * 64,
    )  # fmt: skip
    Measurement.objects.create(
        organisation_id=partner, chain_id=chain, kind="DECISION_CAPACITY_FTE", date=day,
        value=value, extract=extract,
    )  # fmt: skip


def term_extended(case: CaseFact, day: date) -> None:
    """A TERM_EXTENDED event of the case on ``day``."""
    extract = Extract.objects.create(
        organisation_id="IND", status=Extract.Status.ACCEPTED, finished_at=clock.now(),
        name="ind.csv", channel=Extract.Channel.FILE, sha256="0" * 64,
    )  # fmt: skip
    StatusEvent.objects.create(
        organisation_id="IND", source_event_id=f"x{next(_serial)}", case_id=case.case_id,
        chain_id=case.chain_id, event_type="TERM_EXTENDED",
        occurred_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC), local_date=day,
        extract=extract,
    )  # fmt: skip


def six_month_term(chain: str = "NL", months: int = 6) -> None:
    """One legal term rule: six months (or ``months``) for every case."""
    LegalTermRule.objects.filter(chain_id=chain).delete()
    LegalTermRule.objects.create(chain_id=chain, months=months)


def bulk(rows: list[dict[str, Any]], chain: str = "NL") -> None:
    """Cases with the given facts each, written in one go."""
    cases = Case.objects.bulk_create(
        Case(chain_id=chain, person_key=f"{next(_serial):064d}") for _ in rows
    )
    made = []
    for case, row in zip(cases, rows, strict=True):
        days = [d for d in row.values() if isinstance(d, date)]
        made.append(
            CaseFact(case=case, chain_id=chain, first_event=min(days), last_event=max(days), **row)
        )
    CaseFact.objects.bulk_create(made)
