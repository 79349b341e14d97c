"""Admin for the scenario presets (audited like the catalogue) and the saved scenarios."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from chain.admin import AuditedAdmin
from scenarios.models import Preset, SavedScenario


@admin.register(Preset)
class PresetAdmin(AuditedAdmin):
    """Every change is in the catalogue's audit trail; no indicator value rests on a preset."""

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
