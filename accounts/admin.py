"""Admin of the accounts: users' organisations and the API keys."""

from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin

from accounts.models import OrganisationAPIKey, UserProfile


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]


@admin.register(OrganisationAPIKey)
class OrganisationAPIKeyAdmin(APIKeyModelAdmin):
    # The library leaves these unannotated, so mypy takes them as fixed-length tuples; Django
    # takes any sequence.
    list_display = [*APIKeyModelAdmin.list_display, "organisation", "scope", "chain_wide"]  # type: ignore[assignment]
    list_filter = [*APIKeyModelAdmin.list_filter, "organisation", "scope", "chain_wide"]  # type: ignore[assignment]
