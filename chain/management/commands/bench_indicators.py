"""``manage.py bench_indicators``: the engine and the read API at 10 million events.

Measures, in one run: a full recompute of every indicator (3 years of months and weeks), an
incremental recompute after ingesting a further 10,000-event IND extract, and the read API under
load (wrk, 16 connections, gunicorn with 2 workers) against answering the same ``values``
request straight from the events table (the naive way). The last line is machine-readable.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from chain.bench_data import generate
from chain.indicators.engine import compute_all, compute_dirty
from chain.load_test import api_under_load, naive_values_ms
from chain.models import StatusEvent
from ingest.management.commands.bench_ingest import write_extract
from ingest.models import Extract
from ingest.services import ingest_file


class Command(BaseCommand):
    help = "Measure full and incremental recompute and the API at 10 million events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--seconds", type=int, default=15, help="wrk duration per URL")

    def handle(self, *args: object, cases: int, seconds: int, **options: object) -> None:
        if "bench" not in connection.settings_dict["NAME"]:
            raise CommandError("the benchmark fills its tables: run it on a *bench* database")
        events = StatusEvent.objects.count()
        if events == 0:
            self.stdout.write(f"generating {cases:,} cases …")
            started = time.perf_counter()
            with transaction.atomic():
                extract = Extract.objects.create(
                    organisation_id="IND",
                    channel="file",
                    name="bench",
                    sha256="",
                    status="accepted",
                )
                events = generate(cases=cases, extract_id=extract.pk)
            self.stdout.write(f"{events:,} events in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        compute_all()
        full_s = time.perf_counter() - started

        path = (
            Path(settings.BASE_DIR)
            / "var"
            / "bench"
            / f"ind_zaakstatus_increment_{time.time_ns()}.csv"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        write_extract(path, 10_000, seed=time.time_ns() % 1000, start_year=2024)
        ingest_file(partner="IND", path=path)
        path.unlink()
        started = time.perf_counter()
        compute_dirty()
        incremental_s = time.perf_counter() - started

        load = api_under_load(seconds=seconds)
        naive_ms = naive_values_ms()
        figures = {
            "events": StatusEvent.objects.count(), "full_s": f"{full_s:.1f}",
            "incremental_s": f"{incremental_s:.2f}", **load,
            "naive_ratio": f"{naive_ms / float(load['api_p50_ms']):.0f}",
        }  # fmt: skip
        self.stdout.write(json.dumps({"naive_ms": round(naive_ms, 1), **figures}))
        self.stdout.write("bench-indicators " + " ".join(f"{k}={v}" for k, v in figures.items()))
