"""``manage.py bench_ingest``: the project's ingest against raw COPY and ``bulk_create``.

Measured in one run, on one generated IND extract:
(a) raw ``COPY`` of the same rows, preformatted, into an identical bare table (same columns, logged
    like the events table, no index): the physical limit;
(b) the project's full ingest of the file (``manage.py ingest_file`` in a child process, so its
    peak memory is its own);
(c) Django ``bulk_create`` of the same rows, the usual way (on a sample: it is slow).
For context, the same ``COPY`` is measured into two more tables: one with only the events table's
keys (primary key and the unique identity that makes a delivery count once), the floor of any
loader that stores each event once; and one with all four of its indexes, the floor of any loader
that keeps the indexes its readers need. The last line is machine-readable.
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from chain.models import Case, StatusEvent
from ingest.adapters.base import EventRow, Row
from ingest.adapters.ind import IndAdapter
from ingest.models import Extract
from ingest.pseudonymize import person_key

CODES = ["AANMELDING", "AANVRAAG", "GEHOOR_GEPLAND", "GEHOOR", "INWILLIGING", "AFWIJZING"]
NATIONALITIES = ["SYR", "AFG", "TUR", "ERI", "YEM", "IRQ", "MAR", "DZA"]
_PROJECT_CHILD = """
import resource, sys
import django
from django.core.management import call_command
django.setup()
call_command("ingest_file", sys.argv[1], partner="IND", stdout=open("/dev/null", "w"))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
BARE_TABLE = (
    "CREATE TABLE bench_event (LIKE chain_statusevent INCLUDING DEFAULTS INCLUDING IDENTITY)"
)
# The events table's own primary key and unique identity, without the readers' indexes.
KEYED_TABLE = (
    "CREATE TABLE bench_event (LIKE chain_statusevent INCLUDING DEFAULTS INCLUDING IDENTITY"
    " INCLUDING CONSTRAINTS); ALTER TABLE bench_event ADD PRIMARY KEY (id),"
    " ADD UNIQUE (organisation_id, source_event_id)"
)
INDEXED_TABLE = "CREATE TABLE bench_event (LIKE chain_statusevent INCLUDING ALL)"
# source_event_id, person_key, event_type, occurred_at, local_date, track, nationality, uam,
# location: the order the COPY text writes them in.
BenchRow = tuple[str, str, str, datetime, date, str | None, str | None, bool | None, str | None]


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
    help = "Measure the ingest against raw COPY and bulk_create; prints events per second."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=1_000_000)
        parser.add_argument("--bulk-sample", type=int, default=100_000)

    def handle(self, *args: object, events: int, bulk_sample: int, **options: object) -> None:
        if "bench" not in connection.settings_dict["NAME"]:
            raise CommandError("the benchmark empties its tables: run it on a *bench* database")
        folder = Path(settings.BASE_DIR) / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"ind_zaakstatus_bench_{events}.csv"
        if not path.exists():
            self.stdout.write(f"writing {events:,} events to {path} …")
            write_extract(path, events)
        self._reset()
        project_s, peak_mb = self._project(path)
        project_eps = events / project_s
        with path.open("rb") as stream:
            rows = [self._row(event) for event in IndAdapter().parse(stream)]
        text = self._copy_text(rows)
        copy_eps = events / self._raw_copy(text, BARE_TABLE)
        floors = {
            name: events / self._raw_copy(text, create)
            for name, create in (("keyed", KEYED_TABLE), ("indexed", INDEXED_TABLE))
        }
        del text
        sample = rows[:bulk_sample]
        self._reset()
        bulk_eps = len(sample) / self._bulk_create(sample)
        figures = {
            "events": events, "project_eps": round(project_eps), "copy_eps": round(copy_eps),
            "bulk_create_eps": round(bulk_eps), "ratio_copy": f"{project_eps / copy_eps:.2f}",
            "ratio_bulk": f"{project_eps / bulk_eps:.1f}", "peak_rss_mb": round(peak_mb),
        }  # fmt: skip
        # Each floor as a share of the bare COPY and as a multiple of bulk_create: what b/a and
        # b/c would be for a loader that cost nothing but that table's COPY.
        context: dict[str, object] = {"bulk_create_sample": len(sample)}
        for name, eps in floors.items():
            context[f"copy_{name}_eps"] = round(eps)
            context[f"copy_{name}_ratio_copy"] = f"{eps / copy_eps:.2f}"
            context[f"copy_{name}_ratio_bulk"] = f"{eps / bulk_eps:.1f}"
            context[f"project_per_copy_{name}"] = f"{project_eps / eps:.2f}"
        self.stdout.write(json.dumps({**context, **figures}))
        self.stdout.write("bench-ingest " + " ".join(f"{k}={v}" for k, v in figures.items()))

    @staticmethod
    def _row(event: Row) -> BenchRow:
        # The generated extract holds good events only.
        assert isinstance(event, EventRow)
        return (
            event.source_event_id, person_key("NL", event.person_ref), event.event_type,
            event.occurred_at, event.occurred_at.date(), event.track, event.nationality,
            event.uam, event.location,
        )  # fmt: skip

    @staticmethod
    def _reset() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE chain_indicatorvalue, chain_casefact, chain_statusevent, chain_case, "
                "chain_measurement, chain_dirtyrange, ingest_rejectedrow, ingest_extract CASCADE"
            )
            # Each measurement starts with nothing left for it to write out of an earlier one.
            cursor.execute("CHECKPOINT")

    @staticmethod
    def _copy_text(rows: list[BenchRow]) -> str:
        """The rows as preformatted ``COPY`` text lines of the events table's columns."""
        buffer = io.StringIO()
        for r in rows:
            buffer.write(
                f"IND\t{r[0]}\t1\tNL\t{r[2]}\t{r[3].isoformat()}\t{r[4]}\t{r[5]}\t{r[6]}\t"
                f"{'t' if r[7] else 'f'}\t{r[8]}\t\\N\t\\N\t1\n"
            )
        return buffer.getvalue()

    @staticmethod
    def _raw_copy(text: str, create: str) -> float:
        """Seconds to ``COPY`` ``text`` into a new table made by ``create``, committed."""
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_event")
            cursor.execute(create)
            cursor.execute("CHECKPOINT")
            started = time.perf_counter()
            with (
                transaction.atomic(),
                cursor.cursor.copy(
                    "COPY bench_event (organisation_id, source_event_id, case_id, chain_id,"
                    " event_type, occurred_at, local_date, track, nationality, uam, location,"
                    " reason, destination, extract_id) FROM STDIN"
                ) as copy,
            ):
                copy.write(text)
            elapsed = time.perf_counter() - started
            cursor.execute("DROP TABLE bench_event")
        return elapsed

    @staticmethod
    def _project(path: Path) -> tuple[float, float]:
        """The full ingest in a child process: seconds and the child's own peak RSS in MB."""
        started = time.perf_counter()
        # The child reports its own peak: a parent's RUSAGE_CHILDREN can count pages the
        # child shared with it before exec.
        child = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", _PROJECT_CHILD, str(path)],
            check=True, capture_output=True, text=True, cwd=settings.BASE_DIR,
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        peak_kb = int(child.stdout.split()[-1])
        assert Extract.objects.filter(status=Extract.Status.ACCEPTED).exists()
        return elapsed, peak_kb / 1024

    @staticmethod
    def _bulk_create(rows: list[BenchRow]) -> float:
        """The usual Django way: cases with get-or-create semantics, then events in batches."""
        extract = Extract.objects.create(organisation_id="IND", channel="file", name="b", sha256="")
        started = time.perf_counter()
        with transaction.atomic():
            keys = {r[1] for r in rows}
            Case.objects.bulk_create(
                [Case(chain_id="NL", person_key=k) for k in keys], ignore_conflicts=True
            )
            ids = dict(Case.objects.filter(person_key__in=keys).values_list("person_key", "id"))
            StatusEvent.objects.bulk_create(
                (
                    StatusEvent(
                        organisation_id="IND",
                        source_event_id=r[0],
                        case_id=ids[r[1]],
                        chain_id="NL",
                        event_type=r[2],
                        occurred_at=r[3],
                        local_date=r[4],
                        track=r[5],
                        nationality=r[6],
                        uam=r[7],
                        location=r[8],
                        extract=extract,
                    )
                    for r in rows
                ),
                batch_size=5000,
                ignore_conflicts=True,
            )
        return time.perf_counter() - started
