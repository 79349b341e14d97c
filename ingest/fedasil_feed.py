"""Pull the Fedasil occupancy feed page by page (``docs/reference/formats.md``).

Each page is kept in the partner's archive folder and ingested as an extract of its own; the
cursor is saved only after the page's events are committed, so a crash re-reads a page and
never skips one. ``429`` (honouring ``Retry-After``), ``5xx`` and timeouts are retried with
back-off; a run that gives up leaves the cursor where it was and records why on the source. A
``Retry-After`` longer than a run should wait ends the run: the next beat cycle resumes.

The feed is read over https only outside development (``FEDASIL_FEED_REQUIRE_HTTPS``), and an
answer longer than ``FEDASIL_FEED_MAX_BYTES`` is cut off and fails the run: a broken or hostile
feed can neither be overheard nor fill the worker's memory.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import date
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from chain import clock
from chain.models import Extract
from ingest.landing import landing_folder
from ingest.models import Source
from ingest.services import (
    ImportSummary,
    ingest_extract,
    record_pull,
    register_file,
    summary_of,
)

logger = logging.getLogger(__name__)
PAGE_LIMIT = 1000
MAX_PAGES_PER_RUN = 10_000
MAX_TRIES = 5
# A worker waits at most this long between tries; the beat pulls again every few minutes.
MAX_WAIT_SECONDS = 60.0


class FeedError(Exception):
    """The feed could not be read this run; the message says why and where."""


def pull_feed(
    *,
    source: Source,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    today: date | None = None,
) -> list[ImportSummary]:
    """One run over the feed: every new page, then today's capacity. Records errors on source."""
    base = (source.url or settings.FEDASIL_FEED_URL).rstrip("/")
    headers = {"Authorization": f"Bearer {settings.FEDASIL_FEED_TOKEN}"}
    own_client = client is None
    http = client or httpx.Client(timeout=30.0)
    summaries: list[ImportSummary] = []
    error = ""
    try:
        _check_url(base)
        _pull_pages(source, http, base, headers, sleep, summaries)
        day = today or clock.today()
        body = _get(http, f"{base}/v1/capacity", {"date": day.isoformat()}, headers, sleep)
        summaries.append(_ingest_document(source, body, f"capacity-{day:%Y%m%d}"))
    except FeedError as err:
        error = str(err)
        logger.error("Fedasil feed: %s", err)
    finally:
        if own_client:
            http.close()
    record_pull(source=source, error=error)
    return summaries


def _check_url(base: str) -> None:
    if not base:
        raise FeedError("no feed URL: set FEDASIL_FEED_URL or the source's URL")
    if settings.FEDASIL_FEED_REQUIRE_HTTPS and urlsplit(base).scheme != "https":
        # The bearer token and the events would cross the network readable by anyone on the way.
        raise FeedError(f"the feed URL {base} is not https; outside development only https is used")


def _pull_pages(
    source: Source,
    http: httpx.Client,
    base: str,
    headers: dict[str, str],
    sleep: Callable,
    summaries: list[ImportSummary],
) -> None:
    """Ingest page after page into ``summaries``, which keeps them when a later page fails."""
    seen: set[str] = set()
    cursor = source.cursor or None
    for _ in range(MAX_PAGES_PER_RUN):
        params: dict[str, str | int] = {"limit": PAGE_LIMIT}
        if cursor:
            params["cursor"] = cursor
        body = _get(http, f"{base}/v1/occupancy-events", params, headers, sleep)
        summary = _ingest_document(source, body, "occupancy-events")
        summaries.append(summary)
        # A page rejected whole stops the run; one whose items were all bad is quarantined.
        if summary.status == Extract.Status.REJECTED and not summary.rejected:
            raise FeedError(f"page at cursor {cursor!r} rejected: {summary.reason}")
        next_cursor = _next_cursor(body, cursor)
        if next_cursor is None:
            # The last page: keep its cursor, so the next run re-reads it for new events.
            return
        if not isinstance(next_cursor, str) or next_cursor in seen or next_cursor == cursor:
            raise FeedError(f"the feed returned cursor {next_cursor!r} again: a cursor loop")
        seen.add(next_cursor)
        cursor = next_cursor
        source.cursor = cursor
        source.save(update_fields=["cursor"])


def _next_cursor(body: bytes, cursor: str | None) -> object:
    """The page's ``next_cursor``; the adapter accepted the page, but say so if it cannot."""
    try:
        page = json.loads(body)
    except ValueError as err:
        raise FeedError(f"page at cursor {cursor!r} is not JSON ({err})") from None
    if not isinstance(page, dict):
        raise FeedError(f"page at cursor {cursor!r} is not a JSON object")
    return page.get("next_cursor")


def _get(
    http: httpx.Client, url: str, params: dict, headers: dict[str, str], sleep: Callable
) -> bytes:
    """GET with retries: Retry-After on 429, exponential back-off on 5xx and timeouts."""
    problem = ""
    for attempt in range(MAX_TRIES):
        try:
            response, body = _fetch(http, url, params, headers)
        except httpx.TransportError as err:
            problem = f"{type(err).__name__} ({err})"
            wait = 2.0**attempt
        else:
            if response.status_code == 200:
                return body
            if response.status_code != 429 and response.status_code < 500:
                text = body[:200].decode("utf-8", "replace")
                raise FeedError(f"GET {url} answered {response.status_code}: {text}")
            problem = f"HTTP {response.status_code}"
            asked = _retry_after(response)
            if asked is not None and asked > MAX_WAIT_SECONDS:
                # Retrying sooner than the feed asked would be pulling too fast again.
                raise FeedError(
                    f"GET {url} answered {response.status_code} with Retry-After "
                    f"{asked:.0f} s; the next run tries again"
                )
            wait = asked or 2.0**attempt
        if attempt < MAX_TRIES - 1:
            logger.warning("Fedasil feed: %s from %s; retrying in %.0f s", problem, url, wait)
            sleep(min(wait, MAX_WAIT_SECONDS))
    raise FeedError(f"GET {url} gave up after {MAX_TRIES} tries; last: {problem}")


def _fetch(
    http: httpx.Client, url: str, params: dict, headers: dict[str, str]
) -> tuple[httpx.Response, bytes]:
    """One GET, its body read as a stream and cut off past ``FEDASIL_FEED_MAX_BYTES``."""
    limit = settings.FEDASIL_FEED_MAX_BYTES
    too_long = f"GET {url} answered more than {limit:,} bytes (FEDASIL_FEED_MAX_BYTES); not read"
    body = bytearray()
    try:
        with http.stream("GET", url, params=params, headers=headers) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FeedError(too_long)
            # Decoded bytes are counted, so a small compressed answer cannot unpack unbounded.
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise FeedError(too_long)
    except httpx.DecodingError as err:
        raise FeedError(f"GET {url}: the answer could not be decoded ({err})") from None
    return response, bytes(body)


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the ``Retry-After`` header asks for, in either of its forms (RFC 9110 10.2.3)."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, (moment - clock.now()).total_seconds())


def _ingest_document(source: Source, content: bytes, kind: str) -> ImportSummary:
    """Keep the document in the archive and ingest it as one extract."""
    folder = landing_folder(source.organisation_id, source.path) / "archive" / "feed"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kind}-{clock.now():%Y%m%dT%H%M%S%f}.json"
    path.write_bytes(content)
    extract = register_file(partner=source.organisation_id, path=Path(path), channel="feed")
    if extract.is_finished:
        return summary_of(extract)
    summary = ingest_extract(extract_id=extract.pk)
    assert summary is not None, "a freshly recorded extract is always waiting"
    return summary
