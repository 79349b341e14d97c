"""Who may read the API: a logged-in person, or a system with a read-scoped API key."""

from typing import cast

from django.http import HttpRequest
from rest_framework.permissions import BasePermission

from ingest.models import OrganisationAPIKey


def api_key_from(request: HttpRequest) -> OrganisationAPIKey | None:
    """The valid, unrevoked key in ``Authorization: Api-Key <key>``, or None."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, key = header.partition(" ")
    if scheme != "Api-Key" or not key.strip():
        return None
    try:
        # The manager finds keys of its own model; the library annotates the abstract base.
        api_key = cast(OrganisationAPIKey, OrganisationAPIKey.objects.get_from_key(key.strip()))
    except OrganisationAPIKey.DoesNotExist:
        return None
    if api_key.has_expired or api_key.revoked:
        return None
    return api_key


class HasReadAccess(BasePermission):
    """A session user, or an API key with the ``read`` scope."""

    message = "Log in, or send 'Authorization: Api-Key <key>' with a key of read scope."

    def has_permission(self, request, view) -> bool:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
        # The key the authentication already checked, rather than hashing it a second time.
        api_key = request.auth if isinstance(request.auth, OrganisationAPIKey) else None
        return api_key is not None and api_key.scope == OrganisationAPIKey.Scope.READ
