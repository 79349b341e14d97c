"""The reports' pages: a user's subscription settings, the e-mail's unsubscribe link, and the
half-year chain report as a page and as a PDF."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import dashboard_view
from chain import clock
from chain.periods import HALF_YEAR, Period, latest_complete
from reports.forms import SubscriptionForm
from reports.half_year import describe, differences, live_figures, present
from reports.mail import subscription_from_token
from reports.models import Subscription
from reports.publishing import CannotPublish, complete_half_year, latest_published, report_pdf
from reports.sending import claim_preview
from reports.tasks import send_report_preview


@dashboard_view
@require_http_methods(["GET", "POST"])
def subscription(request: HttpRequest) -> HttpResponse:
    """Subscribe to the weekly report, change it, or ask for a preview now.

    The report holds the whole chain's figures, so only users with a dashboard role get here.
    """
    user = cast(User, request.user)  # dashboard_view lets no anonymous user in
    current = Subscription.objects.filter(user=user).first()
    preview = "preview" in request.POST
    form = SubscriptionForm(request.POST or None, instance=current, user=user, preview=preview)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        next_preview = claim_preview(subscription=saved) if preview else None
        if next_preview is not None:
            messages.error(request, _(
                "Your report settings are saved, but no preview was sent: one was asked for "
                "less than %(minutes)s minutes ago. You can ask for the next one at %(time)s."
            ) % {
                "minutes": int(settings.REPORT_PREVIEW_INTERVAL.total_seconds() // 60),
                "time": date_format(localtime(next_preview), "TIME_FORMAT"),
            })  # fmt: skip
        elif preview:
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
    """A POST unsubscribes the signed subscription at once; a GET only asks to confirm.

    Link scanners of mail systems follow every link in a message with a GET, so a GET must
    change nothing. The page's button POSTs what a one-click mail client sends. A bad token
    changes nothing either way.
    """
    subscription = subscription_from_token(token)
    if subscription is None:
        return render(request, "reports/unsubscribe.html", {"state": "invalid"}, status=400)
    if request.method == "POST":
        subscription.active = False
        subscription.save(update_fields=["active"])
    context = {
        "state": "done" if request.method == "POST" else "confirm",
        "email": subscription.user.email,
    }
    # The reader comes from the e-mail, so the page answers in the e-mail's language.
    with translation.override(subscription.language):
        return render(request, "reports/unsubscribe.html", context)


def _ended_half_year(label: str) -> Period:
    """The half-year of the URL; 404 for one that does not exist or has not ended.

    A half-year still running would be set against whole halves of the years before: its
    counts would read as falls that are only the months still to come.
    """
    try:
        return complete_half_year(label=label)
    except CannotPublish as error:
        raise Http404(str(error)) from error


def _language() -> str:
    return "en" if (translation.get_language() or "nl").startswith("en") else "nl"


@dashboard_view
@require_GET
def latest_half_year(request: HttpRequest) -> HttpResponse:
    """The report of the last half-year that has ended."""
    return redirect("dashboard:half_year", latest_complete(clock.today(), HALF_YEAR).label)


@dashboard_view
@require_GET
def half_year(request: HttpRequest, period: str) -> HttpResponse:
    """The half-year chain report in the page's language, printable.

    A published half-year shows the figures as published, with a notice listing the values
    that the live figures have changed since; one not published shows the live figures.
    """
    checked = _ended_half_year(period)
    language = _language()
    published = latest_published(period=checked.label)
    live = live_figures(period=checked)
    context: dict[str, object] = {"published": published}
    if published is None:
        context["report"] = present(live, language=language)
    else:
        context["report"] = present(
            published.figures, language=language, version=published.version,
            published=localtime(published.published_at).date(),
        )  # fmt: skip
        context["changed"] = describe(differences(published.figures, live), live)
        context["revision_changes"] = describe(published.changes, published.figures)
    return render(request, "reports/half_year.html", context)


@dashboard_view
@require_GET
def half_year_pdf(request: HttpRequest, period: str) -> HttpResponse:
    """The report as a PDF in the page's language: the published bytes, or the live figures."""
    checked = _ended_half_year(period)
    language = _language()
    content, published = report_pdf(period=checked, language=language)
    name = f"{checked.label}-v{published.version}" if published else checked.label
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="chain-report-{name}-{language}.pdf"'
    return response
