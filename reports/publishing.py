"""Publishing the half-year chain report: a first version, or a revision as the next version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from chain import clock
from chain.indicators.engine import DATA_VERSION_KEY
from chain.periods import HALF_YEAR, Period, parse_period
from reports.half_year import LANGUAGES, differences, live_figures, render_pdf, sha256
from reports.models import HalfYearReport, HalfYearReportPDF


class CannotPublish(ValueError):
    """The half-year cannot be published (not a half-year, or not ended); the message says why."""


@dataclass(frozen=True)
class Publication:
    """What publishing did: ``created`` a new version, or left ``report`` as it was."""

    report: HalfYearReport
    created: bool
    message: str


def half_year(*, label: str) -> Period:
    """``2026-H1`` as a Period; ValueError says what is wrong with another label."""
    return parse_period(label, HALF_YEAR)


def complete_half_year(*, label: str, today: date | None = None) -> Period:
    """``label`` as a half-year that has ended; CannotPublish says why it is not."""
    try:
        period = half_year(label=label)
    except ValueError as error:
        raise CannotPublish(str(error)) from error
    today = today or clock.today()
    if period.end >= today:
        raise CannotPublish(
            f"{period.label} is not complete yet: it ends on {period.end:%Y-%m-%d}, so it can be "
            f"published from {period.end + timedelta(days=1):%Y-%m-%d} on."
        )
    return period


def latest_published(*, period: str) -> HalfYearReport | None:
    """The latest published version of the half-year's report, if any."""
    return HalfYearReport.objects.filter(period=period).order_by("-version").first()


def publish_half_year(
    *, period: str, revision: str = "", languages: tuple[str, ...] = LANGUAGES, user: str = "",
    today: date | None = None,
) -> Publication:  # fmt: skip
    """Publish the half-year's report as version 1, or with ``revision`` (why) as a new version.

    The live figures are frozen with the data version they rest on, and a PDF is made in each
    language. A half-year already published stays as it is without a revision note; with one,
    a new version is made only if a value or signal differs from the latest version's, and it
    lists those differences. Refuses a half-year that has not ended.
    """
    unknown = set(languages) - set(LANGUAGES)
    if unknown or not languages:
        raise CannotPublish(f"languages must be among {', '.join(LANGUAGES)}, not {languages}")
    checked = complete_half_year(label=period, today=today)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Two publishers of one half-year (the admin and a command) would both make the next
            # version.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"half-year:{period}"])
        latest = latest_published(period=checked.label)
        if latest is not None and not revision:
            return Publication(
                report=latest, created=False,
                message=f"{checked.label} is already published as version {latest.version}; "
                "a revision (with a note of why) makes a new version.",
            )  # fmt: skip
        data_version = str(cache.get(DATA_VERSION_KEY, ""))
        figures = live_figures(period=checked)
        changes = differences(latest.figures, figures) if latest is not None else []
        if latest is not None and not changes:
            return Publication(
                report=latest, created=False,
                message=f"No value of {checked.label} changed since version {latest.version}: "
                "no new version published.",
            )  # fmt: skip
        now = clock.now()
        report = HalfYearReport.objects.create(
            period=checked.label, version=latest.version + 1 if latest else 1, figures=figures,
            data_version=data_version, languages=list(languages), published_at=now,
            published_by=user, note=revision if latest else "", changes=changes,
        )  # fmt: skip
        for language in languages:
            day = timezone.localdate(now)
            pdf = render_pdf(figures, language=language, version=report.version, published=day)
            HalfYearReportPDF.objects.create(
                report=report, language=language, content=pdf, byte_size=len(pdf),
                sha256=sha256(pdf),
            )  # fmt: skip
    count = len(changes)
    changed = f"; {count} changed value{'' if count == 1 else 's'}" if latest else ""
    return Publication(
        report=report, created=True,
        message=f"Published {checked.label} version {report.version} "
        f"({', '.join(languages)}{changed}).",
    )  # fmt: skip


def report_pdf(*, period: Period, language: str) -> tuple[bytes, HalfYearReport | None]:
    """The half-year's PDF in ``language``, and the published version it is, if any.

    A published half-year gives the bytes stored when it was published (made from its frozen
    figures if it was published in the other language only); one not published, the PDF of
    the live figures.
    """
    published = latest_published(period=period.label)
    if published is None:
        return render_pdf(live_figures(period=period), language=language), None
    stored = published.pdfs.filter(language=language).first()
    if stored is not None:
        return bytes(stored.content), published
    content = render_pdf(
        published.figures, language=language, version=published.version,
        published=timezone.localdate(published.published_at),
    )  # fmt: skip
    return content, published
