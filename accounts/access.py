"""Who may see which page: the three roles, as groups carrying the dashboard's permissions.

- **chain director**: every dashboard page;
- **partner analyst**: every dashboard page, and the ingest status of the own organisation
  (``UserProfile.organisation``);
- **administrator**: everything, the admin included (entering the admin also takes the staff
  flag, as Django's admin always does).

Staff and superusers see everything. The groups are created by ``dashboard/migrations/0003``;
which partners' ingest status a partner analyst sees is ``ingest.access``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

CHAIN_DIRECTOR = "chain director"
PARTNER_ANALYST = "partner analyst"
ADMINISTRATOR = "administrator"
VIEW_DASHBOARDS = "accounts.view_dashboards"
VIEW_OWN_INGEST_STATUS = "accounts.view_own_ingest_status"
VIEW_ALL_INGEST_STATUS = "accounts.view_all_ingest_status"

View = Callable[..., HttpResponse]


def may_view_dashboards(user: Any) -> bool:
    """Whether the user may see the dashboard pages."""
    return user.is_active and (user.is_staff or user.has_perm(VIEW_DASHBOARDS))


def may_view_ingest_status(user: Any) -> bool:
    """Whether the ingest status page is for this user at all (some partners, or every one)."""
    return user.is_active and (
        user.is_staff
        or user.has_perm(VIEW_ALL_INGEST_STATUS)
        or user.has_perm(VIEW_OWN_INGEST_STATUS)
    )


def dashboard_view(view: View) -> View:
    """Login required (anonymous visitors go to the login page), then a dashboard role."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_view_dashboards(request.user):
            raise PermissionDenied(
                _("Your account has no role on the dashboard yet; ask an administrator for one.")
            )
        return view(request, *args, **kwargs)

    return login_required(checked)
