"""Deliver the generated demo extracts to the ingest, the way a partner's files arrive."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from django.db import transaction

from ingest.adapters import ADAPTERS
from ingest.models import Extract
from ingest.services import register_file
from ingest.tasks import ingest_extract


def enqueue_demo_extracts(out: Path) -> list[int]:
    """Record every generated file of a partner that has an adapter; queue each for a worker."""
    ids: list[int] = []
    for partner in sorted(ADAPTERS):
        for path in sorted(p for p in (out / partner).rglob("*") if p.is_file()):
            extract = register_file(partner=partner, path=path)
            if extract.status == Extract.Status.RECEIVED:
                ids.append(extract.pk)
                transaction.on_commit(lambda pk=extract.pk: ingest_extract.delay(pk))
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
