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


class HalfYearReport(models.Model):
    """One published version of the half-year chain report, frozen.

    Its figures (JSON: per chain, goal and indicator the half-year's value beside the same half
    one and two years before, the signal bands, the events of note) are the figures it was
    published with, and its PDFs the bytes then made from them: a later recompute changes
    neither (the database refuses any change, ``0003_half_year_reports_are_immutable``). A
    revision is the next version, with the values that differ from the version before.
    """

    period = models.CharField(max_length=7, help_text="The half-year, e.g. 2026-H1.")
    version = models.PositiveSmallIntegerField()
    figures = models.JSONField()
    # The indicator engine's data version (every recompute bumps it) the figures rest on.
    data_version = models.CharField(max_length=40, blank=True)
    languages = models.JSONField(help_text="The languages the report was published in.")
    published_at = models.DateTimeField()
    published_by = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True, help_text="Why a revision was published (version 2 on).")
    changes = models.JSONField(
        default=list, blank=True, help_text="The values that differ from the version before."
    )

    class Meta:
        ordering = ["-period", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["period", "version"], name="half_year_report_version")
        ]

    def __str__(self) -> str:
        return f"{self.period} v{self.version}"


class HalfYearReportPDF(models.Model):
    """A published report's PDF in one language, with the SHA-256 of its bytes."""

    report = models.ForeignKey(HalfYearReport, on_delete=models.PROTECT, related_name="pdfs")
    language = models.CharField(max_length=2)
    content = models.BinaryField()
    byte_size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["report", "language"]
        constraints = [
            models.UniqueConstraint(fields=["report", "language"], name="half_year_pdf_language")
        ]

    def __str__(self) -> str:
        return f"{self.report} ({self.language})"
