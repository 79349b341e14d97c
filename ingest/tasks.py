"""Celery tasks of the ingest: they take ids and call a service."""

from celery import shared_task
from django.db import OperationalError

from ingest.pull import pull_all
from ingest.push import purge_idempotency_records as purge_idempotency_records_service
from ingest.services import ingest_extract as ingest_extract_service


# Two extracts of one partner can lock the same rows; PostgreSQL then aborts one of them
# (a deadlock is an OperationalError), which simply runs again.
@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def ingest_extract(extract_id: int) -> dict[str, object] | None:
    """Ingest one recorded extract; the ingest queues the recompute of what it touched."""
    summary = ingest_extract_service(extract_id=extract_id)
    return None if summary is None else summary.as_dict()


@shared_task
def pull_extracts() -> dict[str, int]:
    """One pull cycle over every source (scheduled by beat); each ingest queues its recompute."""
    results = pull_all()
    return {partner: len(summaries) for partner, summaries in results.items()}


@shared_task
def purge_idempotency_records() -> int:
    """Delete idempotency records past their replay window (scheduled by beat)."""
    return purge_idempotency_records_service()
