"""Ingest records: where extracts come from, every delivery, and every rejected row."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from rest_framework_api_key.models import AbstractAPIKey

from chain.models import Organisation


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


class Extract(models.Model):
    """One delivery: a file, a feed page or a push request."""

    class Channel(models.TextChoices):
        FILE = "file"
        FEED = "feed"
        PUSH = "push"

    class Status(models.TextChoices):
        RECEIVED = "received"
        PROCESSING = "processing"
        ACCEPTED = "accepted"
        PARTIALLY_ACCEPTED = "partially_accepted"
        REJECTED = "rejected"
        DUPLICATE = "duplicate"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    name = models.CharField(max_length=300)
    path = models.CharField(max_length=1000, blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    reason = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_read = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    duplicates = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    earliest_date = models.DateField(null=True, blank=True)
    latest_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["organisation", "sha256"], name="extract_partner_sha"),
            models.Index(
                fields=["organisation", "status", "finished_at"], name="extract_freshness"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.name}"

    @property
    def is_finished(self) -> bool:
        return self.status not in {self.Status.RECEIVED, self.Status.PROCESSING}


class RejectedRow(models.Model):
    """A row quarantined with its reason; identifiers in ``excerpt`` are masked."""

    extract = models.ForeignKey(Extract, on_delete=models.CASCADE, related_name="rejections")
    line = models.IntegerField(help_text="Line (file), record index (push) or item number (feed).")
    field = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=500)
    excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["extract", "line"]


class OrganisationAPIKey(AbstractAPIKey):
    """A hashed API key of one organisation, for pushing events or reading indicators.

    A read key reads the deliveries of its own organisation; one without an organisation reads
    none, unless an administrator made it ``chain_wide`` on purpose.
    """

    class Scope(models.TextChoices):
        PUSH = "push"
        READ = "read"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="api_keys"
    )
    scope = models.CharField(max_length=8, choices=Scope.choices)
    chain_wide = models.BooleanField(
        default=False,
        help_text="Reads the deliveries of every partner. Only for a read key without an "
        "organisation; without it such a key reads no deliveries.",
    )

    class Meta(AbstractAPIKey.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(chain_wide=False)
                | models.Q(scope="read", organisation__isnull=True),
                name="chain_wide_only_for_read_keys_without_organisation",
            )
        ]

    def clean(self) -> None:
        super().clean()
        if self.chain_wide and self.scope != self.Scope.READ:
            raise ValidationError({"chain_wide": "Only a read key can be chain-wide."})
        if self.chain_wide and self.organisation_id:
            raise ValidationError(
                {"chain_wide": "A key of an organisation reads that organisation's deliveries; "
                 "leave out the organisation for a chain-wide key."}
            )  # fmt: skip


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
