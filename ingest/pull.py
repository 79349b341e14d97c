"""One pull cycle over every configured source (what beat runs every few minutes)."""

from __future__ import annotations

import logging

from django.conf import settings

from chain.models import Organisation
from ingest.fedasil_feed import pull_feed
from ingest.landing import UnsafeLandingFolder, landing_folder, pull_landing_folder
from ingest.models import Source
from ingest.services import ImportSummary, record_pull

logger = logging.getLogger(__name__)
# Partners that deliver files when no Source row says otherwise.
FILE_PARTNERS = ("IND", "COA", "DTV", "DVZ")


def pull_all() -> dict[str, list[ImportSummary]]:
    """Pull every enabled source once; a failing source is recorded and the others go on."""
    if settings.FEDASIL_FEED_URL:
        # The feed's cursor must persist between runs, so its source is always a stored row.
        Source.objects.get_or_create(organisation_id="FEDASIL", defaults={"kind": Source.Kind.FEED})
    # A stored row, so that a failure is recorded where the ingest page shows it.
    for code in Organisation.objects.filter(code__in=FILE_PARTNERS).values_list("code", flat=True):
        Source.objects.get_or_create(organisation_id=code, defaults={"kind": Source.Kind.LANDING})
    results: dict[str, list[ImportSummary]] = {}
    for source in Source.objects.filter(enabled=True).order_by("organisation_id"):
        results[source.organisation_id] = pull_source(source=source)
    return results


def pull_source(*, source: Source) -> list[ImportSummary]:
    """Pull one source; any failure is recorded on it and logged, never raised."""
    try:
        if source.kind == Source.Kind.FEED:
            # The feed records its own outcome: pages it took before failing stand.
            return pull_feed(source=source)
        folder = landing_folder(source.organisation_id, source.path)
        summaries = pull_landing_folder(partner=source.organisation_id, folder=folder)
    except UnsafeLandingFolder as err:
        logger.error("pulling %s refused: %s", source.organisation_id, err)
        record_pull(source=source, error=str(err))
        return []
    except Exception as err:
        # One source's failure, whatever it is, must not keep the others from being pulled.
        logger.exception("pulling %s failed", source.organisation_id)
        record_pull(source=source, error=f"{type(err).__name__}: {err}")
        return []
    record_pull(source=source)
    return summaries
