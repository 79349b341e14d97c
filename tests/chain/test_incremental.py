"""Incremental recompute: an ingest recomputes only what it touched, with the full run's values.

On the generated chain (``tests/chain/generated_chain.py``): everything delivered up to
``CUT`` is pushed and computed in full; then the Dutch partners' next quarter of deliveries is
pushed through the same push service, ``compute_dirty`` recomputes, and a
``compute_indicators --full`` recomputes everything again. The engine replaces a period's rows
by deleting and inserting them, so a row that keeps its id was not recomputed. All of it runs
once for the module, in a transaction that is rolled back once the values are read.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

from chain.indicators.engine import compute_dirty
from chain.models import DirtyRange, IndicatorValue
from chain.tasks import RECOMPUTE_PENDING
from ingest.services import ingest_file
from tests import known_chain
from tests.chain.generated_chain import generate, load
from tests.workers import start_worker, wait_for

pytestmark = pytest.mark.django_db

CUT = date(2024, 6, 30)
FURTHER_UNTIL = date(2024, 9, 30)
DUTCH_PARTNERS = {"IND", "COA", "DTV"}

Key = tuple[str, str, str, str, str, str]


@dataclass(frozen=True)
class Row:
    """A stored value with the id that tells whether it was rewritten."""

    id: int
    period_end: date
    value: float | None
    numerator: float | None
    denominator: float | None
    signal: str
    suppressed: str
    n: int | None

    def reading(self) -> tuple[object, ...]:
        """Everything a reader sees of the value."""
        return (self.value, self.numerator, self.denominator, self.signal, self.suppressed, self.n)


@dataclass(frozen=True)
class Runs:
    """The stored values after each step, and what the incremental run claimed."""

    before: dict[Key, Row]
    marked: set[str]
    claimed: dict[str, date]
    incremental: dict[Key, Row]
    full: dict[Key, Row]
    gap_claimed: dict[str, date]
    after_gap: dict[Key, Row]


def stored() -> dict[Key, Row]:
    rows = IndicatorValue.objects.values_list(
        "indicator", "chain", "period_type", "period", "track", "nationality", "id",
        "period_end", "value", "numerator", "denominator", "signal", "suppressed", "n",
    )  # fmt: skip
    return {row[:6]: Row(*row[6:]) for row in rows}


@pytest.fixture(scope="module")
def runs(django_db_setup: None, django_db_blocker: Any) -> Runs:
    generated = generate()
    further = [
        d
        for d in generated.deliveries(after=CUT, until=FURTHER_UNTIL)
        if d.organisation in DUTCH_PARTNERS
    ]
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_catalogue", verbosity=0, stdout=io.StringIO())
        load(generated.deliveries(until=CUT))
        call_command("compute_indicators", "--full", stdout=io.StringIO())
        before = stored()
        load(further)
        marked = set(DirtyRange.objects.values_list("chain", flat=True))
        claimed = compute_dirty()
        incremental = stored()
        call_command("compute_indicators", "--full", stdout=io.StringIO())
        full = stored()
        # Periods that began after the chain's last run, as after weeks without deliveries.
        IndicatorValue.objects.filter(chain="BE", period_end__gt=CUT).delete()
        gap_claimed = compute_dirty()
        runs = Runs(before, marked, claimed, incremental, full, gap_claimed, stored())
        transaction.set_rollback(True)
    return runs


def of_chain(rows: dict[Key, Row], chain: str) -> dict[Key, Row]:
    return {key: row for key, row in rows.items() if key[1] == chain}


def test_an_ingest_marks_only_the_chain_it_delivered_to(runs: Runs) -> None:
    assert runs.marked == {"NL"}
    assert set(runs.claimed) == {"NL"}


def test_the_incremental_run_leaves_the_other_chain_untouched(runs: Runs) -> None:
    before, after = of_chain(runs.before, "BE"), of_chain(runs.incremental, "BE")
    assert before and after == before


def test_it_leaves_the_periods_that_ended_before_the_change_untouched(runs: Runs) -> None:
    since = runs.claimed["NL"]
    earlier = {k: r for k, r in of_chain(runs.before, "NL").items() if r.period_end < since}
    assert earlier, f"the delivery changed everything since {since}: nothing left to skip"
    assert {k: runs.incremental.get(k) for k in earlier} == earlier


def test_it_rewrites_every_period_from_the_change_on(runs: Runs) -> None:
    since = runs.claimed["NL"]
    old_ids = {row.id for row in runs.before.values()}
    later = {k: r for k, r in of_chain(runs.incremental, "NL").items() if r.period_end >= since}
    assert later
    assert not old_ids & {row.id for row in later.values()}
    # The delivery changed values, so skipping the rewrite would have been visible.
    changed = [
        k
        for k, r in later.items()
        if k not in runs.before or runs.before[k].reading() != r.reading()
    ]
    assert len(changed) > 100


def test_a_full_recompute_gives_the_values_of_the_incremental_one(runs: Runs) -> None:
    incremental = {k: r.reading() for k, r in runs.incremental.items()}
    full = {k: r.reading() for k, r in runs.full.items()}
    assert set(full) == set(incremental)
    differing = [
        f"{key}: incremental {incremental[key]}, full {value}"
        for key, value in full.items()
        if value != incremental[key]
    ]
    assert not differing, f"{len(differing)} differences:\n" + "\n".join(differing[:20])


def test_the_periods_that_began_since_a_chains_last_run_are_computed_without_a_delivery(
    runs: Runs,
) -> None:
    assert set(runs.gap_claimed) == {"BE"}
    full = {k: r.reading() for k, r in of_chain(runs.full, "BE").items()}
    after_gap = {k: r.reading() for k, r in of_chain(runs.after_gap, "BE").items()}
    assert set(after_gap) == set(full)
    open_cases = [k for k in full if k[0] == "open_cases" and k[4:] == ("", "")]
    assert open_cases and all(after_gap[k] == full[k] for k in open_cases)
    assert after_gap == full


def values_recomputed() -> bool:
    return IndicatorValue.objects.exists() and not DirtyRange.objects.exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_ingest_queues_the_recompute_for_a_real_worker(catalogue: None, tmp_path: Path) -> None:
    from psi.celery import app

    path = tmp_path / "ind_zaakstatus_20230501.csv"
    path.write_text(known_chain.extract(), encoding="utf-8")
    app.control.purge()
    cache.delete(RECOMPUTE_PENDING)  # a run queued by an earlier test is gone with the purge
    worker = start_worker()
    try:
        ingest_file(partner="IND", path=path)
        wait_for(values_recomputed, 60, "a worker to recompute the values the ingest touched")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    lodged = IndicatorValue.objects.get(
        indicator="applications_lodged", chain="NL", period_type="month", period="2023-01",
        track="", nationality="",
    )  # fmt: skip
    assert lodged.value == 3  # A, B and G of the known chain
