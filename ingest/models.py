"""Ingest records: where extracts come from, every delivery, and every rejected row."""

from __future__ import annotations

from django.db import models

from accounts.models import OrganisationAPIKey
from chain.models import Extract, Organisation


class Source(models.Model):
    """Where one partner's extracts come from: a landing folder or the Fedasil feed."""

    class Kind(models.TextChoices):
        LANDING = "landing", "landing folder"
        FEED = "feed", "HTTP feed"

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    path = models.CharField(
        max_length=500, blank=True, help_text="Landing folder; empty: LANDING_ROOT/<partner>."
    )
    url = models.URLField(blank=True, help_text="Feed base URL; empty: FEDASIL_FEED_URL.")
    enabled = models.BooleanField(default=True)
    cursor = models.CharField(max_length=500, blank=True)
    last_pulled_at = models.DateTimeField(null=True, blank=True)
    # Why the last pull failed, and when; both cleared by the next pull that succeeds.
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.organisation_id} ({self.kind})"


class RejectedRow(models.Model):
    """A row quarantined with its reason; identifiers in ``excerpt`` are masked."""

    extract = models.ForeignKey(Extract, on_delete=models.CASCADE, related_name="rejections")
    line = models.IntegerField(help_text="Line (file), record index (push) or item number (feed).")
    field = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=500)
    excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["extract", "line"]


class IdempotencyRecord(models.Model):
    """The first answer to a push with an ``Idempotency-Key``, replayed for 24 hours."""

    class State(models.TextChoices):
        PROCESSING = "processing"
        DONE = "done"

    api_key = models.ForeignKey(OrganisationAPIKey, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    body_sha256 = models.CharField(max_length=64)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PROCESSING)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_key_per_api_key")
        ]


class PseudonymKey(models.Model):
    """The fingerprint of the pseudonym key the stored person keys and identities were made with.

    One row, written at the first ingest (or by the migration that keyed stored identities). An
    ingest with another key would file the same people under new cases, so it is refused.
    """

    fingerprint = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"pseudonym key recorded {self.recorded_at:%Y-%m-%d}"
