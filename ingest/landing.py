"""Landing folders: the folder a partner's SFTP drop or file share writes its extracts to.

Layout under ``LANDING_ROOT/<PARTNER>/``: new files arrive at the top; a worker claims a file
by renaming it into ``processing/`` (a rename is atomic, so of two workers pulling at once
exactly one gets it); after the ingest it moves to ``archive/`` or, when rejected whole, to
``rejected/`` with a ``.reason.txt`` beside it. An extract left in ``processing/`` by a killed
worker is still ``received`` in the database, and the next cycle ingests it whole.

The partner can write its folder, so nothing in it is trusted: a partner folder or subfolder
that is a symbolic link stops the cycle of that partner (recorded on its source), and a file
that is a link is refused unread (recorded as a rejected extract). Links are never followed,
so a partner can neither make the worker read nor write outside its folder.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
from pathlib import Path

from django.conf import settings

from chain import clock
from chain.models import Extract
from ingest.services import ImportSummary, ingest_extract, register_file, summary_of

logger = logging.getLogger(__name__)
# A partner may still be writing a file that changed this recently; temp names are skipped.
SETTLE_SECONDS = 2.0
TEMPORARY_SUFFIXES = (".part", ".tmp", ".filepart", ".partial")
SUBFOLDERS = ("processing", "archive", "rejected")


class UnsafeLandingFolder(Exception):
    """The partner folder or one of its subfolders is a link or not a folder; says which."""


def landing_folder(partner: str, configured: str = "") -> Path:
    """The partner's landing folder: the configured path, else ``LANDING_ROOT/<partner>``."""
    return Path(configured) if configured else Path(settings.LANDING_ROOT) / partner


def check_landing_folder(folder: Path) -> None:
    """Refuse a partner folder, or a subfolder of it, that is a symbolic link or not a folder.

    Checked with ``lstat`` (never following a link) before each cycle: a ``rejected/`` that
    links elsewhere would have the worker write its reasons there, a ``processing/`` linking to
    another partner's would move files between partners.
    """
    for path in (folder, *(folder / name for name in SUBFOLDERS)):
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(mode):
            raise UnsafeLandingFolder(
                f"{path} is a symbolic link; a landing folder and its subfolders must be real "
                "folders, so nothing was pulled"
            )
        if not stat.S_ISDIR(mode):
            raise UnsafeLandingFolder(f"{path} is not a folder, so nothing was pulled")


def complete_files(folder: Path, *, now: float | None = None) -> list[Path]:
    """Entries at the top of the folder that are done being written, oldest name first.

    Everything but a folder counts, a symbolic link too (judged by its own ``lstat``): the
    cycle claims it and records it refused, so that the partner sees why it was not read.
    """
    now = clock.now().timestamp() if now is None else now
    if not folder.is_dir():
        return []
    settled = []
    for path in folder.iterdir():
        if path.name.startswith(".") or path.name.endswith(TEMPORARY_SUFFIXES):
            continue
        info = path.lstat()
        if not stat.S_ISDIR(info.st_mode) and now - info.st_mtime >= SETTLE_SECONDS:
            settled.append(path)
    return sorted(settled)


def pull_landing_folder(*, partner: str, folder: Path) -> list[ImportSummary]:
    """One cycle over a landing folder: resume what a killed worker left, then new files.

    Raises ``UnsafeLandingFolder`` (and touches nothing) when the folder is not safe to pull.
    """
    check_landing_folder(folder)
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
        if extract.is_finished:
            _file_away(extract, folder)
            summaries.append(summary_of(extract))
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
    """Move the file out of ``processing/``: archived, or rejected beside its reason.

    A rename moves a link itself, never its target; the reason is written only to a new file
    (``O_EXCL``), so a link the partner placed under the reason's name is not written through.
    """
    source = Path(extract.path)
    if not os.path.lexists(source):
        logger.warning("extract %s: %s is gone; nothing to file", extract.pk, source)
        return
    rejected = extract.status == Extract.Status.REJECTED
    target_dir = folder / ("rejected" if rejected else "archive")
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / source.name
    if os.path.lexists(target) or os.path.lexists(_reason_path(target)):
        target = target_dir / f"{extract.pk}-{source.name}"
    shutil.move(source, target)
    if rejected:
        _write_new(_reason_path(target), extract.reason + "\n")
    Extract.objects.filter(pk=extract.pk).update(path=str(target))
    logger.info("extract %s (%s) %s -> %s", extract.pk, extract.name, extract.status, target)


def _reason_path(target: Path) -> Path:
    return target.with_name(target.name + ".reason.txt")


def _write_new(path: Path, text: str) -> None:
    """Write a file that must not exist yet; an existing name (a link too) is an error."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    with os.fdopen(os.open(path, flags, 0o640), "w", encoding="utf-8") as stream:
        stream.write(text)
