"""Published open-data releases: one month's public files, frozen once published.

A release is one version of one month. Its files keep their bytes, size and SHA-256, so that
every download is the file the catalogue describes. Nothing here is ever changed or deleted
(the database refuses it, ``0002_releases_are_immutable``): a correction is a new version of
the month with a note of what changed, and the older versions stay downloadable.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class Theme(models.TextChoices):
    """The three themes of the ministry's open data, each one chain goal's indicators."""

    ASYLUM_ADMISSION = "asylum-admission", pgettext_lazy("open data theme", "Asylum admission")
    RECEPTION = "reception", pgettext_lazy("open data theme", "Reception")
    DEPARTURE = "departure", pgettext_lazy("open data theme", "Departure")


class Release(models.Model):
    """One version of one month's open data."""

    month = models.CharField(max_length=7, help_text="The month published, e.g. 2026-11.")
    version = models.PositiveSmallIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    published_at = models.DateTimeField()
    change_note = models.TextField(
        blank=True, help_text="What a correction changed (version 2 on)."
    )
    # The indicator engine's data version (a recompute bumps it) and the latest moment any value
    # read was computed: what the figures rest on.
    data_version = models.CharField(max_length=40, blank=True)
    values_computed_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["month", "version"], name="release_month_version")
        ]

    def __str__(self) -> str:
        return f"{self.month} v{self.version}"


class ReleaseFile(models.Model):
    """One file of a release: a theme of a chain as CSV or JSON, with its exact bytes."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="files")
    name = models.CharField(max_length=100)
    chain = models.ForeignKey("chain.Chain", on_delete=models.PROTECT)
    theme = models.CharField(max_length=20, choices=Theme.choices)
    media_type = models.CharField(max_length=50)
    content = models.BinaryField()
    byte_size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["release", "chain", "theme", "name"]
        constraints = [
            models.UniqueConstraint(fields=["release", "name"], name="release_file_name")
        ]

    def __str__(self) -> str:
        return f"{self.release} {self.name}"
