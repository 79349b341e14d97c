"""Rotating the pseudonym key: every person key and event identity rebuilt from the archive.

A key cannot be rotated in place: the stored keys are HMACs of raw numbers the database does
not hold. The archive does hold them: every file extract and every Fedasil feed page that was
accepted is kept (``docs/operations.md``, "Landing folders"). So a rotation deletes the
events, cases and case facts and ingests those archived extracts again, oldest first, under
the configured key, in ONE transaction: readers see the old figures until it commits, and
anything that fails (an archived file gone, an unreadable file) leaves everything as it was.
Pushed events are the exception: a push keeps no raw number, so they cannot be rebuilt and
the operator must agree to drop them (the partner can push them again).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from chain.indicators.engine import compute_all
from chain.models import Extract, StatusEvent
from ingest.adapters import adapter_for
from ingest.models import PseudonymKey, RejectedRow
from ingest.pseudonymize import key_fingerprint, person_key
from ingest.services import GOOD, load_extract

logger = logging.getLogger(__name__)
REBUILT_CHANNELS = (Extract.Channel.FILE, Extract.Channel.FEED)
# Derived from the events (or keyed with the pseudonym key): emptied, then rebuilt.
CLEARED_TABLES = ("chain_casefact", "chain_statusevent", "chain_case", "chain_dirtyrange")


class RotationRefused(Exception):
    """The rotation cannot be done safely; nothing was changed."""


@dataclass(frozen=True)
class Rotation:
    """What a rotation rebuilt: extracts ingested again, events now stored, pushed dropped."""

    extracts: int
    events: int
    dropped_pushed_events: int


def rotate_pseudonym_key(*, drop_pushed_events: bool) -> Rotation:
    """Rebuild the database's pseudonyms under the configured ``PSI_PSEUDONYM_KEY``.

    ``RotationRefused`` (nothing changed) when the configured key is the recorded one, when an
    archived extract cannot be read, or when pushed events would be lost without
    ``drop_pushed_events``.
    """
    current = key_fingerprint(settings.PSI_PSEUDONYM_KEY)
    with transaction.atomic():
        # Held to the end: a second rotation waits. Ingests check the key without locking and
        # are refused until this commits (the database still records the earlier key).
        recorded = PseudonymKey.objects.select_for_update().filter(pk=1).first()
        if recorded is None or recorded.fingerprint == current:
            raise RotationRefused(
                "PSI_PSEUDONYM_KEY is already the key this database's pseudonyms were made with: "
                "set the new key in the environment, then run the rotation."
            )
        extracts = list(
            Extract.objects.filter(status__in=GOOD, channel__in=REBUILT_CHANNELS)
            .select_related("organisation__chain")
            .order_by("received_at", "pk")
        )
        missing = [extract for extract in extracts if not Path(extract.path).is_file()]
        if missing:
            raise RotationRefused(
                f"{len(missing)} archived extract(s) cannot be read, e.g. extract "
                f"{missing[0].pk} ({missing[0].name}) at {missing[0].path}; restore them from "
                "the backup of the landing folders. Nothing was changed."
            )
        pushed = StatusEvent.objects.filter(extract__channel=Extract.Channel.PUSH).count()
        if pushed and not drop_pushed_events:
            raise RotationRefused(
                f"{pushed} pushed event(s) keep no raw V- or SP-number and cannot be rebuilt "
                "under the new key. Run again with --drop-pushed-events to drop them (ask the "
                "partners to push them again). Nothing was changed."
            )
        with connection.cursor() as cursor:
            for table in CLEARED_TABLES:
                # DELETE, not TRUNCATE: readers keep the old figures until the commit. The
                # table names are the fixed ones above, never input.
                cursor.execute(f"DELETE FROM {table}")
        RejectedRow.objects.filter(extract__in=extracts).delete()
        recorded.fingerprint = current
        recorded.save(update_fields=["fingerprint"])
        person_key.cache_clear()
        for extract in extracts:
            with Path(extract.path).open("rb") as stream:
                load_extract(extract, adapter_for(extract.organisation_id).parse(stream))
        compute_all()
        events = StatusEvent.objects.count()
    logger.warning(
        "pseudonym key rotated: %s archived extracts ingested again, %s events, %s pushed "
        "events dropped", len(extracts), events, pushed,
    )  # fmt: skip
    return Rotation(extracts=len(extracts), events=events, dropped_pushed_events=pushed)
