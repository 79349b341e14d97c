"""Deliver the generated demo extracts to the ingest, the way a partner's files arrive."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from django.db import transaction

from accounts.models import OrganisationAPIKey
from chain.models import Extract, Organisation
from devtools.demo.writers import PUSH_FOLDER
from ingest.models import Source
from ingest.pull import FILE_PARTNERS
from ingest.push import push_events
from ingest.services import ImportSummary, register_file
from ingest.tasks import ingest_extract, pull_extracts

PUSH_KEY_NAME = "demo generator"


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


def wait_for_extracts(
    ids: list[int],
    *,
    timeout: float,
    progress: Callable[[int, int], None] | None = None,
    every: float = 5.0,
) -> dict[str, int]:
    """Wait until the workers finished every extract; counts per final status. ``progress``
    hears (finished, all) every ``every`` seconds meanwhile."""
    deadline = time.monotonic() + timeout
    waiting = Extract.objects.filter(
        pk__in=ids, status__in=[Extract.Status.RECEIVED, Extract.Status.PROCESSING]
    )
    told = time.monotonic()
    while (left := waiting.count()) > 0:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{left} extracts still waiting after {timeout:.0f} s")
        if progress is not None and time.monotonic() - told >= every:
            progress(len(ids) - left, len(ids))
            told = time.monotonic()
        time.sleep(0.5)
    return dict(Counter(Extract.objects.filter(pk__in=ids).values_list("status", flat=True)))


def push_demo_measurements(out: Path) -> dict[str, str]:
    """Push each organisation's generated measurements the way its system would: one push, with
    a push key of its own. Returns each push's status."""
    statuses: dict[str, str] = {}
    for path in sorted((out / PUSH_FOLDER).glob("*.json")):
        organisation = Organisation.objects.get(code=path.stem)
        api_key = OrganisationAPIKey.objects.filter(
            name=PUSH_KEY_NAME, organisation=organisation, scope=OrganisationAPIKey.Scope.PUSH
        ).first()
        if api_key is None:
            api_key = OrganisationAPIKey(
                name=PUSH_KEY_NAME, organisation=organisation, scope=OrganisationAPIKey.Scope.PUSH
            )
            OrganisationAPIKey.objects.assign_key(api_key)
            api_key.save()
        raw = path.read_bytes()
        summary = push_events(api_key=api_key, body=json.loads(raw), raw=raw, idempotency_key=None)
        statuses[organisation.code] = (
            str(summary.status) if isinstance(summary, ImportSummary) else "replayed"
        )
    return statuses


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
