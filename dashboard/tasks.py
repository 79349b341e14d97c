"""Celery tasks of the weekly report: they take ids and call the sending service."""

from celery import shared_task

from dashboard.models import Subscription
from dashboard.reports.sending import (
    MAIL_ERRORS,
    deliver,
    queue_week,
    report_week,
    send_preview,
)

MAX_RETRIES = 5


@shared_task
def send_weekly_reports() -> int:
    """Beat's Monday entry: record and queue this week's report for every subscriber."""
    return len(queue_week(week=report_week()))


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
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


@shared_task(bind=True, max_retries=3)
def send_report_preview(self, subscription_id: int) -> None:
    """The "send me a preview now" button: this week's report, outside the weekly record."""
    subscription = Subscription.objects.select_related("user").get(pk=subscription_id)
    try:
        send_preview(subscription=subscription)
    except MAIL_ERRORS as err:
        raise self.retry(exc=err, countdown=30 * 2**self.request.retries) from err
