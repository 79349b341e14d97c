"""``manage.py demo``: everything ``make demo`` does, on a fresh machine or again in seconds.

Migrates, loads the catalogue (its count bands scaled to the demo's volume), creates the demo
login, generates a simulated chain's partner extracts, ingests them through a real Celery worker
on the real broker (the Fedasil pages pulled from a small local feed, the real way; the
measurements pushed as each organisation's system would), computes the indicators and serves the
dashboard, with a worker, beat and the feed running beside the web server. It says which stage it
is at and how far. Ctrl-C stops every process it started, and the embedded database and broker.
"""

from __future__ import annotations

import json
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
from devtools.demo.catalogue import write_scaled_catalogue
from devtools.demo.delivery import (
    enqueue_demo_extracts,
    enqueue_feed_pull,
    push_demo_measurements,
    wait_for_extracts,
    wait_for_feed,
)
from opendata.services import previous_month, publish_month
from reports.publishing import publish_half_year
from scenarios.inputs import InvalidInputs
from scenarios.models import Preset, SavedScenario
from scenarios.presets import BASELINE, preset_inputs
from scenarios.saved import save_result
from scenarios.services import run_scenario

DEMO_USER = "demo"
DEMO_PASSWORD = "ketendashboard-demo"  # noqa: S105 - a published demo login, DEBUG only
DEMO_FEED_TOKEN = "demo-feed-token"  # noqa: S105 - the local demo feed's own token
# The open data of the last few complete months is published, as beat would have done.
OPEN_DATA_MONTHS = 3
# A tenth of the real chain: every main nationality clears the small-cell threshold, and a first
# start stays within minutes on a small machine.
DEFAULT_SCALE = 0.1
STAGES = 9


class Command(BaseCommand):
    help = "Set up a populated demo and serve it at http://127.0.0.1:8000/ (Ctrl-C stops)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=float,
            default=DEFAULT_SCALE,
            help="the simulated chain's size (1 = the published volumes); a chain generated "
            "before keeps its own",
        )
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
        self._started = started = time.monotonic()
        self._stage(1, "Preparing the database (migrations)")
        call_command("migrate", verbosity=0)
        out = Path(settings.BASE_DIR) / "var" / "demo"
        manifest = out / "manifest.json"
        if manifest.exists():
            generated = json.loads(manifest.read_text(encoding="utf-8"))["scale"]
            if generated != scale:
                self.stdout.write(
                    f"  the chain in {out} was generated at scale {generated}: it keeps that "
                    "(make clean starts afresh)"
                )
            scale = generated
        self._stage(2, f"Loading the catalogue, its count bands scaled by {scale}")
        catalogue = write_scaled_catalogue(scale=scale, out=out.parent / "demo-catalogue.json")
        call_command("load_catalogue", str(catalogue), stdout=open(os.devnull, "w"))  # noqa: SIM115
        self._demo_user()
        if manifest.exists():
            self._stage(3, f"Simulated chain found in {out}")
        else:
            self._stage(3, f"Generating a simulated chain at scale {scale} in {out}")
            call_command("generate_demo", scale=scale, out=str(out), stdout=self.stdout)
        # The worker and beat pull the feed with this token; the feed serves it to them only.
        os.environ["FEDASIL_FEED_TOKEN"] = settings.FEDASIL_FEED_TOKEN or DEMO_FEED_TOKEN
        children = [
            self._feed(out / "FEDASIL", feed_port, os.environ["FEDASIL_FEED_TOKEN"]),
            self._spawn("worker", "-l", "warning", "--concurrency", "2"),
        ]
        try:
            if StatusEvent.objects.exists():
                self._stage(4, "Extracts ingested before")
                self._stage(5, "Feed pulled and measurements pushed before")
            else:
                self._ingest(out, f"http://127.0.0.1:{feed_port}")
            self._stage(6, "Computing the indicators of every period not computed yet")
            compute_dirty()
            self._publish_open_data()
            self._publish_half_year_report()
            self._scenarios(scale)
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

    def _scenarios(self, scale: float) -> None:
        """The scenario presets scaled to the demo chain's volume, and a saved baseline
        scenario per chain, so that the scenario pages show a run on first start."""
        self._stage(9, "Loading the scenario presets; a baseline scenario per chain")
        call_command("load_scenario_presets", scale=scale, stdout=open(os.devnull, "w"))  # noqa: SIM115
        author = User.objects.get(username=DEMO_USER)
        for preset in Preset.objects.filter(name=BASELINE):
            if SavedScenario.objects.filter(chain_id=preset.chain_id).exists():
                continue
            try:
                result = run_scenario(data=preset_inputs(preset))
            except InvalidInputs as err:
                self.stdout.write(f"No baseline scenario for {preset.chain_id}: {err}")
                continue
            name = f"{preset.name} {preset.chain_id}"
            save_result(result=result, name=name, author=author)
        self.stdout.write(f"Scenarios ready: {SavedScenario.objects.count()} saved.")

    def _demo_user(self) -> None:
        user, _ = User.objects.get_or_create(username=DEMO_USER, defaults={"is_staff": True})
        user.set_password(DEMO_PASSWORD)
        user.save()
        group, _ = Group.objects.get_or_create(name="chain director")
        user.groups.add(group)

    def _publish_open_data(self) -> None:
        """The last complete months' open data, each month once (a later run keeps them)."""
        self._stage(7, "Publishing the open data of the last complete months")
        started = time.monotonic()
        last = parse_period(previous_month(), MONTH)
        for month in periods_ending(last, OPEN_DATA_MONTHS):
            self.stdout.write(f"Open data: {publish_month(month=month.label).message}")
        self.stdout.write(f"Open data published in {time.monotonic() - started:.1f} s.")

    def _stage(self, number: int, what: str) -> None:
        elapsed = time.monotonic() - self._started
        self.stdout.write(f"[{number}/{STAGES}] {what} … ({elapsed:.0f} s)")

    def _publish_half_year_report(self) -> None:
        """The last complete half-year's chain report, published once (a later run keeps it)."""
        self._stage(8, "Publishing the last half-year's chain report")
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
        self._stage(
            4,
            f"Ingesting {len(extract_ids)} extracts through the Celery worker, the Fedasil feed "
            f"pulled from {feed_url} beside them",
        )

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done}/{total} extracts ingested ({100 * done // total} %)")

        summary = wait_for_extracts(extract_ids, timeout=900, progress=progress)
        self.stdout.write(f"  ingested: {summary}")
        self._stage(5, "Waiting for the Fedasil feed; pushing the measurements")
        self.stdout.write(f"  pushed: {push_demo_measurements(out)}")
        feed = wait_for_feed(feed, after=pull_started, timeout=900)
        self.stdout.write(f"  Fedasil feed pulled: {feed.last_error or 'ok'}")

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
