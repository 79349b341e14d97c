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
from django.db import connection, transaction

from chain import clock
from chain.bench_data import generate, write_next_extract
from chain.indicators.engine import compute_all, compute_dirty
from chain.load_test import api_under_load, naive_values_ms, overview_render_ms
from chain.models import StatusEvent
from ingest.models import Extract
from ingest.services import ingest_file

INCREMENT_EVENTS = 10_000
_RESET = (
    "TRUNCATE chain_indicatorvalue, chain_casefact, chain_statusevent, chain_case, "
    "chain_measurement, chain_dirtyrange, ingest_rejectedrow, ingest_extract CASCADE"
)


class Command(BaseCommand):
    help = "Measure full and incremental recompute, the overview and the API at 10M events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=1_150_000, help="about 10M events")
        parser.add_argument("--seconds", type=int, default=15, help="wrk duration")

    def handle(self, *args: object, cases: int, seconds: int, **options: object) -> None:
        if "bench" not in connection.settings_dict["NAME"]:
            raise CommandError("the benchmark fills its tables: run it on a *bench* database")
        today = clock.today()
        self.stdout.write(f"generating {cases:,} cases up to {today} …")
        started = time.perf_counter()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(_RESET)
            extract = Extract.objects.create(
                organisation_id="IND", channel=Extract.Channel.FILE, name="bench", sha256="",
                status=Extract.Status.ACCEPTED, finished_at=clock.now(),
            )  # fmt: skip
            events = generate(cases=cases, extract_id=extract.pk, today=today)
        with connection.cursor() as cursor:
            # What autovacuum does soon after a large load, and a long-lived database has had.
            cursor.execute("VACUUM ANALYZE chain_statusevent, chain_casefact")
        self.stdout.write(f"{events:,} events in {time.perf_counter() - started:.0f} s")

        started = time.perf_counter()
        compute_all()
        full_s = time.perf_counter() - started

        path = Path(settings.BASE_DIR) / "var" / "bench" / f"ind_zaakstatus_{today:%Y%m%d}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_next_extract(
            path, cases=cases, events=INCREMENT_EVENTS, today=today, seed=time.time_ns()
        )
        summary = ingest_file(partner="IND", path=path)
        path.unlink()
        if summary.accepted != INCREMENT_EVENTS:
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
        load = api_under_load(seconds=seconds, today=today)
        naive_ms = naive_values_ms(today=today)
        figures = {
            "events": StatusEvent.objects.count(), "full_s": f"{full_s:.1f}",
            "incremental_s": f"{incremental_s:.2f}", **load,
            "naive_ratio": f"{naive_ms / float(load['api_p50_ms']):.0f}",
        }  # fmt: skip
        self.stdout.write(json.dumps({"naive_ms": round(naive_ms, 1), **figures}))
        self.stdout.write("bench-indicators " + " ".join(f"{k}={v}" for k, v in figures.items()))
