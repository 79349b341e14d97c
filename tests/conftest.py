"""Shared fixtures: the catalogue, a real Celery worker on the real broker, partner files."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections

from chain.indicators.engine import DATA_VERSION_KEY

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def new_data_version() -> None:
    """A data version of this test's own, as after an ingest: nothing cached by another test.

    The cache (Redis) outlives each test's database rollback, and tests store values directly,
    without the recompute that bumps the version; cached figures and API answers carry it.
    """
    cache.set(DATA_VERSION_KEY, time.time_ns(), None)


@pytest.fixture
def catalogue(db: None) -> None:
    """The catalogue of catalogue/catalogue-v1.json, loaded as an operator would."""
    call_command("load_catalogue", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def celery_worker() -> Iterator[object]:
    """A real Celery worker (in a thread of this process) consuming from the real Redis.

    Tests using it need ``django_db(transaction=True, serialized_rollback=True)``: the worker
    thread sees only committed rows.
    """
    from celery.contrib.testing.worker import start_worker

    from psi.celery import app

    app.control.purge()
    with start_worker(app, perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


@pytest.fixture
def write_extract(tmp_path: Path):
    """Write a partner file into tmp_path and return its path."""

    def write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


CHROMIUM = Path("/usr/bin/chromium")
# Chromium's own background connections are refused on closed networks; without these flags
# every start waits on them.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's Chromium driven by Playwright; skipped without it, unless REQUIRE_BROWSER=1."""
    if not CHROMIUM.exists():
        message = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the tests' own database calls
    # stay synchronous, so Django's async guard does not apply to them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    own = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        # Between its calls Playwright marks that loop as running, and Django then hands out
        # other database connections (one per async context). Keep the thread's own: they
        # carry the serialized test data that serialized_rollback restores.
        for alias, connection in own.items():
            connections[alias] = connection
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshot_path() -> Callable[[str], Path]:
    """Where a test saves a screenshot for a person to look at: test-output/screenshots/."""

    def path(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS / f"{name}.png"

    return path
