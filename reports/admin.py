"""Admin of the reports: subscriptions, the record of every weekly report sent, and the
published half-year reports (read-only, with an action that publishes a revision)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from chain.admin import ViewOnly
from reports.models import HalfYearReport, HalfYearReportPDF, ReportDelivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "chain", "language", "active", "created_at"]
    list_filter = ["active", "chain", "language"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]

    @admin.display(ordering="user__email")
    def email(self, subscription: Subscription) -> str:
        return subscription.user.email

    def get_queryset(self, request: HttpRequest) -> QuerySet[Subscription]:
        return super().get_queryset(request).select_related("user")


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin):
    """The record of every report sent; a failed one stays here with its error to act on."""

    list_display = ["week", "subscription", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "week"]
    search_fields = ["subscription__user__username", "subscription__user__email"]
    readonly_fields = [f.name for f in ReportDelivery._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReportDelivery]:
        return super().get_queryset(request).select_related("subscription__user")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Deliveries are made by the scheduler only; an administrator reads and filters them.
        return False


class HalfYearReportPDFInline(ViewOnly, admin.TabularInline):
    model = HalfYearReportPDF
    fields = readonly_fields = ("language", "byte_size", "sha256")
    extra = 0


@admin.register(HalfYearReport)
class HalfYearReportAdmin(ViewOnly, admin.ModelAdmin):
    """Published half-year reports; a first version is ``manage.py chain_report --publish``."""

    list_display = ["period", "version", "published_at", "published_by", "data_version", "note"]
    list_filter = ["period"]
    readonly_fields = [
        "period", "version", "published_at", "published_by", "data_version", "languages",
        "note", "changes", "figures",
    ]  # fmt: skip
    inlines = [HalfYearReportPDFInline]
    actions = ["publish_revision"]

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("reports.add_halfyearreport")

    @admin.action(
        description="Publish a revision from the live figures (if any value changed)",
        permissions=["publish"],
    )
    def publish_revision(self, request: HttpRequest, queryset: QuerySet[HalfYearReport]) -> None:
        """A new version of each selected half-year whose live values differ from its latest."""
        # Imported here: every command loads the admin, and only publishing needs the PDF
        # renderer and matplotlib (``ingest_file`` must start without them).
        from reports.publishing import CannotPublish, publish_half_year

        for period in sorted(set(queryset.values_list("period", flat=True))):
            try:
                publication = publish_half_year(
                    period=period, user=request.user.get_username(),
                    revision=f"Revision published in the admin by {request.user.get_username()}.",
                )  # fmt: skip
            except CannotPublish as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, publication.message)
