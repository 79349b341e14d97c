"""Which partners' deliveries a user may follow on the ingest status page and in the API."""

from __future__ import annotations

from typing import Any

from accounts.access import VIEW_ALL_INGEST_STATUS, may_view_ingest_status
from accounts.models import UserProfile
from chain.models import Organisation


def ingest_partners(user: Any) -> list[str] | None:
    """The partners whose ingest status the user may see; None: the page is not for them.

    An empty list means a partner analyst whose account is linked to no organisation yet.
    """
    if not may_view_ingest_status(user):
        return None
    if user.is_staff or user.has_perm(VIEW_ALL_INGEST_STATUS):
        return list(Organisation.objects.order_by("code").values_list("code", flat=True))
    own = UserProfile.objects.filter(user=user, organisation__isnull=False)
    return list(own.values_list("organisation_id", flat=True))
