"""Shared fixtures: the pinned clock, the catalogue, a real Celery worker, partner files."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections

from chain import clock
from chain.indicators.engine import DATA_VERSION_KEY, compute_all
from chain.periods import WEEK, Period, period_containing
from ingest.services import ingest_file
from tests import week_53
from tests.axe import AxeUnavailable, axe_source

DATA = Path(__file__).parent / "data"
# ``--today`` puts the whole session on this hour of the given day, Amsterdam time.
PINNED_HOUR = 10


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--today",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="run the whole suite as if today were this day (the clock keeps ticking from "
        f"{PINNED_HOUR}:00 Europe/Amsterdam)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Travel to ``--today`` before collection, so module-level dates obey it too."""
    day = config.getoption("--today")
    if day is None:
        return
    amsterdam = ZoneInfo("Europe/Amsterdam")
    moment = datetime(day.year, day.month, day.day, PINNED_HOUR, tzinfo=amsterdam)
    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


@pytest.fixture
def today() -> date:
    """The day the code under test takes for today (``--today``, else the real date)."""
    return clock.today()


@pytest.fixture
def week_reported(today: date) -> Period:
    """The week a weekly report sent today is about: the ISO week before today's."""
    return period_containing(today, WEEK).previous()


@pytest.fixture(autouse=True)
def new_data_version() -> None:
    """A data version of this test's own, as after an ingest: nothing cached by another test.

    The cache (Redis) outlives each test's database rollback, and tests store values directly,
    without the recompute that bumps the version; cached figures and API answers carry it.
    """
    cache.set(DATA_VERSION_KEY, time.time_ns(), None)


@pytest.fixture
def after_new_year() -> Iterator[None]:
    """Today is Monday 11 January 2027 (2027-W02), whatever ``--today`` says."""
    with time_machine.travel(week_53.AFTER_NEW_YEAR, tick=True):
        yield


@pytest.fixture
def new_year_chain(after_new_year: None, catalogue: None, write_extract) -> None:
    """The chain of tests/week_53.py ingested and computed on 11 January 2027."""
    ingest_file(partner="IND", path=write_extract("ind.csv", week_53.extract()))
    compute_all()


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


@pytest.fixture(scope="module")
def axe() -> str:
    """axe-core's script; without network the tests skip, or fail under REQUIRE_BROWSER=1."""
    try:
        return axe_source()
    except AxeUnavailable as error:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {error}")
        pytest.skip(str(error))
