"""The simulated chain as partner extracts, one writer per format (docs/reference/formats.md).

The file partners (IND, COA, DT&V, DVZ) deliver every Monday a file with the events of the ten
days before it, so consecutive files overlap by three days (event identity makes that harmless)
and an event only ever appears in files dated after it. The first file, dated 2022-01-03, also
carries the history of the cases active when the simulated period starts. Fedasil publishes its
events as a cursor-paged feed and its capacity as monthly documents.

Layout of the output folder (``devtools/management/commands/demo.py`` and
``devtools/demo/feed_server.py`` read it)::

    IND/ind_zaakstatus_YYYYMMDD.csv     COA/coa_mutaties_YYYYMMDD.jsonl
    DTV/dtv_vertrek_YYYYMMDD.xml        DVZ/dvz_evenements_YYYYMMDD.csv
    FEDASIL/pages/NNNNNN.json           FEDASIL/capacity/YYYYMMDD.json
    PUSH/<ORGANISATION>.json            measurements as a push API body (docs/reference/push-api.md)
    manifest.json                       written last: its presence means "complete"

Events are written as the simulation's watermark passes them, and forgotten: memory holds only
the events of cases that still lie ahead.
"""

from __future__ import annotations

import base64
import csv
import json
from abc import ABC, abstractmethod
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, ClassVar
from xml.sax.saxutils import quoteattr
from zoneinfo import ZoneInfo

from devtools.demo.simulation import (
    ORIGIN,
    PUBLISHED,
    START,
    Capacity,
    SimCase,
    SimEvent,
    Simulation,
)
from ingest.adapters.ind import EVENTS as IND_EVENTS

FIRST_DELIVERY = date(2022, 1, 3).toordinal()  # the first Monday of the simulated period
WINDOW_DAYS = 10
PAGE_SIZE = 1000  # events per Fedasil feed page, the page size the ingest asks for
AMSTERDAM, BRUSSELS = ZoneInfo("Europe/Amsterdam"), ZoneInfo("Europe/Brussels")

IND_CODES = {canonical: code for code, canonical in IND_EVENTS.items()}
COA_SOORT = {"RECEPTION_ENTERED": "INSTROOM", "RECEPTION_TRANSFERRED": "OVERPLAATSING",
             "RECEPTION_LEFT": "UITSTROOM"}  # fmt: skip
COA_REDEN = {"HOUSING": "HUISVESTING", "DEPARTURE": "VERTREK", "UNKNOWN": "MOB", "OTHER": "OVERIG"}
DTV_SOORT = {"RETURN_CASE_OPENED": "OVERDRACHT", "DEPARTED_VOLUNTARY": "VERTREK_ZELFSTANDIG",
             "DEPARTED_FORCED": "VERTREK_GEDWONGEN", "DEPARTED_UNVERIFIED": "VERTREK_MOB",
             "RETURN_CASE_CLOSED": "AFSLUITING"}  # fmt: skip
DVZ_TYPES = {
    ("REGISTERED", None): "PRESENTATION", ("APPLICATION_LODGED", None): "INTRODUCTION",
    ("HEARING_HELD", None): "CGRA_AUDITION",
    ("DECISION_GRANTED", "REFUGEE"): "CGRA_RECONNAISSANCE",
    ("DECISION_GRANTED", "SUBSIDIARY"): "CGRA_PROTECTION_SUBSIDIAIRE",
    ("DECISION_REJECTED", None): "CGRA_REFUS", ("APPEAL_LODGED", None): "RECOURS_CCE",
    ("RETURN_CASE_OPENED", None): "ORDRE_QUITTER",
    ("DEPARTED_VOLUNTARY", None): "RETOUR_VOLONTAIRE", ("DEPARTED_FORCED", None): "RETOUR_FORCE",
}  # fmt: skip
FEDASIL_EVENTS = {"RECEPTION_ENTERED": "ARRIVAL", "RECEPTION_TRANSFERRED": "TRANSFER",
                  "RECEPTION_LEFT": "EXIT"}  # fmt: skip
FEDASIL_EXIT = {"HOUSING": "PROTECTION_GRANTED", "DEPARTURE": "VOLUNTARY_RETURN",
                "UNKNOWN": "UNKNOWN", "OTHER": "OTHER"}  # fmt: skip
# Partner file names, each a glob of what a writer owns in its folder (and may replace).
FILE_PATTERNS = {
    "IND": "ind_zaakstatus_*.csv",
    "COA": "coa_mutaties_*.jsonl",
    "DTV": "dtv_vertrek_*.xml",
    "DVZ": "dvz_evenements_*.csv",
    "FEDASIL": "*/[0-9]*.json",
}
# The measurements no extract format carries (satisfaction, decision staff) arrive by push.
PUSH_FOLDER = "PUSH"
# Every one in this many records of a timestamped format is written in UTC, to exercise offsets.
UTC_EVERY = 20

Item = SimEvent | Capacity
Entry = tuple[int, SimCase | None, Item]  # sort key within the day, case, event or capacity


@lru_cache(maxsize=4096)
def last_delivery(end: int) -> int:
    """The day of the last delivery: the first Monday after the simulation's ``end``."""
    return end + 7 - date.fromordinal(end).weekday()


def iso_date(day: int) -> str:
    """``yyyy-mm-dd``."""
    return date.fromordinal(day).isoformat()


@lru_cache(maxsize=4096)
def dutch_date(day: int) -> str:
    """``dd-mm-jjjj``, as IND writes dates."""
    return date.fromordinal(day).strftime("%d-%m-%Y")


def timestamp(zone: ZoneInfo, day: int, minute: int, serial: int) -> str:
    """ISO 8601 with the local UTC offset; every ``UTC_EVERY``-th one in UTC (``Z`` or +00:00)."""
    d = date.fromordinal(day)
    local = datetime(d.year, d.month, d.day, minute // 60, minute % 60, tzinfo=zone)
    if serial % UTC_EVERY:
        return local.isoformat()
    in_utc = local.astimezone(UTC).isoformat()
    return in_utc.replace("+00:00", "Z") if serial % (2 * UTC_EVERY) else in_utc


def clock(minute: int | None) -> str:
    """``HH:MM`` or empty."""
    return "" if minute is None else f"{minute // 60:02d}:{minute % 60:02d}"


def _sort_key(item: Item) -> int:
    """Events in time order within their day; capacity after the day's events."""
    if isinstance(item, Capacity):
        return 1440
    return item.minute or 0


class ExtractFile(ABC):
    """One delivery being written."""

    @abstractmethod
    def write(self, rows: list[Any]) -> None:
        """Append one day's rows."""

    @abstractmethod
    def close(self) -> None:
        """Finish the file."""


class CsvFile(ExtractFile):
    """A CSV extract: a header line, then one line per row."""

    def __init__(self, path: Path, header: list[str], delimiter: str, bom: bool) -> None:
        self._stream: IO[str] = path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="")
        self._csv = csv.writer(self._stream, delimiter=delimiter, lineterminator="\n")
        self._csv.writerow(header)

    def write(self, rows: list[Any]) -> None:
        self._csv.writerows(rows)

    def close(self) -> None:
        self._stream.close()


class LinesFile(ExtractFile):
    """JSON Lines: every row is one line of text already."""

    def __init__(self, path: Path) -> None:
        self._stream: IO[str] = path.open("w", encoding="utf-8", newline="\n")

    def write(self, rows: list[Any]) -> None:
        self._stream.writelines(rows)

    def close(self) -> None:
        self._stream.close()


class DossierFile(ExtractFile):
    """DT&V XML: the window's events grouped per dossier, written whole at the end."""

    def __init__(self, path: Path, delivered: int) -> None:
        self._path, self._delivered = path, delivered
        self._dossiers: dict[str, list[str]] = {}

    def write(self, rows: list[Any]) -> None:
        for vnummer, element in rows:
            self._dossiers.setdefault(vnummer, []).append(element)

    def close(self) -> None:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 f'<vertrekdossiers aanmaakdatum="{iso_date(self._delivered)}">']  # fmt: skip
        for vnummer, elements in self._dossiers.items():
            lines.append(f"  <dossier vnummer={quoteattr(vnummer)}>")
            lines.extend(f"    {element}" for element in elements)
            lines.append("  </dossier>")
        lines.append("</vertrekdossiers>")
        self._path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class WeeklyExtracts(ABC):
    """A file partner: its events bucketed per day, written into weekly overlapping files."""

    partner: ClassVar[str]

    def __init__(self, folder: Path, *, end: int) -> None:
        self.folder = folder
        self.last_delivery = last_delivery(end)
        self._days: dict[int, list[Entry]] = defaultdict(list)
        self._open: dict[int, ExtractFile] = {}
        self._final_before = ORIGIN
        self._next_delivery = FIRST_DELIVERY
        self.files = self.events = self.measurements = self.rows = 0

    def add(self, case: SimCase | None, item: Item) -> None:
        """Take an event (or a capacity measurement) of a day not yet written."""
        if item.day < self._final_before:
            raise ValueError(f"day {iso_date(item.day)} was already delivered: watermark broken")
        self._days[item.day].append((_sort_key(item), case, item))

    def flush(self, before: int) -> None:
        """Write every day before ``before``; finish the files whose window has passed."""
        for day in range(self._final_before, before):
            entries = self._days.pop(day, None)
            if entries:
                entries.sort(key=lambda entry: entry[0])
                rows = [self.row(case, item) for _, case, item in entries]
                for delivery in self._deliveries(day):
                    self._file(delivery).write(rows)
                    self.rows += len(rows)
        self._final_before = max(self._final_before, before)
        while self._next_delivery <= min(before, self.last_delivery):
            self._file(self._next_delivery).close()
            del self._open[self._next_delivery]
            self._next_delivery += 7

    def close(self) -> None:
        """Write everything left and finish the last file."""
        self.flush(self.last_delivery)

    def row(self, case: SimCase | None, item: Item) -> Any:
        """The row of an event or a measurement, counted once however many files repeat it."""
        if isinstance(item, Capacity):
            self.measurements += 1
            return self.capacity_row(item)
        self.events += 1
        assert case is not None
        return self.event_row(case, item)

    def _deliveries(self, day: int) -> list[int]:
        """The Mondays whose file covers ``day``: the ten days before each, or all history."""
        following = day + 7 - date.fromordinal(day).weekday()
        mondays = [d for d in (following, following + 7) if d <= day + WINDOW_DAYS]
        dates = [d for d in mondays if FIRST_DELIVERY <= d <= self.last_delivery]
        if day < FIRST_DELIVERY and FIRST_DELIVERY not in dates:
            dates.insert(0, FIRST_DELIVERY)
        return dates

    def _file(self, delivery: int) -> ExtractFile:
        if delivery not in self._open:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = self.name_pattern.replace("*", date.fromordinal(delivery).strftime("%Y%m%d"))
            self._open[delivery] = self.open(self.folder / name, delivery)
            self.files += 1
        return self._open[delivery]

    @property
    def name_pattern(self) -> str:
        """The partner's file name, ``*`` standing for the delivery date."""
        return FILE_PATTERNS[self.partner]

    @abstractmethod
    def open(self, path: Path, delivered: int) -> ExtractFile:
        """Start the file delivered on ``delivered``."""

    @abstractmethod
    def event_row(self, case: SimCase, event: SimEvent) -> Any:
        """One event in the partner's spelling."""

    def capacity_row(self, capacity: Capacity) -> Any:
        """One capacity measurement (only COA puts them in its extract)."""
        raise ValueError(f"{self.partner} extracts carry no capacity")


class IndExtracts(WeeklyExtracts):
    """``ind_zaakstatus_YYYYMMDD.csv``: ``;``-separated, dd-mm-jjjj, with a byte-order mark."""

    partner = "IND"
    HEADER: ClassVar[list[str]] = [
        "vnummer", "zaaknummer", "spoor", "nationaliteit", "gebeurtenis", "datum", "tijd",
        "locatie", "amv",
    ]  # fmt: skip

    def open(self, path: Path, delivered: int) -> ExtractFile:
        return CsvFile(path, self.HEADER, ";", bom=True)

    def event_row(self, case: SimCase, event: SimEvent) -> list[str]:
        return [
            case.person, case.case_number or "", case.track or "", case.nationality or "",
            IND_CODES[event.code], dutch_date(event.day), clock(event.minute),
            event.location or "", "J" if case.uam else "N",
        ]  # fmt: skip


class CoaExtracts(WeeklyExtracts):
    """``coa_mutaties_YYYYMMDD.jsonl``: reception mutations and capacity per location."""

    partner = "COA"

    def __init__(self, folder: Path, *, end: int) -> None:
        super().__init__(folder, end=end)
        self._serial = 0

    def open(self, path: Path, delivered: int) -> ExtractFile:
        return LinesFile(path)

    def event_row(self, case: SimCase, event: SimEvent) -> str:
        self._serial += 1
        assert event.minute is not None, "reception events always have a time"
        record = {
            "record": "mutatie",
            "mutatie_id": f"COA-M-{self._serial:08d}",
            "v_nummer": case.person,
            "soort": COA_SOORT[event.code],
            "reden": COA_REDEN[event.reason] if event.reason else None,
            "locatie": event.location,
            "locatie_type": event.location_type,
            "tijdstip": timestamp(AMSTERDAM, event.day, event.minute, self._serial),
        }
        return json.dumps(record, ensure_ascii=False) + "\n"

    def capacity_row(self, capacity: Capacity) -> str:
        record = {"record": "capaciteit", "locatie": capacity.location,
                  "peildatum": iso_date(capacity.day), "plaatsen": capacity.places}  # fmt: skip
        return json.dumps(record, ensure_ascii=False) + "\n"


class DtvExtracts(WeeklyExtracts):
    """``dtv_vertrek_YYYYMMDD.xml``: return dossiers, no DTD."""

    partner = "DTV"

    def __init__(self, folder: Path, *, end: int) -> None:
        super().__init__(folder, end=end)
        self._serial = 0

    def open(self, path: Path, delivered: int) -> ExtractFile:
        return DossierFile(path, delivered)

    def event_row(self, case: SimCase, event: SimEvent) -> tuple[str, str]:
        self._serial += 1
        destination = f" bestemming={quoteattr(event.destination)}" if event.destination else ""
        element = (
            f'<gebeurtenis id="DTV-{self._serial:08d}" soort="{DTV_SOORT[event.code]}" '
            f'datum="{iso_date(event.day)}"{destination}/>'
        )
        return case.person, element


class DvzExtracts(WeeklyExtracts):
    """``dvz_evenements_YYYYMMDD.csv``: ``,``-separated, yyyy-mm-dd."""

    partner = "DVZ"
    HEADER: ClassVar[list[str]] = [
        "numero_sp", "type_evenement", "date_evenement", "nationalite", "procedure", "mena",
    ]  # fmt: skip

    def open(self, path: Path, delivered: int) -> ExtractFile:
        return CsvFile(path, self.HEADER, ",", bom=False)

    def event_row(self, case: SimCase, event: SimEvent) -> list[str]:
        return [
            case.person, DVZ_TYPES[event.code, event.detail], iso_date(event.day),
            case.nationality or "", case.track or "", "O" if case.uam else "N",
        ]  # fmt: skip


class FedasilFeed:
    """Fedasil's occupancy feed as numbered pages, and its capacity documents per date."""

    partner = "FEDASIL"

    def __init__(self, folder: Path, *, end: int) -> None:
        self.folder = folder
        self.last_delivery = last_delivery(end)
        self._days: dict[int, list[Entry]] = defaultdict(list)
        self._capacity: dict[int, list[Capacity]] = defaultdict(list)
        self._final_before = ORIGIN
        self._pending: list[str] = []
        self.pages = self.events = self.documents = self.measurements = 0

    def add(self, case: SimCase | None, item: Item) -> None:
        """Take an event, or a capacity measurement for the document of its date."""
        if item.day < self._final_before:
            raise ValueError(f"day {iso_date(item.day)} was already published: watermark broken")
        if isinstance(item, Capacity):
            self._capacity[item.day].append(item)
        else:
            self._days[item.day].append((_sort_key(item), case, item))

    def flush(self, before: int) -> None:
        """Publish every day before ``before``: full pages of events, capacity documents."""
        for day in range(self._final_before, before):
            entries = self._days.pop(day, None)
            if entries:
                entries.sort(key=lambda entry: entry[0])
                self._pending.extend(self._record(case, item) for _, case, item in entries)
            if day in self._capacity:
                self._document(day, self._capacity.pop(day))
        self._final_before = max(self._final_before, before)
        # A page is written once another follows it, so that the last one can say so.
        while len(self._pending) > PAGE_SIZE:
            self._page(self._pending[:PAGE_SIZE], last=False)
            del self._pending[:PAGE_SIZE]

    def close(self) -> None:
        """Publish the rest; the last page has no next cursor."""
        self.flush(self.last_delivery)
        self._page(self._pending, last=True)
        self._pending = []

    def _record(self, case: SimCase | None, event: Item) -> str:
        assert case is not None and isinstance(event, SimEvent) and event.minute is not None
        self.events += 1
        record = {
            "id": f"FED-{self.events:08d}",
            "sp_number": case.person,
            "centre": event.location,
            "centre_type": event.location_type,
            "event": FEDASIL_EVENTS[event.code],
            "exit_reason": FEDASIL_EXIT[event.reason] if event.reason else None,
            "occurred_at": timestamp(BRUSSELS, event.day, event.minute, self.events),
        }
        return json.dumps(record, ensure_ascii=False)

    def _page(self, records: list[str], *, last: bool) -> None:
        self.pages += 1
        cursor = None if last else feed_cursor(self.pages * PAGE_SIZE)
        folder = self.folder / "pages"
        folder.mkdir(parents=True, exist_ok=True)
        body = ",\n".join(f" {record}" for record in records)
        text = f'{{"data": [\n{body}\n], "next_cursor": {json.dumps(cursor)}}}\n'
        (folder / f"{self.pages:06d}.json").write_text(text, encoding="utf-8")

    def _document(self, day: int, capacities: list[Capacity]) -> None:
        self.documents += 1
        self.measurements += len(capacities)
        places = [{"centre": c.location, "places": c.places} for c in capacities]
        document = {"date": iso_date(day), "data": places}
        folder = self.folder / "capacity"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{date.fromordinal(day):%Y%m%d}.json"
        path.write_text(json.dumps(document, ensure_ascii=False) + "\n", encoding="utf-8")


def feed_cursor(offset: int) -> str:
    """An opaque cursor, as Fedasil's: URL-safe base64 of ``{"offset": n}`` without padding."""
    raw = json.dumps({"offset": offset}).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


WRITERS: dict[str, type[WeeklyExtracts] | type[FedasilFeed]] = {
    "IND": IndExtracts,
    "COA": CoaExtracts,
    "DTV": DtvExtracts,
    "DVZ": DvzExtracts,
    "FEDASIL": FedasilFeed,
}


def clear_output(out: Path) -> None:
    """Remove an earlier generation's files (only those of this layout), manifest first."""
    (out / "manifest.json").unlink(missing_ok=True)
    for partner, pattern in FILE_PATTERNS.items():
        for path in (out / partner).glob(pattern):
            path.unlink()
    for path in (out / PUSH_FOLDER).glob("*.json"):
        path.unlink()


def write_demo(
    *, out: Path, scale: float, seed: int, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Simulate the chain and write every partner's extracts into ``out``; returns the manifest.

    ``progress`` hears (the day written up to, the last day) every simulated half year.
    """
    simulation = Simulation(scale=scale, seed=seed)
    told = ORIGIN
    out.mkdir(parents=True, exist_ok=True)
    clear_output(out)
    writers = {
        partner: writer(out / partner, end=simulation.end) for partner, writer in WRITERS.items()
    }
    for step in simulation.steps():
        for case in step.cases:
            for event in case.events:
                writers[event.partner].add(case, event)
        for capacity in step.capacities:
            writers[capacity.partner].add(None, capacity)
        for writer in writers.values():
            writer.flush(step.final_before)
        if progress is not None and step.final_before >= told + 182:
            told = step.final_before
            progress(told, simulation.end)
    for writer in writers.values():
        writer.close()
    pushed = write_pushes(out / PUSH_FOLDER, simulation)
    manifest = _manifest(simulation, writers)
    manifest["pushed"] = pushed
    # Written last: the demo takes its presence to mean the generation is complete.
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def write_pushes(folder: Path, simulation: Simulation) -> dict[str, dict[str, int]]:
    """One push body per organisation with its measurements; returns counts per kind."""
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, dict[str, int]] = {}
    for organisation, measured in simulation.measurements().items():
        body = {
            "organisation": organisation,
            "measurements": [
                {"kind": m.kind, "location": None, "date": iso_date(m.day), "value": m.value}
                for m in measured
            ],
        }
        text = json.dumps(body, ensure_ascii=False, indent=1) + "\n"
        (folder / f"{organisation}.json").write_text(text, encoding="utf-8")
        counts[organisation] = dict(Counter(m.kind for m in measured))
    return counts


def _manifest(simulation: Simulation, writers: dict[str, Any]) -> dict[str, Any]:
    partners: dict[str, dict[str, int | str]] = {}
    for partner, writer in writers.items():
        if isinstance(writer, FedasilFeed):
            partners[partner] = {"pages": writer.pages, "events": writer.events,
                                 "capacity_documents": writer.documents,
                                 "measurements": writer.measurements}  # fmt: skip
        else:
            partners[partner] = {
                "files": writer.files, "events": writer.events,
                "measurements": writer.measurements, "rows": writer.rows,
            }  # fmt: skip
    generated = simulation.calibration()
    return {
        "generator": "manage.py generate_demo",
        "scale": simulation.scale,
        "seed": simulation.seed,
        "period": {"from": iso_date(START), "to": iso_date(simulation.end)},
        "deliveries": {
            "first": iso_date(FIRST_DELIVERY),
            "last": iso_date(last_delivery(simulation.end)),
            "every_days": 7,
            "window_days": WINDOW_DAYS,
            "fedasil_page_size": PAGE_SIZE,
        },
        "cases": dict(simulation.tally.cases),
        "partners": partners,
        "calibration": {
            name: {
                "generated": generated[name],
                "target": round(published * simulation.scale),
                "published": published,
            }
            for name, published in PUBLISHED.items()
        },
    }
