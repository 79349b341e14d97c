"""Admin of the weekly report: subscriptions and the record of every report sent."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from reports.models import ReportDelivery, Subscription


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
