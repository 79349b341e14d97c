"""``generate_demo`` writes a simulated chain that every adapter reads without a rejection."""

from __future__ import annotations

import io
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TypedDict

import pytest
from django.core.management import CommandError, call_command

from devtools.management.commands.generate_demo import DEFAULT_SEED
from ingest.adapters import adapter_for
from ingest.adapters.base import EventRow, MeasurementRow, Rejection, Row

SCALE = 0.02
FILE_PARTNERS = ("IND", "COA", "DTV", "DVZ")
# At a small scale a count of a few hundred drifts by chance; the figures at scale 1 are in
# the manifest and the issue note.
TOLERANCE = 0.25


class Calibration(TypedDict):
    generated: int
    target: int
    published: int


class Manifest(TypedDict):
    """The parts of ``manifest.json`` the tests read."""

    partners: dict[str, dict[str, int]]
    calibration: dict[str, Calibration]


def generate(out: Path, seed: int = DEFAULT_SEED) -> Manifest:
    """The demo's own chain (its seed), at a small scale."""
    call_command("generate_demo", scale=SCALE, out=str(out), seed=seed, stdout=io.StringIO())
    return json.loads((out / "manifest.json").read_text())


def delivered_files(out: Path, partner: str) -> list[Path]:
    if partner == "FEDASIL":
        return sorted((out / "FEDASIL").glob("*/*.json"))
    return sorted(p for p in (out / partner).iterdir() if p.is_file())


def rows_of(path: Path, partner: str) -> Iterator[Row]:
    with path.open("rb") as stream:
        yield from adapter_for(partner).parse(stream)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate(out)


@pytest.fixture(scope="module")
def events(demo: tuple[Path, Manifest]) -> dict[str, dict[str, list[EventRow]]]:
    """Per partner, per file name, the events its adapter reads (failing on any rejection)."""
    out, _ = demo
    found: dict[str, dict[str, list[EventRow]]] = defaultdict(dict)
    for partner in (*FILE_PARTNERS, "FEDASIL"):
        for path in delivered_files(out, partner):
            rows = list(rows_of(path, partner))
            rejected = [row for row in rows if isinstance(row, Rejection)]
            assert not rejected, f"{path.name}: {rejected[:3]}"
            found[partner][path.name] = [row for row in rows if isinstance(row, EventRow)]
    return found


def test_it_writes_every_partners_format(demo: tuple[Path, Manifest]) -> None:
    out, manifest = demo
    suffixes = {
        partner: {path.suffix for path in delivered_files(out, partner)}
        for partner in (*FILE_PARTNERS, "FEDASIL")
    }
    assert suffixes == {
        "IND": {".csv"}, "COA": {".jsonl"}, "DTV": {".xml"}, "DVZ": {".csv"},
        "FEDASIL": {".json"},
    }  # fmt: skip
    assert set(manifest["partners"]) == {*FILE_PARTNERS, "FEDASIL"}


def test_every_file_reads_without_a_rejection_and_matches_the_manifest(
    demo: tuple[Path, Manifest], events: dict[str, dict[str, list[EventRow]]]
) -> None:
    _, manifest = demo
    for partner in FILE_PARTNERS:
        written = manifest["partners"][partner]
        assert len(events[partner]) == written["files"]
        assert sum(len(rows) for rows in events[partner].values()) >= written["events"]


def test_fedasil_capacity_documents_read_as_measurements(
    demo: tuple[Path, Manifest],
) -> None:
    out, _ = demo
    documents = sorted((out / "FEDASIL" / "capacity").glob("*.json"))
    assert documents
    places = [row for row in rows_of(documents[-1], "FEDASIL") if isinstance(row, MeasurementRow)]
    assert places and all(row.value > 0 for row in places)


def test_deliveries_overlap_so_some_events_arrive_twice(
    events: dict[str, dict[str, list[EventRow]]],
) -> None:
    for partner in FILE_PARTNERS:
        seen = Counter(row.source_event_id for rows in events[partner].values() for row in rows)
        assert any(count > 1 for count in seen.values()), partner


def test_it_simulates_both_chains_over_at_least_two_years(
    events: dict[str, dict[str, list[EventRow]]],
) -> None:
    for partner in ("IND", "DVZ"):
        days = [row.occurred_at.date() for rows in events[partner].values() for row in rows]
        assert min(days) <= date(2022, 1, 31) and max(days) >= date(2024, 12, 1), partner


def test_the_files_hold_the_calibrated_applications_and_departures(
    demo: tuple[Path, Manifest], events: dict[str, dict[str, list[EventRow]]]
) -> None:
    _, manifest = demo
    calibration = manifest["calibration"]

    def distinct(partner: str, event_type: str, year: int) -> int:
        return len({
            row.source_event_id for rows in events[partner].values() for row in rows
            if row.event_type == event_type and row.occurred_at.year == year
        })  # fmt: skip

    counted = {
        "nl_applications_2022": distinct("IND", "APPLICATION_LODGED", 2022),
        "nl_applications_2023": distinct("IND", "APPLICATION_LODGED", 2023),
        "be_applications_2022": distinct("DVZ", "APPLICATION_LODGED", 2022),
        "dtv_departed_voluntary_2022": distinct("DTV", "DEPARTED_VOLUNTARY", 2022),
        "dtv_departed_forced_2022": distinct("DTV", "DEPARTED_FORCED", 2022),
    }
    for name, count in counted.items():
        target = calibration[name]["published"] * SCALE
        assert abs(count - target) <= TOLERANCE * target, f"{name}: {count} against {target}"


def test_the_same_seed_writes_the_same_files(tmp_path: Path) -> None:
    generate(tmp_path / "a")
    generate(tmp_path / "b")
    first = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.*")}
    again = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.*")}
    assert first == again


@pytest.mark.parametrize("scale", ["0", "-1", "nan", "11"])
def test_it_refuses_a_scale_out_of_range(scale: str, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--scale must be"):
        call_command("generate_demo", "--scale", scale, "--out", str(tmp_path))
