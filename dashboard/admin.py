"""Admin of the dashboard's own data: which organisation a user (a partner analyst) works for."""

from django.contrib import admin

from dashboard.models import UserProfile


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]
