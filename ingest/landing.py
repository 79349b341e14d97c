"""Landing folders: the folder a partner's SFTP drop or file share writes its extracts to.

Layout under ``LANDING_ROOT/<PARTNER>/``: new files arrive at the top; a worker claims a file
by renaming it into ``processing/`` (a rename is atomic, so of two workers pulling at once
exactly one gets it); after the ingest it moves to ``archive/`` or, when rejected whole, to
``rejected/`` with a ``.reason.txt`` beside it. An extract left in ``processing/`` by a killed
worker is still ``received`` in the database, and the next cycle ingests it whole.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from django.conf import settings

from chain import clock
from ingest.models import Extract
from ingest.services import ImportSummary, ingest_extract, register_file

logger = logging.getLogger(__name__)
# A partner may still be writing a file that changed this recently; temp names are skipped.
SETTLE_SECONDS = 2.0
TEMPORARY_SUFFIXES = (".part", ".tmp", ".filepart", ".partial")


def landing_folder(partner: str, configured: str = "") -> Path:
    """The partner's landing folder: the configured path, else ``LANDING_ROOT/<partner>``."""
    return Path(configured) if configured else Path(settings.LANDING_ROOT) / partner


def complete_files(folder: Path, *, now: float | None = None) -> list[Path]:
    """Files at the top of the folder that are done being written, oldest name first."""
    now = clock.now().timestamp() if now is None else now
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and not p.name.startswith(".")
        and not p.name.endswith(TEMPORARY_SUFFIXES)
        and now - p.stat().st_mtime >= SETTLE_SECONDS
    )


def pull_landing_folder(*, partner: str, folder: Path) -> list[ImportSummary]:
    """One cycle over a landing folder: resume what a killed worker left, then new files."""
    summaries = [
        s for pk in _left_behind(partner) if (s := _ingest_and_file(pk, folder)) is not None
    ]
    processing = folder / "processing"
    processing.mkdir(parents=True, exist_ok=True)
    for path in complete_files(folder):
        claimed = processing / path.name
        try:
            path.rename(claimed)
        except FileNotFoundError:
            continue  # another worker claimed it first
        extract = register_file(partner=partner, path=claimed)
        if extract.status == Extract.Status.DUPLICATE:
            _file_away(extract, folder)
            summaries.append(
                ImportSummary(extract_id=extract.pk, status=extract.status, reason=extract.reason)
            )
            continue
        summary = _ingest_and_file(extract.pk, folder)
        if summary is not None:
            summaries.append(summary)
    return summaries


def _left_behind(partner: str) -> list[int]:
    return list(
        Extract.objects.filter(
            organisation_id=partner, channel=Extract.Channel.FILE, status=Extract.Status.RECEIVED,
            path__contains="/processing/",
        ).values_list("pk", flat=True)
    )  # fmt: skip


def _ingest_and_file(extract_id: int, folder: Path) -> ImportSummary | None:
    summary = ingest_extract(extract_id=extract_id)
    if summary is not None:
        _file_away(Extract.objects.get(pk=extract_id), folder)
    return summary


def _file_away(extract: Extract, folder: Path) -> None:
    """Move the file out of ``processing/``: archived, or rejected beside its reason."""
    source = Path(extract.path)
    rejected = extract.status == Extract.Status.REJECTED
    target_dir = folder / ("rejected" if rejected else "archive")
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / source.name
    if target.exists():
        target = target_dir / f"{extract.pk}-{source.name}"
    shutil.move(source, target)
    if rejected:
        target.with_name(target.name + ".reason.txt").write_text(extract.reason + "\n")
    Extract.objects.filter(pk=extract.pk).update(path=str(target))
    logger.info("extract %s (%s) %s -> %s", extract.pk, extract.name, extract.status, target)
