"""Celery tasks of the indicator engine."""

from celery import shared_task


@shared_task
def compute_dirty_indicators() -> None:
    """Recompute the chains and periods that ingests marked dirty."""
    from chain.indicators.engine import compute_dirty

    compute_dirty()
