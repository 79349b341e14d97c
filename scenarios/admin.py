"""Admin for the scenario presets (audited like the catalogue) and the saved scenarios."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from chain import clock
from chain.admin import AuditedAdmin
from scenarios.inputs import InvalidInputs, chain_extent, check_inputs
from scenarios.models import Preset, SavedScenario


class PresetForm(forms.ModelForm):
    """Refuses inputs the model would refuse (the origin aside: a preset has none fixed)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chain, inputs = cleaned.get("chain"), cleaned.get("inputs")
        if chain is None or inputs is None:
            return cleaned
        if not isinstance(inputs, dict) or "chain" in inputs:
            self.add_error("inputs", "Scenario inputs as a JSON object, without the chain.")
            return cleaned
        data = {k: v for k, v in inputs.items() if k != "origin"}
        _, nationalities = chain_extent(chain.pk)
        try:
            check_inputs(
                data={**data, "chain": chain.pk}, today=clock.today(), first_month=0,
                nationalities=nationalities,
            )  # fmt: skip
        except InvalidInputs as err:
            self.add_error("inputs", [f"{k}: {v}" for k, v in err.errors.items()])
        return cleaned


@admin.register(Preset)
class PresetAdmin(AuditedAdmin):
    """Every change is in the catalogue's audit trail; no indicator value rests on a preset."""

    form = PresetForm
    recomputes = False
    list_display = ["chain", "name", "position"]
    list_filter = ["chain"]
    search_fields = ["name"]


@admin.register(SavedScenario)
class SavedScenarioAdmin(admin.ModelAdmin):
    """Saved runs can be looked at and deleted; their figures are what was computed then."""

    list_display = ["created", "chain", "name", "author"]
    list_filter = ["chain"]
    exclude = ["answer"]
    readonly_fields = ["name", "chain", "author", "inputs", "created"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
