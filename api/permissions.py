"""Who may read the API: a person with a dashboard role, or a system with a read-scoped key."""

from typing import cast

from django.http import HttpRequest
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.access import may_view_dashboards
from accounts.models import OrganisationAPIKey
from ingest.access import ingest_partners


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
    """A person with a role on the dashboard (as its pages ask), or a key of ``read`` scope."""

    message = "Log in, or send 'Authorization: Api-Key <key>' with a key of read scope."

    def has_permission(self, request, view) -> bool:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if may_view_dashboards(user):
                return True
            self.message = "Your account has no role on the dashboard yet; ask an administrator."
            return False
        # The key the authentication already checked, rather than hashing it a second time.
        api_key = request.auth if isinstance(request.auth, OrganisationAPIKey) else None
        return api_key is not None and api_key.scope == OrganisationAPIKey.Scope.READ


def readable_partners(request: Request) -> list[str] | None:
    """The partners whose deliveries the caller may read; None for every partner.

    The same rule as the ingest status page: administrators every partner, partner analysts
    their own organisation; a read key of an organisation reads that organisation's only, a key
    without one none (as an analyst without one), unless an administrator made it chain-wide.
    """
    if isinstance(request.auth, OrganisationAPIKey):
        if request.auth.organisation_id:
            return [request.auth.organisation_id]
        return None if request.auth.chain_wide else []
    partners = ingest_partners(request.user)
    if partners is None:
        raise PermissionDenied("The deliveries are for administrators and partner analysts.")
    return partners
