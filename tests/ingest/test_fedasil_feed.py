"""Pulling the Fedasil feed from a real local HTTP server: paging, cursor, retries, errors."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx
import pytest
from pytest_django.fixtures import Settings

from chain import clock
from chain.models import Extract, Measurement, StatusEvent
from devtools.demo.feed_server import make_app
from ingest.fedasil_feed import pull_feed
from ingest.models import Source
from ingest.pull import pull_all
from tests import known_chain

pytestmark = pytest.mark.django_db
TOKEN = "feed-token"
TODAY = date(2023, 4, 30)
CAPACITY = {"date": "2023-04-30", "data": [{"centre": "Petit-Château", "places": 850}]}


def item(number: int, event: str = "ARRIVAL") -> dict[str, Any]:
    return {
        "id": f"FED-{number}", "sp_number": f"{8100000 + number}", "centre": "Petit-Château",
        "centre_type": "COLLECTIVE", "event": event, "exit_reason": None,
        "occurred_at": "2023-04-30T10:15:00+02:00",
    }  # fmt: skip


@dataclass
class Answer:
    status: int = 200
    body: bytes | dict[str, Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Feed:
    """A scripted feed: pages linked by cursors ``c1``, ``c2``…, and answers to put first."""

    url: str = ""
    pages: list[dict[str, Any]] = field(default_factory=list)
    # Answers given, in order, before the page at a cursor ("" for the first page).
    scripted: dict[str, list[Answer]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str], str]] = field(default_factory=list)

    def with_pages(self, *pages: list[dict[str, Any]]) -> Feed:
        self.pages = [
            {"data": items, "next_cursor": f"c{i + 1}" if i + 1 < len(pages) else None}
            for i, items in enumerate(pages)
        ]
        return self

    def answer(self, path: str, query: dict[str, str], authorization: str) -> Answer:
        self.requests.append((path, query, authorization))
        if path == "/v1/capacity":
            return Answer(body=CAPACITY)
        cursor = query.get("cursor", "")
        if self.scripted.get(cursor):
            return self.scripted[cursor].pop(0)
        return Answer(body=self.pages[int(cursor[1:]) if cursor else 0])

    def cursors_asked(self) -> list[str | None]:
        return [q.get("cursor") for p, q, _ in self.requests if p == "/v1/occupancy-events"]


class _Handler(BaseHTTPRequestHandler):
    feed: Feed

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        answer = self.feed.answer(url.path, query, self.headers.get("Authorization", ""))
        time.sleep(answer.delay)
        body = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
        try:
            self.send_response(answer.status)
            # An empty header is left out: without Content-Length the body ends with the connection.
            for name, value in {"Content-Length": str(len(body)), **answer.headers}.items():
                if value:
                    self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting, as it should

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(server: ThreadingHTTPServer | WSGIServer) -> Iterator[str]:
    """Serve in a thread until the test ends; yields the base URL."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def feed() -> Iterator[Feed]:
    scripted = Feed()
    handler = type("Handler", (_Handler,), {"feed": scripted})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    with serve(server) as scripted.url:
        yield scripted


@pytest.fixture
def source(feed: Feed, settings: Settings, tmp_path: Path) -> Source:
    settings.LANDING_ROOT = tmp_path
    settings.FEDASIL_FEED_TOKEN = TOKEN
    return Source.objects.create(organisation_id="FEDASIL", kind=Source.Kind.FEED, url=feed.url)


class Sleeps(list[float]):
    """Records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def pull(source: Source, sleeps: Sleeps | None = None, timeout: float = 5.0) -> list[str]:
    """One run; the statuses of its extracts. The source is reloaded from the database."""
    with httpx.Client(timeout=timeout) as client:
        sleep = Sleeps() if sleeps is None else sleeps
        summaries = pull_feed(source=source, client=client, sleep=sleep, today=TODAY)
    source.refresh_from_db()
    return [s.status for s in summaries]


def stored_ids() -> list[str]:
    return sorted(StatusEvent.objects.values_list("source_event_id", flat=True))


def test_a_run_pulls_every_page_and_the_capacity_and_stores_them(
    feed: Feed, source: Source, tmp_path: Path
) -> None:
    feed.with_pages([item(1), item(2)], [item(3)], [item(4, "TRANSFER")])
    assert pull(source) == ["accepted"] * 4
    assert stored_ids() == ["FED-1", "FED-2", "FED-3", "FED-4"]
    assert StatusEvent.objects.get(source_event_id="FED-4").event_type == "RECEPTION_TRANSFERRED"
    assert list(Measurement.objects.values_list("location", "date", "value")) == [
        ("Petit-Château", TODAY, 850.0)
    ]
    assert feed.cursors_asked() == [None, "c1", "c2"]
    assert {q["limit"] for p, q, _ in feed.requests if "cursor" in q} == {"1000"}
    assert ("/v1/capacity", {"date": "2023-04-30"}, f"Bearer {TOKEN}") in feed.requests
    # The last page's cursor stays, so the next run re-reads it for new events.
    assert (source.cursor, source.last_error) == ("c2", "")
    assert source.last_pulled_at is not None
    assert len(list((tmp_path / "FEDASIL" / "archive" / "feed").glob("*.json"))) == 4
    assert set(Extract.objects.values_list("channel", flat=True)) == {"feed"}


def test_the_next_run_rereads_the_last_page_and_takes_only_its_new_events(
    feed: Feed, source: Source
) -> None:
    feed.with_pages([item(1)], [item(2)])
    pull(source)
    feed.pages[1]["data"].append(item(3))
    assert pull(source) == ["accepted", "duplicate"]
    assert feed.cursors_asked() == [None, "c1", "c1"]
    assert stored_ids() == ["FED-1", "FED-2", "FED-3"]


def test_a_run_that_gives_up_keeps_the_cursor_of_the_last_committed_page(
    feed: Feed, source: Source
) -> None:
    feed.with_pages([item(1), item(2)], [item(3)], [item(4)])
    feed.scripted["c1"] = [Answer(500, b"down") for _ in range(5)]
    sleeps = Sleeps()
    assert pull(source, sleeps) == ["accepted"]
    assert source.cursor == "c1"
    assert source.last_error == (
        f"GET {feed.url}/v1/occupancy-events gave up after 5 tries; last: HTTP 500"
    )
    assert sleeps == [1.0, 2.0, 4.0, 8.0]
    assert stored_ids() == ["FED-1", "FED-2"]
    assert not Measurement.objects.exists()

    assert pull(source) == ["accepted", "accepted", "accepted"]
    assert feed.cursors_asked()[-2:] == ["c1", "c2"]
    assert stored_ids() == ["FED-1", "FED-2", "FED-3", "FED-4"]
    assert StatusEvent.objects.count() == 4
    assert (source.cursor, source.last_error) == ("c2", "")


def test_it_waits_as_long_as_retry_after_says_when_pulled_too_fast(
    feed: Feed, source: Source
) -> None:
    feed.with_pages([item(1)])
    slow_down = {"Retry-After": "7"}
    feed.scripted[""] = [Answer(429, b"", slow_down), Answer(429, b"", slow_down)]
    sleeps = Sleeps()
    assert pull(source, sleeps) == ["accepted", "accepted"]
    assert sleeps == [7.0, 7.0]
    assert feed.cursors_asked() == [None, None, None]
    assert source.last_error == ""


def test_a_retry_after_longer_than_a_run_waits_ends_the_run_and_keeps_the_cursor(
    feed: Feed, source: Source
) -> None:
    feed.with_pages([item(1)], [item(2)])
    feed.scripted["c1"] = [Answer(429, b"", {"Retry-After": "3600"})]
    sleeps = Sleeps()
    assert pull(source, sleeps) == ["accepted"]
    assert sleeps == []
    assert feed.cursors_asked() == [None, "c1"]
    assert source.cursor == "c1"
    assert "Retry-After 3600 s" in source.last_error


def test_it_understands_retry_after_as_an_http_date(feed: Feed, source: Source) -> None:
    feed.with_pages([item(1)])
    soon = format_datetime(clock.now() + timedelta(seconds=30), usegmt=True)
    feed.scripted[""] = [Answer(429, b"", {"Retry-After": soon})]
    sleeps = Sleeps()
    assert pull(source, sleeps) == ["accepted", "accepted"]
    assert len(sleeps) == 1 and 25 <= sleeps[0] <= 30


def test_a_page_that_is_not_json_is_rejected_and_the_cursor_stays(
    feed: Feed, source: Source
) -> None:
    feed.with_pages([item(1)], [item(2)], [item(3)])
    feed.scripted["c1"] = [Answer(200, b"<html>maintenance</html>")]
    assert pull(source) == ["accepted", "rejected"]
    assert source.cursor == "c1"
    assert source.last_error == (
        "page at cursor 'c1' rejected: not JSON (Expecting value: line 1 column 1 (char 0))"
    )
    rejected = Extract.objects.get(status="rejected")
    assert rejected.reason.startswith("not JSON")
    assert stored_ids() == ["FED-1"]
    assert feed.cursors_asked() == [None, "c1"]


def test_a_page_of_bad_items_only_is_quarantined_and_the_feed_goes_on(
    feed: Feed, source: Source
) -> None:
    feed.with_pages([item(1)], [item(2, "LEFT")], [item(3)])
    assert pull(source) == ["accepted", "rejected", "accepted", "accepted"]
    assert (source.cursor, source.last_error) == ("c2", "")
    assert stored_ids() == ["FED-1", "FED-3"]


@pytest.mark.parametrize(
    ("next_cursors", "looping"),
    [(["c1", "c1"], "c1"), (["c1", "c2", "c1"], "c1")],
    ids=["same-cursor-again", "back-to-an-earlier-cursor"],
)
def test_a_cursor_loop_stops_the_run_with_a_clear_error(
    feed: Feed, source: Source, next_cursors: list[str], looping: str
) -> None:
    feed.pages = [{"data": [item(i)], "next_cursor": c} for i, c in enumerate(next_cursors)]
    pull(source)
    assert source.last_error == f"the feed returned cursor {looping!r} again: a cursor loop"
    assert len(feed.cursors_asked()) == len(next_cursors)
    assert not Measurement.objects.exists()


def test_a_feed_that_times_out_is_retried_then_given_up_with_the_reason(
    feed: Feed, source: Source
) -> None:
    feed.with_pages([item(1)])
    feed.scripted[""] = [Answer(body=feed.pages[0], delay=1.0) for _ in range(5)]
    sleeps = Sleeps()
    assert pull(source, sleeps, timeout=0.2) == []
    assert source.last_error == (
        f"GET {feed.url}/v1/occupancy-events gave up after 5 tries; last: ReadTimeout (timed out)"
    )
    assert sleeps == [1.0, 2.0, 4.0, 8.0]
    assert (source.cursor, StatusEvent.objects.count()) == ("", 0)


def test_a_refused_token_is_not_retried(feed: Feed, source: Source) -> None:
    feed.with_pages([item(1)])
    feed.scripted[""] = [Answer(401, {"detail": "bad or missing bearer token"})]
    sleeps = Sleeps()
    assert pull(source, sleeps) == []
    assert source.last_error.startswith(f"GET {feed.url}/v1/occupancy-events answered 401:")
    assert sleeps == []


def test_an_answer_that_cannot_be_decoded_fails_the_feed_alone_and_the_others_are_pulled(
    feed: Feed, source: Source, settings: Settings, tmp_path: Path
) -> None:
    feed.with_pages([item(1)])
    feed.scripted[""] = [Answer(body=b"this is not gzip", headers={"Content-Encoding": "gzip"})]
    settings.FEDASIL_FEED_URL = feed.url
    ind = tmp_path / "IND"
    ind.mkdir()
    dropped = ind / "ind_zaakstatus_20230501.csv"
    dropped.write_text(known_chain.extract())
    settled = dropped.stat().st_mtime - 60
    os.utime(dropped, (settled, settled))
    results = pull_all()
    assert (results["FEDASIL"], [s.status for s in results["IND"]]) == ([], ["accepted"])
    source.refresh_from_db()
    assert source.last_error.startswith(
        f"GET {feed.url}/v1/occupancy-events: the answer could not be decoded ("
    )
    assert source.last_error_at is not None
    # The next run that succeeds clears the failure.
    assert pull(source) == ["accepted", "accepted"]
    assert (source.last_error, source.last_error_at) == ("", None)


def test_outside_development_a_feed_url_that_is_not_https_is_not_asked(
    feed: Feed, source: Source, settings: Settings
) -> None:
    settings.FEDASIL_FEED_REQUIRE_HTTPS = True
    feed.with_pages([item(1)])
    assert pull(source) == []
    assert source.last_error == (
        f"the feed URL {feed.url} is not https; outside development only https is used"
    )
    assert feed.requests == []


@pytest.mark.parametrize("declared", [True, False], ids=["with-length", "streamed"])
def test_an_answer_past_the_size_limit_is_cut_off_and_fails_the_run(
    feed: Feed, source: Source, settings: Settings, declared: bool
) -> None:
    settings.FEDASIL_FEED_MAX_BYTES = 2_000
    feed.with_pages([item(i) for i in range(20)])
    if not declared:
        feed.scripted[""] = [Answer(body=feed.pages[0], headers={"Content-Length": ""})]
    assert pull(source) == []
    assert source.last_error == (
        f"GET {feed.url}/v1/occupancy-events answered more than 2,000 bytes "
        "(FEDASIL_FEED_MAX_BYTES); not read"
    )
    assert not Extract.objects.exists()


class _QuietWSGIHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_it_pulls_everything_the_demo_feed_serves(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "demo-feed"
    (folder / "pages").mkdir(parents=True)
    (folder / "capacity").mkdir()
    pages = [
        {"data": [item(1)], "next_cursor": "after-1"},
        {"data": [item(2)], "next_cursor": None},
    ]
    for number, page in enumerate(pages):
        (folder / "pages" / f"{number:05d}.json").write_text(json.dumps(page))
    (folder / "capacity" / "20230430.json").write_text(json.dumps(CAPACITY))
    server = make_server("127.0.0.1", 0, make_app(folder, TOKEN), handler_class=_QuietWSGIHandler)
    settings.LANDING_ROOT = tmp_path / "landing"
    settings.FEDASIL_FEED_TOKEN = TOKEN
    with serve(server) as url:
        source = Source.objects.create(organisation_id="FEDASIL", kind=Source.Kind.FEED, url=url)
        assert pull(source) == ["accepted", "accepted", "accepted"]
    assert stored_ids() == ["FED-1", "FED-2"]
    assert Measurement.objects.get().value == 850.0
    assert (source.cursor, source.last_error) == ("after-1", "")
