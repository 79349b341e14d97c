"""The report as an e-mail: HTML with a plain-text alternative and inline chart images."""

from __future__ import annotations

import logging
from email.mime.image import MIMEImage

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.charts import draw_chart
from reports.content import Report, bands_of
from reports.models import Subscription

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "report-unsubscribe"


def unsubscribe_url(subscription: Subscription) -> str:
    """A link that unsubscribes without a login: the subscription id, signed."""
    token = signing.dumps(subscription.pk, salt=UNSUBSCRIBE_SALT)
    return settings.SITE_URL + reverse("dashboard:unsubscribe", args=[token])


def subscription_from_token(token: str) -> Subscription | None:
    """The subscription a valid unsubscribe token names, or None for a forged or bad token."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Subscription.objects.filter(pk=pk).first()


def compose(*, subscription: Subscription, report: Report) -> EmailMultiAlternatives:
    """The e-mail of one report for one subscriber, ready to send."""
    with translation.override(report.language):
        images, failed = _charts(report)
        _link_rows(report)
        unsubscribe = unsubscribe_url(subscription)
        context = {
            "report": report, "failed_charts": failed, "unsubscribe_url": unsubscribe,
            "site_url": settings.SITE_URL,
        }  # fmt: skip
        worsened = sum(len(c.worsened) for c in report.chains)
        subject = _("Chain report week %(week)s") % {"week": report.week.label}
        if worsened:
            subject += " — " + ngettext(
                "%(n)d signal got worse", "%(n)d signals got worse", worsened
            ) % {"n": worsened}
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("reports/weekly.txt", context),
            to=[subscription.user.email],
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(render_to_string("reports/weekly.html", context), "text/html")
    # multipart/related lets the HTML part show the images by cid:.
    message.mixed_subtype = "related"  # type: ignore[attr-defined]
    for cid, png in images:
        image = MIMEImage(png, "png")
        image.add_header("Content-ID", f"<{cid}>")
        image.add_header("Content-Disposition", "inline", filename=f"{cid.split('@')[0]}.png")
        message.attach(image)
    return message


def _charts(report: Report) -> tuple[list[tuple[str, bytes]], list[str]]:
    """A chart per indicator whose signal changed; a chart that fails is named, not fatal."""
    images: list[tuple[str, bytes]] = []
    failed: list[str] = []
    for chain, row in report.changed_rows:
        try:
            png = draw_chart(
                title=f"{chain} · {row.name}", values=row.history, bands=bands_of(row, chain),
                unit=row.indicator.unit,
            )  # fmt: skip
        except Exception:
            logger.exception("chart for %s %s could not be drawn", chain, row.indicator.code)
            failed.append(f"{chain} · {row.name}")
            continue
        row.cid = f"{row.indicator.code}-{chain}@ketendashboard"
        images.append((row.cid, png))
    return images, failed


def _link_rows(report: Report) -> None:
    for chain in report.chains:
        for row in chain.rows:
            path = reverse("dashboard:indicator", args=[row.indicator.code])
            row.link = f"{settings.SITE_URL}{path}?chain={chain.chain}&period=week"
