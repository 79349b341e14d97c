"""Releases in the admin, read-only: a published release is never changed or deleted."""

from django.contrib import admin
from django.http import HttpRequest

from opendata.models import Release, ReleaseFile


class ReadOnly:
    """Viewing only; publishing is ``manage.py publish_open_data`` or the monthly beat."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReleaseFileInline(ReadOnly, admin.TabularInline):
    model = ReleaseFile
    fields = readonly_fields = ("name", "chain", "theme", "media_type", "byte_size", "sha256")
    extra = 0


@admin.register(Release)
class ReleaseAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["month", "version", "published_at", "change_note", "data_version"]
    list_filter = ["month"]
    readonly_fields = [
        "month", "version", "period_start", "period_end", "published_at", "change_note",
        "data_version", "values_computed_at",
    ]  # fmt: skip
    inlines = [ReleaseFileInline]
