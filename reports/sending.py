"""Sending the weekly reports: each subscriber gets one report a week, exactly once.

``schedule_week`` records a delivery per receiving subscriber (an active subscription of an
active account) and week (a unique row, so a second beat run adds nothing) and queues it.
``deliver`` claims the delivery with a conditional ``UPDATE`` and checks the row count: of two
workers, or a retry after a success, only one gets to send. A claim that a dead worker left
behind is taken over after ``REPORT_CLAIM_TIMEOUT``.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path
from smtplib import SMTPException

from django.conf import settings
from django.db.models import Q, QuerySet

from chain import clock
from chain.models import PeriodType
from chain.periods import Period, parse_period
from chain.selectors import latest_complete_period
from reports.content import build_report
from reports.mail import compose
from reports.models import ReportDelivery, Subscription

logger = logging.getLogger(__name__)
# What a retry may cure: the mail server or the network between (SMTPException is an OSError).
MAIL_ERRORS = (SMTPException, OSError)


def claim_preview(*, subscription: Subscription) -> datetime | None:
    """Claim the subscriber's preview; None when claimed, else when the next one may be asked.

    One conditional ``UPDATE``: two clicks at once claim one preview between them.
    """
    moment = clock.now()
    interval = settings.REPORT_PREVIEW_INTERVAL
    due = Q(preview_requested_at__isnull=True) | Q(preview_requested_at__lte=moment - interval)
    if Subscription.objects.filter(due, pk=subscription.pk).update(preview_requested_at=moment):
        return None
    last = Subscription.objects.values_list("preview_requested_at", flat=True).get(
        pk=subscription.pk
    )
    return (last or moment) + interval


def report_week(today: date | None = None) -> Period:
    """The week a report sent today is about: the last complete ISO week."""
    return latest_complete_period(period_type=PeriodType.WEEK, today=today)


def receiving() -> QuerySet[Subscription]:
    """The subscriptions that get the weekly report: active, of an account that is active."""
    return Subscription.objects.filter(active=True, user__is_active=True)


def schedule_week(*, week: Period) -> list[int]:
    """Record this week's delivery for every receiving subscriber; ids of those still to send."""
    ReportDelivery.objects.bulk_create(
        [ReportDelivery(subscription=s, week=week.label) for s in receiving()],
        ignore_conflicts=True,
    )
    return list(
        ReportDelivery.objects.filter(
            week=week.label, subscription__in=receiving(),
            status__in=[ReportDelivery.Status.PENDING, ReportDelivery.Status.SENDING],
        ).values_list("pk", flat=True)
    )  # fmt: skip


def claim(delivery_id: int) -> bool:
    """Take a delivery for sending; False when it is sent, failed or another worker has it,
    or when its subscriber no longer receives (unsubscribed, or the account deactivated)."""
    now = clock.now()
    claimable = Q(status=ReportDelivery.Status.PENDING) | Q(
        status=ReportDelivery.Status.SENDING, claimed_at__lt=now - settings.REPORT_CLAIM_TIMEOUT
    )
    # The subscriber by a subquery on its id, not a join: the status conditions stay on the
    # updated row itself, so PostgreSQL checks them again after a concurrent claim's commit.
    updated = ReportDelivery.objects.filter(
        claimable, pk=delivery_id, subscription_id__in=receiving().values("pk")
    ).update(status=ReportDelivery.Status.SENDING, claimed_at=now)
    return updated == 1


def deliver(*, delivery_id: int, final_attempt: bool = True) -> bool:
    """Send one claimed-or-claimable delivery; True when this call sent it.

    Every error is recorded on the delivery and re-raised. A mail or network error puts it
    back to pending for the caller's retry (or, on the final attempt, marks it failed for
    administrators to see); any other error, such as a template that does not render, would
    fail again on a retry, so it marks the delivery failed at once.
    """
    if not claim(delivery_id):
        return False
    delivery = ReportDelivery.objects.select_related("subscription__user").get(pk=delivery_id)
    subscription = delivery.subscription
    try:
        if not subscription.user.email:
            # Django drops an empty recipient and "sends" to nobody: that is no delivery.
            raise ValueError("the account has no e-mail address")
        report = build_report(
            chains=subscription.chains, week=parse_period(delivery.week, PeriodType.WEEK),
            language=subscription.language,
        )  # fmt: skip
        compose(subscription=subscription, report=report).send()
    except MAIL_ERRORS as err:
        status = ReportDelivery.Status.FAILED if final_attempt else ReportDelivery.Status.PENDING
        _record_error(delivery, status, err)
        logger.warning("report %s to %s: %s (%s)", delivery.week, subscription.user, err, status)
        raise
    except Exception as err:
        _record_error(delivery, ReportDelivery.Status.FAILED, err)
        logger.exception("report %s to %s failed", delivery.week, subscription.user)
        raise
    ReportDelivery.objects.filter(pk=delivery_id).update(
        status=ReportDelivery.Status.SENT, attempts=delivery.attempts + 1, sent_at=clock.now(),
        last_error="",
    )  # fmt: skip
    logger.info("report %s sent to subscription %s", delivery.week, subscription.pk)
    return True


def _record_error(delivery: ReportDelivery, status: str, err: Exception) -> None:
    ReportDelivery.objects.filter(pk=delivery.pk).update(
        status=status, attempts=delivery.attempts + 1, last_error=f"{type(err).__name__}: {err}"
    )


def send_preview(*, subscription: Subscription) -> None:
    """Send the current report now, outside the weekly record (the "preview" button)."""
    report = build_report(
        chains=subscription.chains, week=report_week(), language=subscription.language
    )
    compose(subscription=subscription, report=report).send()


def render_week(*, week: Period, folder: Path) -> list[Path]:
    """Write every receiving subscriber's report as .eml, .html and .txt without sending."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for subscription in receiving().select_related("user"):
        report = build_report(chains=subscription.chains, week=week, language=subscription.language)
        message = compose(subscription=subscription, report=report)
        stem = folder / f"{week.label}-{subscription.pk}"
        stem.with_suffix(".eml").write_bytes(message.message().as_bytes())
        stem.with_suffix(".txt").write_text(str(message.body))
        stem.with_suffix(".html").write_text(str(message.alternatives[0][0]))
        written.append(stem.with_suffix(".eml"))
    return written
