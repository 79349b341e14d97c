"""Ingest services: record a delivery, then ingest it whole or not at all."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.db import transaction

from chain import clock
from chain.models import Organisation
from chain.tasks import schedule_recompute
from ingest.adapters import adapter_for
from ingest.adapters.base import ExtractRejected, Row
from ingest.loader import load_rows
from ingest.models import Extract

logger = logging.getLogger(__name__)
GOOD = (Extract.Status.ACCEPTED, Extract.Status.PARTIALLY_ACCEPTED)


@dataclass
class ImportSummary:
    """The answer for one delivery, the same for a file, a feed page and a push."""

    extract_id: int
    status: str
    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    conflicts: list[dict[str, object]] = field(default_factory=list)
    reason: str = ""

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        if not self.reason:
            data.pop("reason")
        return data


def file_digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def register_file(*, partner: str, path: Path, channel: str = Extract.Channel.FILE) -> Extract:
    """Record a delivered file; one whose content was already ingested is marked duplicate."""
    organisation = Organisation.objects.get(code=partner)
    sha256, size = file_digest(path)
    extract = Extract(
        organisation=organisation, channel=channel, name=path.name, path=str(path),
        sha256=sha256, size=size,
    )  # fmt: skip
    earlier = (
        Extract.objects.filter(organisation=organisation, sha256=sha256, status__in=GOOD)
        .order_by("received_at")
        .first()
    )
    if earlier is not None:
        extract.status = Extract.Status.DUPLICATE
        extract.reason = (
            f"same content as extract {earlier.pk} ({earlier.name}), already ingested; skipped"
        )
        extract.finished_at = clock.now()
    extract.save()
    return extract


def ingest_extract(*, extract_id: int) -> ImportSummary | None:
    """Ingest a received file extract in one transaction.

    The extract's row is locked with ``SELECT … FOR UPDATE SKIP LOCKED`` for the whole
    transaction, so two workers never ingest it twice; a worker killed halfway leaves it
    ``received`` and the next cycle ingests it whole. Returns None when the extract is not
    (or no longer) waiting, or another worker holds it.
    """
    with transaction.atomic():
        # ``of=("self",)``: locking the joined organisation and chain rows too would make a
        # second worker skip every other extract of the same chain while one is loading.
        extract = (
            Extract.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("organisation__chain")
            .filter(pk=extract_id, status=Extract.Status.RECEIVED)
            .first()
        )
        if extract is None:
            return None
        extract.started_at = clock.now()
        adapter = adapter_for(extract.organisation_id)
        with Path(extract.path).open("rb") as stream:
            return load_extract(extract, adapter.parse(stream))


def load_extract(extract: Extract, rows: Iterable[Row]) -> ImportSummary:
    """Load rows into a recorded extract inside a savepoint; a whole rejection keeps nothing."""
    chain = extract.organisation.chain
    try:
        with transaction.atomic():
            result = load_rows(
                extract_id=extract.pk, organisation=extract.organisation_id, chain=chain.code,
                timezone=chain.timezone, rows=rows,
            )  # fmt: skip
    except ExtractRejected as err:
        extract.status = Extract.Status.REJECTED
        extract.reason = str(err)
        extract.finished_at = clock.now()
        extract.save()
        logger.warning("extract %s (%s) rejected: %s", extract.pk, extract.name, err)
        return ImportSummary(extract_id=extract.pk, status=extract.status, reason=extract.reason)
    extract.rows_read = result.received
    extract.accepted = result.accepted
    extract.duplicates = result.duplicates
    extract.rejected = result.rejected
    extract.earliest_date = result.earliest
    extract.latest_date = result.latest
    if result.rejected == 0:
        extract.status = Extract.Status.ACCEPTED
    elif result.accepted + result.duplicates > 0:
        extract.status = Extract.Status.PARTIALLY_ACCEPTED
    else:
        extract.status = Extract.Status.REJECTED
        extract.reason = "every row was rejected"
    extract.finished_at = clock.now()
    extract.save()
    if result.accepted:
        # Every way in (file, feed page, push) ends here: recompute what the rows touched.
        transaction.on_commit(schedule_recompute)
    logger.info(
        "extract %s (%s): %s, %s read, %s accepted, %s duplicates, %s rejected",
        extract.pk, extract.name, extract.status, result.received, result.accepted,
        result.duplicates, result.rejected,
    )  # fmt: skip
    return ImportSummary(
        extract_id=extract.pk, status=extract.status, received=result.received,
        accepted=result.accepted, duplicates=result.duplicates, rejected=result.rejected,
        conflicts=result.conflicts, reason=extract.reason,
    )  # fmt: skip


def ingest_file(*, partner: str, path: Path) -> ImportSummary:
    """Record and ingest one file now (``manage.py ingest_file``)."""
    extract = register_file(partner=partner, path=path)
    if extract.status == Extract.Status.DUPLICATE:
        return ImportSummary(extract_id=extract.pk, status=extract.status, reason=extract.reason)
    summary = ingest_extract(extract_id=extract.pk)
    assert summary is not None, "a freshly registered extract is always waiting"
    return summary
