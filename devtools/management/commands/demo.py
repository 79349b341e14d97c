"""``manage.py demo``: everything ``make demo`` does, on a fresh machine or again in seconds.

Migrates, loads the catalogue, creates the demo login, generates a simulated chain's partner
extracts, ingests them through a real Celery worker on the real broker (the Fedasil pages pulled
from a small local feed, the real way), computes the indicators and serves the dashboard, with a
worker, beat and the feed running beside the web server. Ctrl-C stops every process it started,
and the embedded database and broker.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from chain import clock
from chain.indicators.engine import compute_dirty
from chain.models import StatusEvent
from chain.periods import HALF_YEAR, MONTH, latest_complete, parse_period, periods_ending
from devtools import embedded
from devtools.demo.delivery import (
    enqueue_demo_extracts,
    enqueue_feed_pull,
    wait_for_extracts,
    wait_for_feed,
)
from opendata.services import previous_month, publish_month
from reports.publishing import publish_half_year

DEMO_USER = "demo"
DEMO_PASSWORD = "ketendashboard-demo"  # noqa: S105 - a published demo login, DEBUG only
DEMO_FEED_TOKEN = "demo-feed-token"  # noqa: S105 - the local demo feed's own token
# The open data of the last few complete months is published, as beat would have done.
OPEN_DATA_MONTHS = 3


class Command(BaseCommand):
    help = "Set up a populated demo and serve it at http://127.0.0.1:8000/ (Ctrl-C stops)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=0.02)
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--feed-port", type=int, default=8001)
        parser.add_argument(
            "--no-serve", action="store_true", help="set up and ingest, then stop (for tests)"
        )

    def handle(
        self,
        *args: object,
        scale: float,
        port: int,
        feed_port: int,
        no_serve: bool,
        **opts: object,
    ) -> None:
        started = time.monotonic()
        call_command("migrate", verbosity=0)
        call_command("load_catalogue", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        self._demo_user()
        out = Path(settings.BASE_DIR) / "var" / "demo"
        if not (out / "manifest.json").exists():
            self.stdout.write(f"Generating a simulated chain at scale {scale} in {out} …")
            call_command("generate_demo", scale=scale, out=str(out), stdout=open(os.devnull, "w"))  # noqa: SIM115
        # The worker and beat pull the feed with this token; the feed serves it to them only.
        os.environ["FEDASIL_FEED_TOKEN"] = settings.FEDASIL_FEED_TOKEN or DEMO_FEED_TOKEN
        children = [
            self._feed(out / "FEDASIL", feed_port, os.environ["FEDASIL_FEED_TOKEN"]),
            self._spawn("worker", "-l", "warning", "--concurrency", "2"),
        ]
        try:
            if not StatusEvent.objects.exists():
                self._ingest(out, f"http://127.0.0.1:{feed_port}")
            compute_dirty()
            self._publish_open_data()
            self._publish_half_year_report()
            self.stdout.write(f"Ready in {time.monotonic() - started:.0f} s.")
            if no_serve:
                return
            children.append(self._spawn("beat", "-l", "warning"))
            children.append(
                subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
                    [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
                )
            )
            self.stdout.write(
                f"\nKetendashboard: http://127.0.0.1:{port}/\n"
                f"Log in as {DEMO_USER} / {DEMO_PASSWORD}\nCtrl-C stops everything.\n"
            )
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            while all(child.poll() is None for child in children):
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                child.terminate()
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
            if not no_serve and not os.environ.get("DATABASE_URL"):
                embedded.stop_services()
                self.stdout.write("Stopped the worker, beat, web server, database and broker.")

    def _demo_user(self) -> None:
        user, _ = User.objects.get_or_create(username=DEMO_USER, defaults={"is_staff": True})
        user.set_password(DEMO_PASSWORD)
        user.save()
        group, _ = Group.objects.get_or_create(name="chain director")
        user.groups.add(group)

    def _publish_open_data(self) -> None:
        """The last complete months' open data, each month once (a later run keeps them)."""
        started = time.monotonic()
        last = parse_period(previous_month(), MONTH)
        for month in periods_ending(last, OPEN_DATA_MONTHS):
            self.stdout.write(f"Open data: {publish_month(month=month.label).message}")
        self.stdout.write(f"Open data published in {time.monotonic() - started:.1f} s.")

    def _publish_half_year_report(self) -> None:
        """The last complete half-year's chain report, published once (a later run keeps it)."""
        started = time.monotonic()
        label = latest_complete(clock.today(), HALF_YEAR).label
        self.stdout.write(f"Half-year report: {publish_half_year(period=label).message}")
        self.stdout.write(
            f"Half-year report in {time.monotonic() - started:.1f} s: /reports/half-year/{label}"
        )

    def _ingest(self, out: Path, feed_url: str) -> None:
        extract_ids = enqueue_demo_extracts(out)
        pull_started = clock.now()
        feed = enqueue_feed_pull(feed_url)
        self.stdout.write(
            f"Ingesting {len(extract_ids)} extracts and pulling the Fedasil feed at {feed_url} "
            "through the Celery worker …"
        )
        summary = wait_for_extracts(extract_ids, timeout=600)
        self.stdout.write(f"Ingested: {summary}")
        feed = wait_for_feed(feed, after=pull_started, timeout=600)
        self.stdout.write(f"Fedasil feed pulled: {feed.last_error or 'ok'}")

    @staticmethod
    def _feed(folder: Path, port: int, token: str) -> subprocess.Popen[bytes]:
        """Serve the generated Fedasil pages; wait until the port answers."""
        child = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "devtools.demo.feed_server", str(folder), str(port), token]
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return child
            time.sleep(0.1)
        child.kill()
        raise RuntimeError(f"the demo Fedasil feed did not start on port {port}")

    @staticmethod
    def _spawn(*args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and the celery module
            [sys.executable, "-m", "celery", "-A", "psi", "--quiet", *args]
        )
