"""Admin for sources, and extract records with their rejected rows."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from chain.models import Extract
from ingest.models import RejectedRow, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["organisation", "kind", "path", "url", "enabled", "last_pulled_at"]
    readonly_fields = ["cursor", "last_pulled_at", "last_error"]


class RejectedRowInline(admin.TabularInline):
    model = RejectedRow
    extra = 0
    can_delete = False
    readonly_fields = ["line", "field", "reason", "excerpt"]
    max_num = 0

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Extract)
class ExtractAdmin(admin.ModelAdmin):
    """Read-only: the ingest record is evidence and is never edited or deleted by hand.

    Without the delete permission the admin offers neither the delete page nor the "delete
    selected" action, and deleting an extract would take its rejected rows with it.
    """

    list_display = [
        "received_at", "organisation", "channel", "name", "status", "rows_read", "accepted",
        "duplicates", "rejected",
    ]  # fmt: skip
    list_filter = ["organisation", "status", "channel"]
    search_fields = ["name", "sha256"]
    inlines = [RejectedRowInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Extract._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
