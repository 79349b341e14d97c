"""``manage.py bench_indicators``: the engine and the read side at 10 million events.

Measures, in one run, on a freshly generated chain of three years up to today: a full recompute
of every indicator (months and weeks), an incremental recompute after ingesting IND's next
extract of 10,000 events, the overview page's server-side render, and the read API under load
(wrk, 16 connections, gunicorn with 2 workers) against answering the same ``values`` request
straight from the events table (the naive way). The last line is machine-readable.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chain import clock
from chain.indicators.engine import compute_all, compute_dirty
from chain.models import StatusEvent
from devtools.bench_data import fresh_chain, is_bench_database, write_next_extract
from devtools.bench_servers import production_processes
from devtools.load_test import api_under_load, naive_values_ms, overview_render_ms
from ingest.services import ingest_file

INCREMENT_EVENTS = 10_000
# ``--smoke``: every step on a chain small enough to take seconds, so that the test suite
# finds a broken benchmark before the next measurement does.
SMOKE = {"cases": 2_000, "seconds": 1, "increment": 200}


class Command(BaseCommand):
    help = "Measure full and incremental recompute, the overview and the API at 10M events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=1_150_000, help="about 10M events")
        parser.add_argument("--seconds", type=int, default=15, help="wrk duration")
        parser.add_argument("--smoke", action="store_true", help="tiny data, in seconds")

    def handle(
        self, *args: object, cases: int, seconds: int, smoke: bool, **options: object
    ) -> None:
        if not is_bench_database():
            raise CommandError("the benchmark fills its tables: run it on a *bench* database")
        increment = INCREMENT_EVENTS
        if smoke:
            cases, seconds, increment = SMOKE["cases"], SMOKE["seconds"], SMOKE["increment"]
        today = clock.today()
        self.stdout.write(f"generating {cases:,} cases up to {today} …")
        started = time.perf_counter()
        events = fresh_chain(cases=cases, today=today)
        self.stdout.write(f"{events:,} events in {time.perf_counter() - started:.0f} s")

        started = time.perf_counter()
        compute_all()
        full_s = time.perf_counter() - started

        path = Path(settings.BASE_DIR) / "var" / "bench" / f"ind_zaakstatus_{today:%Y%m%d}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_next_extract(path, cases=cases, events=increment, today=today, seed=time.time_ns())
        summary = ingest_file(partner="IND", path=path)
        path.unlink()
        if summary.accepted != increment:
            raise CommandError(f"the next extract was not ingested whole: {summary.as_dict()}")
        started = time.perf_counter()
        recomputed = compute_dirty()
        incremental_s = time.perf_counter() - started
        self.stdout.write(f"incremental recompute of {recomputed}")

        overview = {chain: overview_render_ms(chain=chain) for chain in ("NL", "BE", "ALL")}
        self.stdout.write(
            "overview render (median ms): "
            + " ".join(f"{chain}={ms:.0f}" for chain, ms in overview.items())
        )
        with production_processes() as base:
            load = api_under_load(base=base, seconds=seconds, today=today)
        naive_ms = naive_values_ms(today=today)
        figures = {
            "events": StatusEvent.objects.count(), "full_s": f"{full_s:.1f}",
            "incremental_s": f"{incremental_s:.2f}", **load,
            "naive_ratio": f"{naive_ms / float(load['api_p50_ms']):.0f}",
        }  # fmt: skip
        self.stdout.write(json.dumps({"naive_ms": round(naive_ms, 1), **figures}))
        self.stdout.write("bench-indicators " + " ".join(f"{k}={v}" for k, v in figures.items()))
