"""Publishing a month's open data: a first release, or a correction as its next version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.db import connection, transaction

from chain import clock
from chain.indicators.engine import DATA_VERSION_KEY
from chain.periods import MONTH, Period, latest_complete, parse_period
from opendata.files import render
from opendata.models import Release, ReleaseFile
from opendata.selectors import month_data


class CannotPublish(ValueError):
    """The month cannot be published (not complete, or no figures); the message says why."""


@dataclass(frozen=True)
class Publication:
    """What publishing did: ``created`` a new version, or left ``release`` as it was."""

    release: Release
    created: bool
    message: str


def complete_month(*, label: str, today: date | None = None) -> Period:
    """``label`` (``2026-11``) as a month that has ended; CannotPublish says why it is not."""
    try:
        month = parse_period(label, MONTH)
    except ValueError as error:
        raise CannotPublish(str(error)) from error
    today = today or clock.today()
    if month.end >= today:
        raise CannotPublish(
            f"{month.label} is not complete yet: it ends on {month.end:%Y-%m-%d}, so it can be "
            f"published from {month.end + timedelta(days=1):%Y-%m-%d} on."
        )
    return month


def previous_month(*, today: date | None = None) -> str:
    """The label of the last month that has ended."""
    return latest_complete(today or clock.today(), MONTH).label


def publish_month(*, month: str, correction: str = "", today: date | None = None) -> Publication:
    """Publish ``month`` as version 1, or with ``correction`` (a change note) as a new version.

    A month already published stays as it is without a correction; with one, a new version is
    made only if a file would differ from the latest version's, else nothing changes. Refuses
    a month that has not ended, and one for which the engine computed no values.
    """
    period = complete_month(label=month, today=today)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Two publishers of one month (beat and a command) would both make the next version.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"opendata:{month}"])
        latest = Release.objects.filter(month=period.label).order_by("-version").first()
        if latest is not None and not correction:
            return Publication(
                release=latest, created=False,
                message=f"{period.label} is already published as version {latest.version}; "
                "a correction (with a note of what changed) makes a new version.",
            )  # fmt: skip
        data = month_data(month=period)
        if not data.tables:
            raise CannotPublish(
                f"No indicator values have been computed for {period.label}; "
                "compute the indicators first (manage.py compute_indicators)."
            )
        files = [file for table in data.tables for file in render(table)]
        if latest is not None:
            before = dict(latest.files.values_list("name", "sha256"))
            if before == {file.name: file.sha256 for file in files}:
                return Publication(
                    release=latest, created=False,
                    message=f"Nothing changed in {period.label} since version "
                    f"{latest.version}: no new version published.",
                )  # fmt: skip
        release = Release.objects.create(
            month=period.label, version=latest.version + 1 if latest else 1,
            period_start=period.start, period_end=period.end, published_at=clock.now(),
            change_note=correction if latest else "",
            data_version=str(cache.get(DATA_VERSION_KEY, "")),
            values_computed_at=data.values_computed_at,
        )  # fmt: skip
        ReleaseFile.objects.bulk_create(
            ReleaseFile(
                release=release,
                name=file.name,
                chain_id=file.chain,
                theme=file.theme,
                media_type=file.media_type,
                content=file.content,
                byte_size=len(file.content),
                sha256=file.sha256,
            )
            for file in files
        )
    size = sum(len(file.content) for file in files)
    return Publication(
        release=release, created=True,
        message=f"Published {period.label} version {release.version}: {len(files)} files, "
        f"{size:,} bytes.",
    )  # fmt: skip
