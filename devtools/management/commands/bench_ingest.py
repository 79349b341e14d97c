"""``manage.py bench_ingest``: the whole ``ingest_file`` command against ``COPY`` of its rows.

Measured in one run, on one generated IND extract (issue 12's target: at least 0.4):
(a) ``manage.py ingest_file --partner IND`` of the file, run as a child process from start to
    finish, Django's start-up included, so every fixed cost of the command counts; its peak
    memory is that process's own;
(b) ``COPY`` of the same rows (the identities the ingest stored, hex digests in the file's random
    order, and the case ids it gave) into a new ``LIKE chain_statusevent INCLUDING ALL`` table:
    every key and index of the events table, the floor of any loader that keeps them;
(c) for context, the same ``COPY`` into a bare table of the same columns (no index).
The last line is machine-readable and ends with ``ratio_copy_indexed`` = (a) / (b) in events per
second. ``--smoke`` runs all of it on a tiny file in seconds, so that a broken benchmark fails
the test suite.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from chain.models import Case, Extract
from devtools.database import database_url
from ingest.adapters.base import EventRow
from ingest.adapters.ind import IndAdapter
from ingest.pseudonymize import person_key

CODES = ["AANMELDING", "AANVRAAG", "GEHOOR_GEPLAND", "GEHOOR", "INWILLIGING", "AFWIJZING"]
NATIONALITIES = ["SYR", "AFG", "TUR", "ERI", "YEM", "IRQ", "MAR", "DZA"]
SMOKE_EVENTS = 2_000
# The peak memory is read this often while the child runs; it changes slowly.
PEAK_POLL_SECONDS = 0.02
BARE_TABLE = (
    "CREATE TABLE bench_event (LIKE chain_statusevent INCLUDING DEFAULTS INCLUDING IDENTITY)"
)
INDEXED_TABLE = "CREATE TABLE bench_event (LIKE chain_statusevent INCLUDING ALL)"
COPY_COLUMNS = (
    "organisation_id, source_event_id, case_id, chain_id, event_type, occurred_at, local_date,"
    " track, nationality, uam, location, reason, destination, extract_id"
)


def write_extract(path: Path, events: int, seed: int = 1, start_year: int = 2022) -> None:
    """An IND extract of ``events`` rows: people with a few events each, over three years."""
    rng = random.Random(seed)
    start = date(start_year, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("vnummer;zaaknummer;spoor;nationaliteit;gebeurtenis;datum;tijd;locatie;amv\n")
        written, person = 0, 0
        while written < events:
            person += 1
            vnummer = f"{3000000000 + seed * 1_000_000 + person}"
            day = start + timedelta(days=rng.randrange(1095))
            track, nat = rng.choice("1234"), rng.choice(NATIONALITIES)
            for code in CODES[: min(rng.randint(2, 6), events - written)]:
                tijd = (
                    f"{rng.randrange(8, 18):02d}:{rng.randrange(60):02d}"
                    if rng.random() < 0.7
                    else ""
                )
                out.write(
                    f"{vnummer};Z{person:07d};{track};{nat};{code};{day:%d-%m-%Y};{tijd};"
                    "Ter Apel;N\n"
                )
                day += timedelta(days=rng.randrange(1, 60))
                written += 1


class Command(BaseCommand):
    help = "Time manage.py ingest_file against COPY into the indexed events table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=1_000_000)
        parser.add_argument(
            "--smoke", action="store_true",
            help=f"{SMOKE_EVENTS:,} events in a temporary folder: checks that it runs",
        )  # fmt: skip

    def handle(self, *args: object, events: int, smoke: bool, **options: object) -> None:
        name = connection.settings_dict["NAME"]
        if "bench" not in name and not (smoke and name.startswith("test_")):
            raise CommandError("the benchmark empties its tables: run it on a *bench* database")
        if smoke:
            with tempfile.TemporaryDirectory() as folder:
                self._bench(Path(folder) / "ind_zaakstatus_smoke.csv", SMOKE_EVENTS, smoke=True)
            return
        bench_folder = Path(settings.BASE_DIR) / "var" / "bench"
        bench_folder.mkdir(parents=True, exist_ok=True)
        self._bench(bench_folder / f"ind_zaakstatus_bench_{events}.csv", events)

    def _bench(self, path: Path, events: int, *, smoke: bool = False) -> None:
        if not path.exists():
            self.stdout.write(f"writing {events:,} events to {path} …")
            write_extract(path, events)
        _reset()
        project_s, peak_mb = _project(path, test_database=smoke)
        text = _copy_text(path)
        copy_bare_s = _raw_copy(text, BARE_TABLE)
        copy_indexed_s = _raw_copy(text, INDEXED_TABLE)
        project_eps, indexed_eps = events / project_s, events / copy_indexed_s
        figures = {
            "events": events,
            "project_s": f"{project_s:.1f}",
            "project_eps": round(project_eps),
            "copy_bare_eps": round(events / copy_bare_s),
            "copy_indexed_eps": round(indexed_eps),
            "peak_rss_mb": round(peak_mb),
            "ratio_copy_indexed": f"{project_eps / indexed_eps:.2f}",
        }
        self.stdout.write("bench-ingest " + " ".join(f"{k}={v}" for k, v in figures.items()))


def _reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE chain_indicatorvalue, chain_casefact, chain_statusevent, chain_case, "
            "chain_measurement, chain_dirtyrange, ingest_rejectedrow, ingest_extract CASCADE"
        )
        # Each measurement starts with nothing left for it to write out of an earlier one.
        cursor.execute("CHECKPOINT")


def _project(path: Path, *, test_database: bool) -> tuple[float, float]:
    """``manage.py ingest_file`` of ``path`` in a child process: seconds and its peak RSS in MB.

    The child finds its database as any ``manage.py`` run would, unless this process runs on a
    test database, which the child is then pointed at.
    """
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(  # noqa: S603 - our own interpreter and code
            [sys.executable, "manage.py", "ingest_file", "--partner", "IND", str(path)],
            cwd=settings.BASE_DIR,
            env={**os.environ, **({"DATABASE_URL": database_url()} if test_database else {})},
            stdout=subprocess.DEVNULL, stderr=errors,
        )  # fmt: skip
        peak_kb = 0
        while child.poll() is None:
            peak_kb = max(peak_kb, _peak_rss_kb(child.pid))
            time.sleep(PEAK_POLL_SECONDS)
        elapsed = time.perf_counter() - started
        if child.returncode != 0:
            errors.seek(0)
            raise CommandError(f"ingest_file failed:\n{errors.read().decode(errors='replace')}")
    if not Extract.objects.filter(status=Extract.Status.ACCEPTED).exists():
        raise CommandError("ingest_file did not accept the extract")
    return elapsed, peak_kb / 1024


def _peak_rss_kb(pid: int) -> int:
    """The process's peak resident set so far (``VmHWM``), 0 once it has exited.

    Its own, from its ``exec`` on: ``wait4``'s figure would also count this process's pages,
    which a child shares until it calls ``exec``.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    peaks = [int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")]
    return peaks[0] if peaks else 0


def _copy_text(path: Path) -> str:
    """The file's events as ``COPY`` text of the events table's columns, in the file's order.

    The same rows the ingest stored: the adapter's identities and the case ids the ingest gave.
    """
    extract_id = Extract.objects.values_list("pk", flat=True).get()
    cases = dict(Case.objects.values_list("person_key", "pk"))
    buffer = io.StringIO()
    with path.open("rb") as stream:
        for row in IndAdapter().parse(stream):
            # The generated extract holds good events only.
            assert isinstance(row, EventRow)
            case_id = cases[person_key("NL", row.person_ref)]
            uam = "t" if row.uam else "f"
            buffer.write(
                f"IND\t{row.source_event_id}\t{case_id}\tNL\t{row.event_type}\t"
                f"{row.occurred_at.isoformat()}\t{row.occurred_at.date()}\t{row.track}\t"
                f"{row.nationality}\t{uam}\t{row.location}\t\\N\t\\N\t{extract_id}\n"
            )
    return buffer.getvalue()


def _raw_copy(text: str, create: str) -> float:
    """Seconds to ``COPY`` ``text`` into a new table made by ``create``, committed."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_event")
        cursor.execute(create)
        cursor.execute("CHECKPOINT")
        started = time.perf_counter()
        with (
            transaction.atomic(),
            cursor.cursor.copy(f"COPY bench_event ({COPY_COLUMNS}) FROM STDIN") as copy,
        ):
            copy.write(text)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_event")
    return elapsed
