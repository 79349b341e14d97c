"""A small history of both chains for the scenario pages, API and report: two years to 2025.

Today is 10 January 2026 under ``pinned``, so that the last complete month, the default
origin, is December 2025 whatever day the suite runs on.
"""

from __future__ import annotations

from datetime import date

from django.db.backends.postgresql.psycopg_any import DateRange

from chain import clock
from chain.indicators.engine import compute_dirty
from chain.models import Extract, Measurement
from scenarios import months
from tests.scenario_chain import bulk, fte, six_month_term

TODAY = date(2026, 1, 10)
FIRST, LAST = months.parse_month("2024-01") or 0, months.parse_month("2025-12") or 0


def reception_capacity(chain: str, day: date, places: float) -> None:
    """A RECEPTION_CAPACITY measurement of the chain's reception partner."""
    partner = {"NL": "COA", "BE": "FEDASIL"}[chain]
    extract = Extract.objects.create(
        organisation_id=partner, status=Extract.Status.ACCEPTED, finished_at=clock.now(),
        name="capacity.csv", channel=Extract.Channel.FILE, sha256="0" * 64,
    )  # fmt: skip
    Measurement.objects.create(
        organisation_id=partner, chain_id=chain, kind="RECEPTION_CAPACITY", date=day,
        value=places, extract=extract,
    )  # fmt: skip


def build_history(*, compute: bool = False) -> None:
    """NL: about 30 cases a month (all but 5 decided four months on), half of them in reception
    until two months after their decision; BE: about 12 a month, alike. The monthly counts vary
    by up to 2 either way, so that runs of many paths have a band. Indicators computed if
    ``compute``."""
    for chain, per_month, track, staff in (("NL", 30, "4", 6.0), ("BE", 12, "P", 3.0)):
        six_month_term(chain)
        rows = []
        for month in range(FIRST, LAST + 1):
            lodged = months.first_day(month).replace(day=5)
            count = per_month + (month * 7) % 5 - 2
            for i in range(count):
                decided = months.add_months(lodged, 4) if i < count - 5 else None
                if decided is not None and decided > months.last_day(LAST):
                    decided = None
                row = {
                    "lodged": lodged,
                    "deadline": months.add_months(lodged, 6),
                    "track": track,
                    "nationality": "SYR" if i % 2 else "ERI",
                }
                if decided is not None:
                    row.update(decided=decided, outcome="DECISION_GRANTED" if i % 3 else
                               "DECISION_REJECTED")  # fmt: skip
                if i % 2 == 0:
                    leaves = months.add_months(decided, 2) if decided else None
                    row["reception"] = [DateRange(lodged, leaves)]
                rows.append(row)
        bulk(rows, chain)
        fte(chain, date(2024, 1, 1), staff)
        reception_capacity(chain, date(2024, 1, 1), per_month * 5)
    if compute:
        compute_dirty()
