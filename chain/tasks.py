"""Celery tasks of the indicator engine."""

from celery import shared_task
from django.core.cache import cache
from django.db import connection, transaction

# Set while a recompute waits in the queue: a burst of ingests then queues one recompute, not
# one each. The time-out only matters when a queued task is lost; beat recomputes anyway.
RECOMPUTE_PENDING = "indicators:recompute-pending"
RECOMPUTE_PENDING_SECONDS = 600


def schedule_recompute() -> None:
    """Queue a recompute of the dirty indicators, unless one is already waiting to start."""
    if cache.add(RECOMPUTE_PENDING, 1, timeout=RECOMPUTE_PENDING_SECONDS):
        compute_dirty_indicators.delay()


@shared_task
def compute_dirty_indicators() -> None:
    """Recompute the chains and periods that ingests and catalogue edits marked dirty."""
    from chain.indicators.engine import compute_dirty

    # Cleared before reading the dirty ranges: whatever is marked dirty from now on queues a
    # run of its own.
    cache.delete(RECOMPUTE_PENDING)
    compute_dirty()


@shared_task
def apply_legal_term_rules() -> None:
    """Rebuild every case's facts after a legal term rule changed, then recompute everything."""
    from chain.case_facts import rebuild_all_case_facts
    from chain.catalogue import mark_all_dirty

    with transaction.atomic(), connection.cursor() as cursor:
        rebuild_all_case_facts(cursor)
        mark_all_dirty()
    compute_dirty_indicators()
