"""Subscriptions to the weekly report, and a record of every report sent.

First made by ``dashboard``: the tables keep the names they were made with.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from chain.vocabulary import BE, CHAINS, NL


class Subscription(models.Model):
    """A user's subscription to the weekly report of one chain or both, in one language."""

    class Scope(models.TextChoices):
        NL = NL, "Nederland"
        BE = BE, "België"
        ALL = "ALL", "NL + BE"

    class Language(models.TextChoices):
        NL = "nl", "Nederlands"
        EN = "en", "English"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscription"
    )
    chain = models.CharField(max_length=3, choices=Scope.choices, default=Scope.ALL)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.NL)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the user last asked for a preview: one per REPORT_PREVIEW_INTERVAL, so the button
    # cannot be made to mail (and to render) report after report.
    preview_requested_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "dashboard_subscription"

    def __str__(self) -> str:
        return f"{self.user} ({self.chain}, {self.language})"

    @property
    def chains(self) -> list[str]:
        return list(CHAINS) if self.chain == self.Scope.ALL else [self.chain]


class ReportDelivery(models.Model):
    """One subscriber's report of one week: sent exactly once, or visibly failed."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    week = models.CharField(max_length=8, help_text="The ISO week the report is about.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "dashboard_reportdelivery"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "week"], name="one_report_per_week")
        ]

    def __str__(self) -> str:
        return f"{self.subscription} {self.week}: {self.status}"
