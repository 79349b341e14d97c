"""Disclosure control of the open data: stricter than inside, and no differencing gets round it.

Values are stored as the engine stores them for last month (``today``'s), then published; what
the files say is read back as a journalist reads it.
"""

from __future__ import annotations

import itertools
import json
from datetime import date

import pytest

from chain.periods import WEEK, Period, period_containing
from opendata.disclosure import MINIMUM_CASES
from opendata.models import ReleaseFile
from opendata.services import publish_month
from tests.open_data import cell, csv_rows, file_of, last_month, rows_of, store

pytestmark = pytest.mark.django_db

LODGED = "applications_lodged"
# The month's applications: six nationalities, MNG on 4 cases; every case's track known.
CELLS = {"SYR": 212, "ERI": 131, "AFG": 97, "TUR": 31, "YEM": 12, "MNG": 4}
TRACKS = {"1": 73, "2": 44, "3": 40, "4": 330}
TOTAL = sum(CELLS.values())


def admission_csv(month: Period) -> bytes:
    return bytes(file_of(month.label, f"NL-asylum-admission-{month.label}.csv").content)


@pytest.fixture
def month(today: date, catalogue: None) -> Period:
    """Last month, with the applications above stored, weeks included."""
    month = last_month(today)
    assert TOTAL == sum(TRACKS.values()) == 487
    store(LODGED, month, TOTAL)
    for track, n in TRACKS.items():
        store(LODGED, month, n, track=track)
    for nationality, n in CELLS.items():
        store(LODGED, month, n, nationality=nationality)
    # The weeks inside the month, stored inside as the engine does: MNG's 4 cases split 3 + 1.
    weeks = sorted({period_containing(month.start, WEEK), period_containing(month.end, WEEK)})
    for week, mng in zip(weeks, (3, 1), strict=True):
        store(LODGED, week, 100)
        store(LODGED, week, mng, nationality="MNG")
    return month


def test_every_count_is_rounded_to_a_multiple_of_5(month: Period) -> None:
    store("open_cases", month, 41233)
    store("open_cases", month, 2, track="1")
    store("open_cases", month, 3, track="2")
    store("decisions_taken", month, 0)
    publish_month(month=month.label)
    content = admission_csv(month)
    assert cell(content, LODGED)["value"] == "485"
    assert [cell(content, LODGED, track=t)["value"] for t in TRACKS] == ["75", "45", "40", "330"]
    assert cell(content, LODGED, nationality="SYR")["value"] == "210"
    assert cell(content, LODGED, nationality="AFG")["value"] == "95"
    assert cell(content, "open_cases")["value"] == "41235"
    assert cell(content, "open_cases")["measure"] == "stock"
    assert [cell(content, "open_cases", track=t)["value"] for t in "12"] == ["0", "5"]
    assert cell(content, "decisions_taken")["value"] == "0"
    values = [r["value"] for r in csv_rows(content) if r["measure"] in ("count", "stock")]
    assert values and all(int(v) % 5 == 0 for v in values if v)


def test_a_median_or_share_on_fewer_than_10_cases_is_never_shown(month: Period) -> None:
    median, share = "decision_lead_time_median", "decisions_within_term_share"
    store(median, month, 196.3, n=250)
    store(median, month, 120.0, n=MINIMUM_CASES - 1, track="1")
    store(median, month, 88.5, n=MINIMUM_CASES, track="2")
    store(share, month, 0.8234, n=250)
    store(share, month, 1.0, n=7, track="3")
    store(share, month, 0.75, n=12, track="4")
    publish_month(month=month.label)
    content = admission_csv(month)
    assert cell(content, median)["value"] == "196.3"
    assert cell(content, median, track="1") | {"track": ""} == (
        cell(content, median, track="3") | {"track": ""}  # no row stored: no cases at all
    )
    assert (
        cell(content, median, track="1")["value"],
        cell(content, median, track="1")["suppressed"],
    ) == ("", "true")
    assert cell(content, median, track="2")["value"] == "88.5"
    assert cell(content, share)["value"] == "0.82"
    assert (
        cell(content, share, track="3")["value"],
        cell(content, share, track="3")["suppressed"],
    ) == ("", "true")
    assert cell(content, share, track="4")["value"] == "0.75"
    document = json.loads(
        bytes(file_of(month.label, f"NL-asylum-admission-{month.label}.json").content)
    )
    [hidden] = [v for v in document["values"] if v["indicator"] == median and v["track"] == "1"]
    assert (hidden["value"], hidden["suppressed"]) == (None, True)


def test_a_suppressed_cell_looks_exactly_like_one_of_no_cases(month: Period) -> None:
    # IRQ had cases in an earlier month only: this month it is a cell of 0 cases.
    store(LODGED, month.previous(), 30, nationality="IRQ")
    publish_month(month=month.label)
    content = admission_csv(month)
    mng, irq = (cell(content, LODGED, nationality=code) for code in ("MNG", "IRQ"))
    assert mng["value"] == irq["value"] == ""
    assert mng | {"nationality": "X"} == irq | {"nationality": "X"}
    for file in ReleaseFile.objects.filter(release__month=month.label):
        text = bytes(file.content).decode()
        assert "primary" not in text and "secondary" not in text


def feasible(lo_hi: list[tuple[int, int]]) -> range:
    """The sums that values, each within its interval, can add up to."""
    return range(sum(lo for lo, _ in lo_hi), sum(hi for _, hi in lo_hi) + 1)


def unrounded(value: str) -> tuple[int, int]:
    """What a count rounded to 5 can have been."""
    return max(int(value) - 2, 0), int(value) + 2


def attack(
    total: tuple[int, int], tracks: list[tuple[int, int]], shown: list[tuple[int, int]],
    hidden: int,
) -> list[set[int]]:  # fmt: skip
    """What each of ``hidden`` suppressed cells can be, given intervals for the total, the
    tracks and the cells shown. The attacker knows more than the files say: that every case has
    a track and a nationality (the cells add up to the total exactly), and that at least one
    suppressed cell rests on fewer than 10 cases."""
    by_tracks = feasible(tracks)
    totals = range(max(total[0], by_tracks.start), min(total[1], by_tracks.stop - 1) + 1)
    left_over = {t - s for t in totals for s in feasible(shown) if t - s >= 0}
    candidates: list[set[int]] = [set() for _ in range(hidden)]
    for split in itertools.product(range(max(left_over) + 1), repeat=hidden):
        if sum(split) in left_over and min(split) < MINIMUM_CASES:
            for found, value in zip(candidates, split, strict=True):
                found.add(value)
    return candidates


def test_the_attack_recovers_a_lone_cell_from_exact_figures(month: Period) -> None:
    """The attack works where the figures are exact and only the small cell is withheld."""
    exact = [(n, n) for code, n in CELLS.items() if code != "MNG"]
    [mng] = attack((TOTAL, TOTAL), [(n, n) for n in TRACKS.values()], exact, hidden=1)
    assert mng == {CELLS["MNG"]}


def test_differencing_the_published_figures_does_not_recover_a_suppressed_cell(
    month: Period,
) -> None:
    publish_month(month=month.label)
    content = admission_csv(month)
    rows = rows_of(content, indicator=LODGED)
    assert {r["month"] for r in rows} == {month.label}, "months only: no weeks to sum"
    nationality_rows = [r for r in rows if r["nationality"]]
    hidden = [r["nationality"] for r in nationality_rows if r["suppressed"] == "true"]
    assert hidden == ["MNG", "YEM"], "MNG, and YEM, the smallest beside it"
    candidates = attack(
        unrounded(cell(content, LODGED)["value"]),
        [unrounded(r["value"]) for r in rows if r["track"]],
        [unrounded(r["value"]) for r in nationality_rows if r["value"]],
        hidden=len(hidden),
    )
    assert CELLS["MNG"] in candidates[0] and CELLS["YEM"] in candidates[1]
    for code, found in zip(hidden, candidates, strict=True):
        assert len(found) > 1, f"{code} recovered: {found}"
        assert min(found) < MINIMUM_CASES <= max(found), (
            f"{code}: the attack tells whether it is under {MINIMUM_CASES}"
        )
    # The weeks inside the month hold MNG's cases apart; the release has no week to add up.
    for file in ReleaseFile.objects.filter(release__month=month.label):
        assert "-W" not in bytes(file.content).decode()


def test_a_lone_small_cell_takes_the_next_smallest_with_it_and_neither_shows_its_size(
    today: date, catalogue: None
) -> None:
    month = last_month(today)
    cells = {"SYR": 300, "ERI": 41, "AFG": 15, "MNG": 6}
    store(LODGED, month, sum(cells.values()))
    for code, n in cells.items():
        store(LODGED, month, n, nationality=code)
    publish_month(month=month.label)
    content = admission_csv(month)
    suppressed = {
        r["nationality"]: r["suppressed"]
        for r in rows_of(content, indicator=LODGED)
        if r["nationality"]
    }
    assert suppressed == {"AFG": "true", "ERI": "false", "MNG": "true", "SYR": "false"}
    assert cell(content, LODGED, nationality="ERI")["value"] == "40"
