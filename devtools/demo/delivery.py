"""Deliver the generated demo extracts to the ingest, the way a partner's files arrive."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime
from functools import partial
from pathlib import Path

from django.db import transaction

from chain.models import Extract
from ingest.models import Source
from ingest.pull import FILE_PARTNERS
from ingest.services import register_file
from ingest.tasks import ingest_extract, pull_extracts


def enqueue_demo_extracts(out: Path) -> list[int]:
    """Record every generated file of the file-delivering partners; queue each for a worker."""
    ids: list[int] = []
    for partner in FILE_PARTNERS:
        for path in sorted(p for p in (out / partner).glob("*") if p.is_file()):
            extract = register_file(partner=partner, path=path)
            if extract.status == Extract.Status.RECEIVED:
                ids.append(extract.pk)
                transaction.on_commit(partial(ingest_extract.delay, extract.pk))
    return ids


def wait_for_extracts(ids: list[int], *, timeout: float) -> dict[str, int]:
    """Wait until the workers finished every extract; counts per final status."""
    deadline = time.monotonic() + timeout
    waiting = Extract.objects.filter(
        pk__in=ids, status__in=[Extract.Status.RECEIVED, Extract.Status.PROCESSING]
    )
    while waiting.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{waiting.count()} extracts still waiting after {timeout:.0f} s")
        time.sleep(0.5)
    return dict(Counter(Extract.objects.filter(pk__in=ids).values_list("status", flat=True)))


def enqueue_feed_pull(url: str) -> Source:
    """Point the Fedasil source at the demo feed and queue a pull cycle for a worker."""
    source, _ = Source.objects.update_or_create(
        organisation_id="FEDASIL", defaults={"kind": Source.Kind.FEED, "url": url}
    )
    transaction.on_commit(pull_extracts.delay)
    return source


def wait_for_feed(source: Source, *, after: datetime, timeout: float) -> Source:
    """Wait until a worker finished a pull of the feed that started after ``after``."""
    deadline = time.monotonic() + timeout
    while True:
        source.refresh_from_db()
        if source.last_pulled_at and source.last_pulled_at >= after:
            return source
        if time.monotonic() > deadline:
            raise TimeoutError(f"the Fedasil feed was not pulled within {timeout:.0f} s")
        time.sleep(0.5)
