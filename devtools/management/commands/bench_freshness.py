"""``manage.py bench_freshness``: how long a pushed status takes to show, at 10 million events.

What a partner and a director feel is not the ingest rate but the time from a push to the
screen. On a freshly generated chain of three years up to today (``devtools.bench_data``), with
gunicorn, a Celery worker and beat running as in production (``devtools.bench_servers``), IND
pushes batches of new first decisions of open Dutch cases, dated today, one batch at a time.
For each push the clock runs from sending it until ``GET /api/v1/indicators/decisions_taken/
values`` for the current month, answered as any client is answered (cached answers included),
shows the count grown by the batch. Nothing but the push itself starts the recompute: beat's
run every two minutes is there as in production, not waited for. The last line is
machine-readable.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from datetime import datetime
from statistics import median
from zoneinfo import ZoneInfo

import httpx
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import OrganisationAPIKey
from chain import clock
from chain.indicators.engine import compute_all
from chain.models import Chain
from chain.periods import MONTH, period_containing
from chain.tasks import RECOMPUTE_PENDING
from devtools.bench_data import fresh_chain, is_bench_database, open_dutch_cases
from devtools.bench_servers import PROXY_HEADERS, production_processes

INDICATOR = "decisions_taken"
POLL_SECONDS = 0.05
# ``--smoke``: the same path on a chain small enough to take seconds, for the test suite; each
# push must show well before beat's first recompute (two minutes after it starts).
SMOKE = {"cases": 2_000, "pushes": 3, "events_per_push": 20, "timeout": 30}


class Command(BaseCommand):
    help = "Measure the time from a push of new decisions to the read API showing them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=1_150_000, help="about 10M events")
        parser.add_argument("--pushes", type=int, default=20)
        parser.add_argument("--events-per-push", type=int, default=1_000)
        parser.add_argument(
            "--timeout", type=float, default=300, help="seconds a push may take to show"
        )
        parser.add_argument("--smoke", action="store_true", help="tiny data, in seconds")

    def handle(
        self, *args: object, cases: int, pushes: int, events_per_push: int, timeout: float,
        smoke: bool, **options: object,
    ) -> None:  # fmt: skip
        if not is_bench_database():
            raise CommandError("the benchmark fills its tables: run it on a *bench* database")
        # One line per poll (twenty a second) would bury the figures.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        if smoke:
            cases, pushes, events_per_push, timeout = (
                SMOKE["cases"], SMOKE["pushes"], SMOKE["events_per_push"], SMOKE["timeout"]
            )  # fmt: skip
        today = clock.today()
        self.stdout.write(f"generating {cases:,} cases up to {today} …")
        started = time.perf_counter()
        events = fresh_chain(cases=cases, today=today)
        compute_all()
        self.stdout.write(f"{events:,} events, computed in {time.perf_counter() - started:.0f} s")
        rng = random.Random(time.time_ns())
        wanted = pushes * events_per_push
        deciding = open_dutch_cases(cases=cases, wanted=wanted, rng=rng)
        if len(deciding) < wanted:
            raise CommandError(f"only {len(deciding)} open cases to decide, {wanted} wanted")
        batches = [deciding[i : i + events_per_push] for i in range(0, wanted, events_per_push)]
        _, push_key = OrganisationAPIKey.objects.create_key(
            name="bench push", scope=OrganisationAPIKey.Scope.PUSH, organisation_id="IND"
        )
        _, read_key = OrganisationAPIKey.objects.create_key(
            name="bench read", scope=OrganisationAPIKey.Scope.READ
        )
        # A run queued by an earlier process and never started would swallow the pushes' own.
        cache.delete(RECOMPUTE_PENDING)
        label = period_containing(today, MONTH).label
        values_url = (
            f"/api/v1/indicators/{INDICATOR}/values?chain=NL&period=month&from={label}&to={label}"
        )
        occurred_at = datetime.combine(today, datetime.min.time(), ZoneInfo(_nl_timezone()))
        with (
            production_processes(worker=True, beat=True) as base,
            httpx.Client(base_url=base, headers=PROXY_HEADERS, timeout=120) as client,
        ):
            pusher = {"Authorization": f"Api-Key {push_key}"}
            reader = {"Authorization": f"Api-Key {read_key}"}
            shown = _decisions(client, values_url, reader)
            shown_s, push_s = [], []
            for number, batch in enumerate(batches, start=1):
                started = time.perf_counter()
                answer = client.post(
                    "/api/v1/events", headers=pusher,
                    json=_decisions_pushed(batch, occurred_at=occurred_at, rng=rng),
                )  # fmt: skip
                push_s.append(time.perf_counter() - started)
                if answer.status_code != 200 or answer.json()["accepted"] != len(batch):
                    raise CommandError(
                        f"push {number} answered {answer.status_code}: {answer.text[:300]}"
                    )
                shown = _wait_for_value(
                    client, values_url, reader, expected=shown + len(batch),
                    deadline=started + timeout, push=number,
                )  # fmt: skip
                shown_s.append(time.perf_counter() - started)
                self.stdout.write(f"push {number}: shown after {shown_s[-1]:.2f} s")
        figures = {
            "pushes": pushes, "events_per_push": events_per_push,
            "p50_s": f"{median(shown_s):.2f}", "p95_s": f"{nearest_rank(shown_s, 95):.2f}",
            "max_s": f"{max(shown_s):.2f}",
        }  # fmt: skip
        self.stdout.write(json.dumps({"push_p50_s": f"{median(push_s):.2f}", **figures}))
        self.stdout.write("bench-freshness " + " ".join(f"{k}={v}" for k, v in figures.items()))


def nearest_rank(values: list[float], percent: int) -> float:
    """The smallest value with ``percent`` % of the values at or below it (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def _decisions_pushed(
    batch: list[tuple[str, str, str]], *, occurred_at: datetime, rng: random.Random
) -> dict[str, object]:
    """A push body granting each case of ``batch`` (V-nummer, track, nationality) its first
    decision, with the track and nationality the case has, as IND's events carry them."""
    events = [
        {
            "source_event_id": f"bench-fresh-{rng.getrandbits(64):x}",
            "person_ref": vnummer,
            "event_type": "DECISION_GRANTED",
            "occurred_at": occurred_at.isoformat(),
            "track": track,
            "nationality": nationality,
            "uam": False,
        }
        for vnummer, track, nationality in batch
    ]
    return {"events": events}


def _nl_timezone() -> str:
    return Chain.objects.get(code="NL").timezone


def _wait_for_value(
    client: httpx.Client, url: str, headers: dict[str, str], *, expected: float,
    deadline: float, push: int,
) -> float:  # fmt: skip
    """Ask the API as a client would until it shows ``expected``; fail at ``deadline``."""
    while (shown := _decisions(client, url, headers)) != expected:
        if time.perf_counter() > deadline:
            raise CommandError(f"push {push}: {INDICATOR} still {shown}, not {expected}")
        time.sleep(POLL_SECONDS)
    return shown


def _decisions(client: httpx.Client, url: str, headers: dict[str, str]) -> float:
    """The value the API shows now for the one month asked."""
    answer = client.get(url, headers=headers)
    if answer.status_code != 200:
        raise CommandError(f"{url} answered {answer.status_code}: {answer.text[:300]}")
    [item] = answer.json()
    return item["value"]
