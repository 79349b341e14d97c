"""``manage.py bench_scenarios``: calibration and a 36-month, 1,000-path run at 10 million events.

On the benchmark chain (``devtools.bench_data``; the one ``bench-indicators`` filled is used as
it is when it holds at least ``--cases`` cases, else a fresh one is generated): the calibration
of the Dutch chain from a cold cache, then ``POST /api/v1/scenarios`` with a 36-month horizon and
1,000 paths, warm (after one run that fills the caches), 20 times, p50 and p95. The benchmark
data has no decision staff measured: monthly FTE measurements are added once. The last line is
machine-readable.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client

from accounts.access import CHAIN_DIRECTOR
from chain import clock
from chain.indicators.engine import DATA_VERSION_KEY
from chain.models import CaseFact, Extract, Measurement
from devtools.bench_data import fresh_chain, is_bench_database
from scenarios.calibration import calibrate
from scenarios.inputs import default_origin

RUNS = 20
# ``--smoke``: every step on a chain small enough to take seconds.
SMOKE = {"cases": 2_000, "paths": 100, "horizon": 6, "runs": 3}

_FTE = """
INSERT INTO chain_measurement (organisation_id, chain_id, kind, location, date, value, extract_id)
SELECT o, ch, 'DECISION_CAPACITY_FTE', NULL, d::date, v, %(extract)s
FROM (VALUES ('IND', 'NL', 600.0), ('DVZ', 'BE', 150.0)) staff(o, ch, v),
    generate_series(%(first)s::date, %(today)s::date, interval '1 month') d
"""


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Measure scenario calibration and a 36-month, 1,000-path run through the API."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=1_150_000, help="about 10M events")
        parser.add_argument("--paths", type=int, default=1000)
        parser.add_argument("--horizon", type=int, default=36)
        parser.add_argument("--runs", type=int, default=RUNS)
        parser.add_argument("--smoke", action="store_true", help="tiny data, in seconds")

    def handle(
        self, *args: object, cases: int, paths: int, horizon: int, runs: int, smoke: bool,
        **options: object,
    ) -> None:  # fmt: skip
        if not is_bench_database():
            raise CommandError("the benchmark may fill its tables: run it on a *bench* database")
        if smoke:
            cases, paths, horizon, runs = (SMOKE[k] for k in ("cases", "paths", "horizon", "runs"))
        today = clock.today()
        if CaseFact.objects.count() < cases or smoke:
            self.stdout.write(f"generating {cases:,} cases up to {today} …")
            started = time.perf_counter()
            events = fresh_chain(cases=cases, today=today)
            self.stdout.write(f"{events:,} events in {time.perf_counter() - started:.0f} s")
        else:
            self.stdout.write("using the benchmark chain already stored")
        self._staff(today)
        found = CaseFact.objects.count()

        origin = default_origin(today)
        # Cold: a new data version, as after a recompute, so nothing cached is found (a flush
        # would empty the broker's queues too: they share the Redis database).
        cache.set(DATA_VERSION_KEY, time.time_ns(), None)
        started = time.perf_counter()
        calibrate(chain="NL", origin=origin, window=12)
        calibrate_s = time.perf_counter() - started
        self.stdout.write(f"calibration (cold) {calibrate_s:.2f} s")

        client = self._client()
        body = {"chain": "NL", "horizon": horizon, "paths": paths, "seed": 7}
        self._post(client, body)  # warm: the calibration and start state are cached now
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            self._post(client, body)
            timings.append((time.perf_counter() - started) * 1000)
        figures = {
            "cases": found, "paths": paths, "horizon": horizon,
            "calibrate_s": f"{calibrate_s:.2f}",
            "run_p50_ms": f"{statistics.median(timings):.0f}",
            "run_p95_ms": f"{_percentile(timings, 0.95):.0f}",
        }  # fmt: skip
        self.stdout.write(json.dumps({"runs": runs, "timings_ms": [round(t) for t in timings]}))
        self.stdout.write("bench-scenarios " + " ".join(f"{k}={v}" for k, v in figures.items()))

    def _staff(self, today: Any) -> None:
        """Monthly decision staff of IND and DVZ over the chain's history, once."""
        if Measurement.objects.filter(kind="DECISION_CAPACITY_FTE").exists():
            return
        extract = Extract.objects.create(
            organisation_id="IND", channel=Extract.Channel.FILE, name="bench staff", sha256="",
            status=Extract.Status.ACCEPTED, finished_at=clock.now(),
        )  # fmt: skip
        first = CaseFact.objects.order_by("first_event").values_list("first_event", flat=True)[0]
        with connection.cursor() as cursor:
            cursor.execute(
                _FTE, {"extract": extract.pk, "first": first.replace(day=1), "today": today}
            )

    def _client(self) -> Client:
        director, _ = User.objects.get_or_create(username="bench director")
        director.groups.add(Group.objects.get(name=CHAIN_DIRECTOR))
        client = Client()
        client.force_login(director)
        return client

    def _post(self, client: Client, body: dict[str, Any]) -> None:
        answer = client.post("/api/v1/scenarios", body, content_type="application/json")
        if answer.status_code != 201:
            raise CommandError(f"POST /api/v1/scenarios answered {answer.status_code}: "
                               f"{answer.content[:500]!r}")  # fmt: skip
