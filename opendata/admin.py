"""Releases in the admin, read-only: a published release is never changed or deleted."""

from django.contrib import admin

from chain.admin import ViewOnly
from opendata.models import Release, ReleaseFile


class ReleaseFileInline(ViewOnly, admin.TabularInline):
    model = ReleaseFile
    fields = readonly_fields = ("name", "chain", "theme", "media_type", "byte_size", "sha256")
    extra = 0


@admin.register(Release)
class ReleaseAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["month", "version", "published_at", "change_note", "data_version"]
    list_filter = ["month"]
    readonly_fields = [
        "month", "version", "period_start", "period_end", "published_at", "change_note",
        "data_version", "values_computed_at",
    ]  # fmt: skip
    inlines = [ReleaseFileInline]
