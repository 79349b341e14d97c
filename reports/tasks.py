"""Celery tasks of the weekly report: they take ids and call the sending service.

The tasks keep the names they were first registered under (``dashboard.tasks``), so beat
schedules and tasks already queued keep working.
"""

from functools import partial

from celery import shared_task
from django.db import transaction

from chain.periods import Period
from reports.models import Subscription
from reports.sending import (
    MAIL_ERRORS,
    deliver,
    report_week,
    schedule_week,
    send_preview,
)

MAX_RETRIES = 5


@shared_task(name="dashboard.tasks.send_weekly_reports")
def send_weekly_reports() -> int:
    """Beat's Monday entry: record and queue this week's report for every subscriber."""
    return len(queue_week(week=report_week()))


@shared_task(name="dashboard.tasks.send_report", bind=True, acks_late=True, max_retries=MAX_RETRIES)
def send_report(self, delivery_id: int) -> bool:
    """Send one delivery; mail errors retry with exponential back-off, then show as failed.

    Any other error has already marked the delivery failed; it fails the task as it is.
    """
    final = self.request.retries >= MAX_RETRIES
    try:
        return deliver(delivery_id=delivery_id, final_attempt=final)
    except MAIL_ERRORS as err:
        if final:
            return False
        raise self.retry(exc=err, countdown=60 * 2**self.request.retries) from err


@shared_task(name="dashboard.tasks.send_report_preview", bind=True, max_retries=3)
def send_report_preview(self, subscription_id: int) -> None:
    """The "send me a preview now" button: this week's report, outside the weekly record."""
    subscription = Subscription.objects.select_related("user").get(pk=subscription_id)
    try:
        send_preview(subscription=subscription)
    except MAIL_ERRORS as err:
        raise self.retry(exc=err, countdown=30 * 2**self.request.retries) from err


def queue_week(*, week: Period) -> list[int]:
    """Schedule the week and queue a send task per delivery once the rows are committed."""
    ids = schedule_week(week=week)
    for pk in ids:
        transaction.on_commit(partial(send_report.delay, pk))
    return ids
