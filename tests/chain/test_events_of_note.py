"""Events of note: the starter set of the catalogue file, the one read, the admin's audit.

The starter set's dates come from the public texts the product grew from (a letter of the
Dutch State Secretary of 13 July 2023 and a Belgian policy note of 28 October 2022).
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from chain.catalogue import CatalogueError, load_catalogue
from chain.models import CatalogueChange, DirtyRange, EventOfNote
from chain.selectors import EventMarker, event_markers, events_of_note

pytestmark = pytest.mark.django_db

CATALOGUE = settings.BASE_DIR / "catalogue" / "catalogue-v1.json"
EXTENSION = "nl-beslistermijn-verlengd"


@pytest.fixture
def admin_client(catalogue: None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.create_superuser("beheerder", "beheer@example.org"))
    return client


def codes(events: list[EventOfNote]) -> list[str]:
    return [event.code for event in events]


def write_catalogue(tmp_path: Path, events: list[Any]) -> Path:
    """The catalogue file with ``events`` as its events of note."""
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    data["events_of_note"] = events
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_catalogue_file_loads_the_starter_set_with_the_dates_of_the_texts(
    catalogue: None,
) -> None:
    extension = EventOfNote.objects.get(code=EXTENSION)
    assert (extension.chain_id, extension.start, extension.end) == (
        "NL", date(2022, 9, 27), date(2023, 12, 31),
    )  # fmt: skip
    assert extension.title_nl.startswith("Beslistermijn asiel categoriaal verlengd van 6 naar 15")
    assert extension.title_en.startswith("Asylum decision term extended")
    assert extension.link_nl == "https://zoek.officielebekendmakingen.nl/kst-19637-3068.html"
    penalties = EventOfNote.objects.get(code="nl-tijdelijke-wet-dwangsommen")
    assert (penalties.start, penalties.end) == (date(2021, 7, 11), None)
    assert "Tijdelijke wet opschorting dwangsommen" in penalties.title_nl
    assert EventOfNote.objects.get(code="be-beleidsnota-asiel-migratie").start == date(2022, 10, 28)
    assert EventOfNote.objects.count() == 6
    load = CatalogueChange.objects.get(action="load")
    assert load.new is not None and load.new["events_of_note"] == 6


def test_a_second_load_updates_the_events_and_keeps_those_added_in_the_admin(
    catalogue: None,
) -> None:
    EventOfNote.objects.filter(code=EXTENSION).update(title_en="edited")
    EventOfNote.objects.create(code="own", start=date(2024, 3, 1), title_nl="x", title_en="x")
    counts = load_catalogue()
    assert counts["events_of_note"] == 6
    assert EventOfNote.objects.get(code=EXTENSION).title_en.startswith("Asylum decision term")
    assert EventOfNote.objects.filter(code="own").exists()
    assert CatalogueChange.objects.filter(action="load").count() == 2


def test_the_selector_gives_a_chains_events_and_those_of_both_chains_in_date_order(
    catalogue: None,
) -> None:
    both = EventOfNote.objects.create(
        code="both", chain=None, start=date(2022, 10, 1), title_nl="Beide", title_en="Both"
    )
    nl_2022 = events_of_note(chain="NL", start=date(2022, 1, 1), end=date(2022, 12, 31))
    assert codes(nl_2022) == [EXTENSION, both.code, "nl-raad-van-state-dwangsommen"]
    be_2022 = events_of_note(chain="BE", start=date(2022, 1, 1), end=date(2022, 12, 31))
    assert codes(be_2022) == [both.code, "be-beleidsnota-asiel-migratie"]
    assert len(events_of_note(chain=None)) == 7


def test_an_event_over_a_range_counts_when_any_of_its_days_is_in_range(catalogue: None) -> None:
    # The extension runs from 27 September 2022 to 31 December 2023.
    assert EXTENSION in codes(events_of_note(chain="NL", start=date(2023, 12, 31), end=None))
    assert EXTENSION in codes(events_of_note(chain="NL", start=None, end=date(2022, 9, 27)))
    assert EXTENSION in codes(
        events_of_note(chain="NL", start=date(2023, 6, 1), end=date(2023, 6, 30))
    )
    assert EXTENSION not in codes(events_of_note(chain="NL", start=date(2024, 1, 1), end=None))
    assert EXTENSION not in codes(events_of_note(chain="NL", start=None, end=date(2022, 9, 26)))
    # An event of one day is in range on that day only.
    penalties = "nl-tijdelijke-wet-dwangsommen"
    assert penalties in codes(events_of_note(chain="NL", start=date(2021, 7, 11), end=None))
    assert penalties not in codes(events_of_note(chain="NL", start=date(2021, 7, 12), end=None))


def test_the_markers_are_numbered_in_date_order_and_titled_in_the_language_asked(
    catalogue: None,
) -> None:
    english = event_markers(
        chain="NL", start=date(2023, 1, 1), end=date(2023, 6, 30), language="en"
    )
    assert [(m.number, m.start, m.end) for m in english] == [
        (1, date(2022, 9, 27), date(2023, 12, 31)),
        (2, date(2023, 2, 4), None),
        (3, date(2023, 5, 1), None),
    ]
    assert english[0].title.startswith("Asylum decision term extended")
    # No English link in the texts: the Dutch one serves.
    assert english[0].link == "https://zoek.officielebekendmakingen.nl/kst-19637-3068.html"
    dutch = event_markers(chain="NL", start=date(2023, 1, 1), end=date(2023, 6, 30), language="nl")
    assert dutch[2] == EventMarker(
        3, date(2023, 5, 1), None,
        "Start project Bespoediging Afdoening Asiel (13.000 extra zaken in het eerste jaar)",
        "https://zoek.officielebekendmakingen.nl/kst-19637-3156.html",
    )  # fmt: skip


GOOD = {
    "code": "nl-test", "chain": "NL", "start": "2024-01-01", "end": None,
    "title_nl": "Test", "title_en": "Test", "link_nl": "https://example.org/nl", "link_en": "",
}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"start": "27-09-2022"},
            "event of note nl-test: field 'start' '27-09-2022' is not a date",
        ),
        ({"start": None}, "event of note nl-test: field 'start' is required (yyyy-mm-dd)"),
        (
            {"end": "2023-12-31"},
            "event of note nl-test: field 'end' 2023-12-31 is before the start",
        ),
        (
            {"chain": "DE"},
            "event of note nl-test: field 'chain' 'DE' is not a chain (BE, NL, or null",
        ),
        ({"title_en": " "}, "event of note nl-test: field 'title_en' is required"),
        ({"title_nl": "x" * 201}, "event of note nl-test: field 'title_nl' is longer than 200"),
        ({"link_nl": "javascript:alert(1)"}, "event of note nl-test: field 'link_nl' 'javascript:"),
        (
            {"link_en": "www.example.org"},
            "event of note nl-test: field 'link_en' 'www.example.org'",
        ),
        ({"titel_nl": "Test"}, "event of note nl-test: field 'titel_nl' is unknown (fields: code,"),
        (
            {"code": "Beslistermijn verlengd"},
            "event of note Beslistermijn verlengd: field 'code' must",
        ),
        ({"code": None}, "event of note #1: field 'code' is required"),
    ],
)
def test_a_bad_event_is_refused_naming_the_entry_and_the_field(
    catalogue: None, tmp_path: Path, change: dict[str, Any], problem: str
) -> None:
    entry = {**GOOD, **change}
    with pytest.raises(CatalogueError) as refused:
        load_catalogue(path=write_catalogue(tmp_path, [entry]))
    assert problem in str(refused.value)
    assert not EventOfNote.objects.filter(start=date(2024, 1, 1)).exists()


def test_every_bad_event_is_named_at_once_and_nothing_is_loaded(
    catalogue: None, tmp_path: Path
) -> None:
    twice = copy.deepcopy(GOOD)
    entries = [GOOD, twice, {**GOOD, "code": "other", "start": "2024-02-30"}, "an event"]
    with pytest.raises(CatalogueError) as refused:
        load_catalogue(path=write_catalogue(tmp_path, entries))
    message = str(refused.value)
    assert "event of note nl-test: field 'code' appears twice" in message
    assert "event of note other: field 'start' '2024-02-30' is not a date" in message
    assert "event of note #4: must be an object" in message
    assert not EventOfNote.objects.filter(code__in=["nl-test", "other"]).exists()


def test_events_of_note_must_be_a_list(catalogue: None, tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="events_of_note must be a list"):
        load_catalogue(path=write_catalogue(tmp_path, {"code": "x"}))  # type: ignore[arg-type]


def add_form(**fields: str) -> dict[str, str]:
    return {
        "code": "nl-opvangcrisis", "chain": "NL", "start": "2022-08-25", "end": "",
        "title_nl": "Opvangcrisis", "title_en": "Reception crisis", "link_nl": "", "link_en": "",
        **fields,
    }  # fmt: skip


def test_an_event_added_changed_and_deleted_in_the_admin_is_audited_without_a_recompute(
    admin_client: Client,
) -> None:
    DirtyRange.objects.all().delete()
    answer = admin_client.post("/admin/chain/eventofnote/add/", add_form())
    assert answer.status_code == 302
    url = "/admin/chain/eventofnote/nl-opvangcrisis/change/"
    answer = admin_client.post(url, add_form(end="2022-12-31"))
    assert answer.status_code == 302
    answer = admin_client.post("/admin/chain/eventofnote/nl-opvangcrisis/delete/", {"post": "yes"})
    assert answer.status_code == 302

    changes = CatalogueChange.objects.filter(object_type="EventOfNote").order_by("changed_at", "pk")
    assert [(c.user, c.action) for c in changes] == [
        ("beheerder", "add"), ("beheerder", "change"), ("beheerder", "delete"),
    ]  # fmt: skip
    added, changed, deleted = changes
    assert added.new is not None and added.new["start"] == "2022-08-25"
    assert changed.old is not None and changed.new is not None
    assert (changed.old["end"], changed.new["end"]) == (None, "2022-12-31")
    assert deleted.old is not None and deleted.old["title_en"] == "Reception crisis"
    assert deleted.new is None
    # A marker changes no value: nothing to recompute.
    assert not DirtyRange.objects.exists()


def test_the_admin_refuses_an_end_before_the_start(admin_client: Client) -> None:
    answer = admin_client.post("/admin/chain/eventofnote/add/", add_form(end="2022-08-24"))
    assert answer.status_code == 200
    assert "The end of an event of note lies before its start." in answer.content.decode()
    assert not EventOfNote.objects.filter(code="nl-opvangcrisis").exists()
    assert not CatalogueChange.objects.filter(object_type="EventOfNote").exists()
