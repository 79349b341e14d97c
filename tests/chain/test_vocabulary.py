"""The one list of chains, partners, tracks, event types and units, checked against the rest."""

from __future__ import annotations

import json

from django.conf import settings

from chain.models import Organisation
from chain.vocabulary import CHAINS, EVENT_TYPES, ORGANISATIONS, TRACKS, UNITS


def test_every_chain_has_its_tracks_and_no_track_is_shared() -> None:
    assert set(TRACKS) == set(CHAINS) == {"NL", "BE"}
    assert TRACKS["NL"] == {"1", "2", "3", "4"}
    assert TRACKS["BE"] == {"P", "U"}
    assert not TRACKS["NL"] & TRACKS["BE"]


def test_the_partners_match_the_organisations_stored(db: None) -> None:
    stored = dict(Organisation.objects.values_list("code", "chain_id"))
    assert stored == ORGANISATIONS
    assert set(ORGANISATIONS.values()) == set(CHAINS)


def test_every_unit_of_the_catalogue_is_known() -> None:
    path = settings.BASE_DIR / "catalogue" / "catalogue-v1.json"
    catalogue = json.loads(path.read_text(encoding="utf-8"))
    units = {indicator["unit"] for indicator in catalogue["indicators"]}
    assert units == set(UNITS)


def test_the_event_types_include_the_first_and_last_of_a_case() -> None:
    assert {"REGISTERED", "APPLICATION_LODGED", "RETURN_CASE_CLOSED"} <= EVENT_TYPES
    assert len(EVENT_TYPES) == 20
