"""Ingest services: record a delivery, then ingest it whole or not at all."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.db import transaction

from chain import clock
from chain.models import Extract, Organisation
from chain.tasks import schedule_recompute
from ingest.adapters import adapter_for
from ingest.adapters.base import ExtractRejected, Row
from ingest.loader import load_rows
from ingest.models import Source
from ingest.pseudonym_key import check_pseudonym_key

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


class RefusedFile(Exception):
    """A delivered file that is not read: a link, not a plain file, or gone; says which."""


def open_delivered(path: Path) -> BinaryIO:
    """Open a delivered file for reading, refusing anything but a plain file of its own.

    A partner can write its landing folder, so a name there may be a symbolic link to any file
    the worker can read; ``O_NOFOLLOW`` refuses one without reading its target, and the checks
    on the opened file (not on the name, which can change meanwhile) refuse a device, a pipe or
    a hard link to a file elsewhere.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise RefusedFile(f"{path.name} vanished from {path.parent} before it was read") from None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise RefusedFile(
                f"{path.name} is a symbolic link; links are refused and their target is not read"
            ) from None
        raise
    info = os.fstat(fd)
    problem = ""
    if not stat.S_ISREG(info.st_mode):
        problem = f"{path.name} is not a plain file; it is not read"
    elif info.st_nlink > 1:
        problem = f"{path.name} has other hard links, so it may be another's file; it is not read"
    if problem:
        os.close(fd)
        raise RefusedFile(problem)
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def file_digest(stream: BinaryIO) -> tuple[str, int]:
    """SHA-256 and size of an open file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def register_file(*, partner: str, path: Path, channel: str = Extract.Channel.FILE) -> Extract:
    """Record a delivered file; one whose content was already ingested is marked duplicate,
    one that is refused unread (see ``open_delivered``) is recorded rejected with the reason."""
    organisation = Organisation.objects.get(code=partner)
    extract = Extract(organisation=organisation, channel=channel, name=path.name, path=str(path))
    try:
        with open_delivered(path) as stream:
            extract.sha256, extract.size = file_digest(stream)
    except RefusedFile as err:
        _refuse(extract, err)
        return extract
    earlier = (
        Extract.objects.filter(organisation=organisation, sha256=extract.sha256, status__in=GOOD)
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


def _refuse(extract: Extract, err: RefusedFile) -> None:
    extract.status = Extract.Status.REJECTED
    extract.reason = f"refused: {err}"
    extract.finished_at = clock.now()
    extract.save()
    logger.warning("extract %s (%s) refused: %s", extract.pk, extract.name, err)


def summary_of(extract: Extract) -> ImportSummary:
    """The answer for an extract finished without loading rows (a duplicate, a refusal)."""
    return ImportSummary(extract_id=extract.pk, status=extract.status, reason=extract.reason)


def record_pull(*, source: Source, error: str = "") -> None:
    """Record a pull of ``source``: when, and why it failed (an empty ``error`` clears it)."""
    now = clock.now()
    source.last_pulled_at = now
    source.last_error = error
    source.last_error_at = now if error else None
    # Only these: an administrator may have changed the source's settings during the pull.
    source.save(update_fields=["last_pulled_at", "last_error", "last_error_at"])


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
        try:
            stream = open_delivered(Path(extract.path))
        except RefusedFile as err:
            # Left waiting, a vanished file would be retried, and fail, every cycle.
            _refuse(extract, err)
            return summary_of(extract)
        with stream:
            return load_extract(extract, adapter.parse(stream))


def load_extract(extract: Extract, rows: Iterable[Row]) -> ImportSummary:
    """Load rows into a recorded extract inside a savepoint; a whole rejection keeps nothing.

    ``PseudonymKeyChanged`` when the configured key is not the database's: the caller's
    transaction is rolled back and the extract waits, untouched, for the right key.
    """
    check_pseudonym_key()
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
        return summary_of(extract)
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
    if extract.is_finished:
        return summary_of(extract)
    summary = ingest_extract(extract_id=extract.pk)
    assert summary is not None, "a freshly registered extract is always waiting"
    return summary
