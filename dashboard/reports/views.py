"""The unsubscribe link of the report e-mail: works without a login."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from dashboard.reports.mail import subscription_from_token


# RFC 8058 one-click: mail clients POST to the List-Unsubscribe address without a CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Unsubscribe the signed subscription at once; a bad token changes nothing."""
    subscription = subscription_from_token(token)
    if subscription is None:
        return render(request, "reports/unsubscribed.html", {"valid": False}, status=400)
    subscription.active = False
    subscription.save(update_fields=["active"])
    return render(
        request, "reports/unsubscribed.html", {"valid": True, "email": subscription.user.email}
    )
