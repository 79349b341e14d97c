"""The report's pages: a user's subscription settings, and the e-mail's unsubscribe link."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from dashboard.models import Subscription
from dashboard.reports.forms import SubscriptionForm
from dashboard.reports.mail import subscription_from_token
from dashboard.tasks import send_report_preview


@login_required
@require_http_methods(["GET", "POST"])
def subscription(request: HttpRequest) -> HttpResponse:
    """Subscribe to the weekly report, change it, or ask for a preview now."""
    user = cast(User, request.user)  # login_required lets no anonymous user in
    current = Subscription.objects.filter(user=user).first()
    form = SubscriptionForm(request.POST or None, instance=current, user=user)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        if "preview" in request.POST:
            transaction.on_commit(lambda: send_report_preview.delay(saved.pk))
            messages.success(
                request,
                _("A preview of the report is on its way to %(email)s.") % {"email": user.email},
            )
        else:
            messages.success(request, _("Your report settings are saved."))
        return redirect("dashboard:subscription")
    status = 400 if form.errors else 200
    return render(request, "reports/subscription.html", {"form": form}, status=status)


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
    # The reader comes from the e-mail, so the page answers in the e-mail's language.
    with translation.override(subscription.language):
        return render(
            request, "reports/unsubscribed.html", {"valid": True, "email": subscription.user.email}
        )
