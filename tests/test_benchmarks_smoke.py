"""Every ``make bench-*`` target runs whole in its smoke mode (tiny data, seconds).

A benchmark that breaks (a setting production now requires, a renamed function, a server that
no longer boots) then fails the suite instead of the next measurement. Each test boots the real
production processes: gunicorn with ``DEBUG`` off, and for freshness a Celery worker and beat.
Run them alone with ``-m bench_smoke``.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.core.management import call_command
from pytest_django.fixtures import Settings

from chain.tasks import RECOMPUTE_PENDING
from ingest.pseudonymize import person_key
from psi.celery import app

pytestmark = [
    pytest.mark.bench_smoke,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def production_pseudonym_key(settings: Settings) -> Iterator[None]:
    """A key as long as production wants, shared by the test and the processes it starts."""
    settings.PSI_PSEUDONYM_KEY = "smoke-test-pseudonym-key-of-more-than-32-bytes"
    person_key.cache_clear()
    yield
    person_key.cache_clear()


@pytest.fixture(autouse=True)
def no_recompute_left_queued() -> Iterator[None]:
    """The benchmarks' ingests queue recomputes on the tests' broker; none outlives its test."""
    yield
    app.control.purge()
    cache.delete(RECOMPUTE_PENDING)


def last_line(command: str, **options: object) -> dict[str, str]:
    """Run a benchmark command and read the figures of its machine-readable last line."""
    out = io.StringIO()
    call_command(command, stdout=out, **options)
    name, *figures = out.getvalue().splitlines()[-1].split(" ")
    assert name == command.replace("_", "-")
    return dict(figure.split("=", 1) for figure in figures)


@pytest.fixture
def wrk() -> None:
    """The load generator bench-indicators drives; skipped without it, unless REQUIRE_WRK=1."""
    if shutil.which("wrk") is None:
        message = "the bench-indicators smoke run needs wrk (apt-get install wrk)"
        if os.environ.get("REQUIRE_WRK") == "1":
            pytest.fail(f"REQUIRE_WRK=1 but {message}")
        pytest.skip(message)


def test_bench_indicators_runs_whole_against_gunicorn_in_production_mode(
    catalogue: None, wrk: None
) -> None:
    figures = last_line("bench_indicators", smoke=True)

    assert list(figures) == [
        "events", "full_s", "incremental_s", "api_p50_ms", "api_p95_ms", "api_p99_ms",
        "api_rps", "naive_ratio",
    ]  # fmt: skip
    assert int(figures["events"]) > 10_000
    assert float(figures["api_p50_ms"]) > 0
    assert int(figures["api_rps"]) > 0


@pytest.mark.worker
def test_bench_freshness_sees_every_push_without_waiting_for_beat(catalogue: None) -> None:
    figures = last_line("bench_freshness", smoke=True)

    assert figures["pushes"] == "3"
    assert figures["events_per_push"] == "20"
    assert re.fullmatch(r"\d+\.\d\d", figures["p95_s"])
    # Beat's first recompute comes two minutes after it starts: each push was shown by the
    # recompute that the push itself queued.
    assert float(figures["max_s"]) < 30


def test_bench_scenarios_runs_whole_through_the_api(catalogue: None) -> None:
    figures = last_line("bench_scenarios", smoke=True)

    assert list(figures) == [
        "cases", "paths", "horizon", "calibrate_s", "run_p50_ms", "run_p95_ms",
    ]  # fmt: skip
    assert int(figures["cases"]) >= 2_000
    assert (figures["paths"], figures["horizon"]) == ("100", "6")
    assert float(figures["calibrate_s"]) > 0
    assert 0 < float(figures["run_p50_ms"]) <= float(figures["run_p95_ms"])
