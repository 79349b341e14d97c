"""One pull cycle over every configured source (what beat runs every few minutes)."""

from __future__ import annotations

import logging

from django.conf import settings

from chain import clock
from chain.models import Organisation
from ingest.fedasil_feed import pull_feed
from ingest.landing import landing_folder, pull_landing_folder
from ingest.models import Source
from ingest.services import ImportSummary

logger = logging.getLogger(__name__)
# Partners that deliver files when no Source row says otherwise.
FILE_PARTNERS = ("IND", "COA", "DTV", "DVZ")


def pull_all() -> dict[str, list[ImportSummary]]:
    """Pull every enabled source once; a failing source is recorded and the others go on."""
    if settings.FEDASIL_FEED_URL:
        # The feed's cursor must persist between runs, so its source is always a stored row.
        Source.objects.get_or_create(organisation_id="FEDASIL", defaults={"kind": Source.Kind.FEED})
    configured = {s.organisation_id: s for s in Source.objects.all()}
    results: dict[str, list[ImportSummary]] = {}
    for organisation in Organisation.objects.order_by("code"):
        source = configured.get(organisation.code)
        if source is None and organisation.code in FILE_PARTNERS:
            source = Source(organisation=organisation, kind=Source.Kind.LANDING)
        if source is None or not source.enabled:
            continue
        if source.kind == Source.Kind.FEED:
            results[organisation.code] = pull_feed(source=source)
            continue
        folder = landing_folder(organisation.code, source.path)
        try:
            results[organisation.code] = pull_landing_folder(
                partner=organisation.code, folder=folder
            )
            source.last_error = ""
        except OSError as err:
            logger.error("pulling %s from %s failed: %s", organisation.code, folder, err)
            source.last_error = f"{folder}: {err}"
        if source.pk:
            source.last_pulled_at = clock.now()
            source.save(update_fields=["last_pulled_at", "last_error"])
    return results
