"""Scenario presets (data an administrator edits, audited like the catalogue) and saved runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Preset(models.Model):
    """Named scenario inputs for a chain, such as the MPP's minimum, medio and maximum inflow.

    ``inputs`` are the scenario's JSON (docs/reference/scenarios.md, "Inputs") without the
    chain; the page and the API complete them with their defaults.
    """

    name = models.CharField(max_length=100)
    chain = models.ForeignKey("chain.Chain", on_delete=models.PROTECT, related_name="+")
    inputs = models.JSONField(default=dict, blank=True)
    description_nl = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["chain", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "name"], name="scenario_preset_identity")
        ]

    def __str__(self) -> str:
        return f"{self.chain_id} {self.name}"


class SavedScenario(models.Model):
    """A run kept under a name: its completed inputs and its whole answer, as computed then."""

    name = models.CharField(max_length=200)
    chain = models.ForeignKey("chain.Chain", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    inputs = models.JSONField()
    answer = models.JSONField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["chain", "-created"], name="saved_scenario_by_chain")]

    def __str__(self) -> str:
        return f"{self.chain_id} {self.name}"
