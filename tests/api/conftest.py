"""Shared fixtures of the read API tests: catalogue rows, stored values, deliveries, clients.

The catalogue here is a small hand-made one (not catalogue-v1.json), so each test states the
rows it rests on: a count split by nationality, a share with bands for all chains, a median
with bands per chain, and a score that is not split by track.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from accounts.access import CHAIN_DIRECTOR
from accounts.models import OrganisationAPIKey, UserProfile
from chain import clock
from chain.models import Extract, Goal, Indicator, IndicatorValue, SignalBand
from chain.periods import MONTH, Period, parse_period
from ingest.models import RejectedRow

PARTNERS = ("IND", "COA", "DTV", "DVZ", "FEDASIL")
DEFAULT_SOURCES = {"NL": ["IND"], "BE": ["DVZ"]}
Catalogue = dict[str, Indicator]
Deliver = Callable[[str], Extract]


def make_indicator(
    code: str, goal: Goal, *, bands: list[dict[str, Any]] | None = None, **fields: Any
) -> Indicator:
    """An indicator with defaults for every field a test does not care about."""
    defaults: dict[str, Any] = {
        "name_nl": f"{code} (nl)", "name_en": f"{code} (en)", "definition_nl": "Definitie.",
        "definition_en": "Definition.", "unit": "count", "direction": "none",
        "kind": "case_count", "sources": DEFAULT_SOURCES, "position": Indicator.objects.count(),
    }  # fmt: skip
    indicator = Indicator.objects.create(code=code, goal=goal, **{**defaults, **fields})
    SignalBand.objects.bulk_create(
        SignalBand(indicator=indicator, position=i, **band) for i, band in enumerate(bands or [])
    )
    return indicator


@pytest.fixture
def catalogue_rows(db: None) -> Catalogue:
    """Two goals and four indicators of different units and slices."""
    procedure = Goal.objects.create(
        code="PROCEDURE", name_nl="Procedure", name_en="Procedure", position=0
    )
    information = Goal.objects.create(
        code="INFORMATION", name_nl="Informatie", name_en="Information", position=1
    )
    share_bands = [
        {"signal": "green", "lower": 0.9},
        {"signal": "amber", "lower": 0.7},
        {"signal": "red", "upper": 0.7},
    ]
    median_bands = [
        {"signal": "green", "upper": 180, "chain_id": "NL"},
        {"signal": "amber", "upper": 270, "chain_id": "NL"},
        {"signal": "red", "lower": 270, "chain_id": "NL"},
        {"signal": "green", "upper": 180, "chain_id": "BE"},
        {"signal": "amber", "upper": 365, "chain_id": "BE"},
        {"signal": "red", "lower": 365, "chain_id": "BE"},
    ]
    indicators = {
        "count": make_indicator("applications_lodged", procedure, by_nationality=True),
        "share": make_indicator(
            "decisions_within_term_share", procedure, unit="share", direction="higher",
            kind="within_term_share", bands=share_bands,
        ),
        "median": make_indicator(
            "decision_lead_time_median", procedure, unit="days", direction="lower",
            kind="lead_time_median", bands=median_bands,
        ),
        "score": make_indicator(
            "client_satisfaction", information, unit="score", direction="higher",
            kind="measurement_mean", per_track=False, sources={},
        ),
    }  # fmt: skip
    return indicators


def period(label: str) -> Period:
    """A month (``2023-04``) or ISO week (``2023-W17``) from its label."""
    return parse_period(label, MONTH if "W" not in label else "week")


def store_value(
    indicator: Indicator | str, label: str, value: float | None, *, chain: str = "NL",
    **fields: Any,
) -> IndicatorValue:  # fmt: skip
    """A stored value as the engine writes it; ``fields`` overrides n, signal, track, ..."""
    p = period(label)
    code = indicator if isinstance(indicator, str) else indicator.code
    row = {"n": 100, "signal": "none", **fields}
    return IndicatorValue.objects.create(
        indicator_id=code, chain_id=chain, period_type=p.type, period=p.label,
        period_start=p.start, period_end=p.end, value=value, **row,
    )  # fmt: skip


def make_extract(
    partner: str = "IND", *, status: str = Extract.Status.ACCEPTED,
    finished_at: datetime | None = None, **fields: Any,
) -> Extract:  # fmt: skip
    """A finished delivery of ``partner`` (now, unless said otherwise)."""
    row = {"name": f"{partner}.csv", "channel": Extract.Channel.FILE, "sha256": "0" * 64, **fields}
    return Extract.objects.create(
        organisation_id=partner, status=status, finished_at=finished_at or clock.now(), **row
    )


def make_rejection(extract: Extract, line: int, **fields: Any) -> RejectedRow:
    row = {"field": "occurred_at", "reason": "not a timestamp", "excerpt": "yesterday", **fields}
    return RejectedRow.objects.create(extract=extract, line=line, **row)


@pytest.fixture
def fresh_deliveries(db: None) -> None:
    """Every partner delivered just now: nothing is stale."""
    for partner in PARTNERS:
        make_extract(partner)


@pytest.fixture
def old_delivery() -> Deliver:
    """Makes ``partner``'s only good delivery a week old."""

    def deliver(partner: str) -> Extract:
        Extract.objects.filter(organisation_id=partner).delete()
        return make_extract(partner, finished_at=clock.now() - timedelta(days=7))

    return deliver


def api_key(scope: str, organisation: str | None = None, *, chain_wide: bool = False) -> str:
    _, key = OrganisationAPIKey.objects.create_key(
        name=f"{scope} key", organisation_id=organisation, scope=scope, chain_wide=chain_wide
    )
    return key


def english_client() -> APIClient:
    """A client that reads DRF's own messages in English (the site defaults to Dutch)."""
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def anonymous() -> APIClient:
    return english_client()


@pytest.fixture
def api(db: None) -> APIClient:
    """A system reading with a chain-wide read key (the usual reader in these tests)."""
    client = english_client()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key('read', chain_wide=True)}")
    return client


def person_in(role: str | None, organisation: str | None = None) -> APIClient:
    """A logged-in person (session) in ``role``, of ``organisation`` when given."""
    user = User.objects.create_user(f"{role or 'nobody'}-{organisation or 'chain'}")
    if role:
        user.groups.add(Group.objects.get(name=role))
    if organisation:
        UserProfile.objects.create(user=user, organisation_id=organisation)
    client = english_client()
    client.force_login(user)
    return client


@pytest.fixture
def person(db: None) -> APIClient:
    """A logged-in chain director."""
    return person_in(CHAIN_DIRECTOR)


@pytest.fixture
def push_key_client(db: None) -> APIClient:
    client = english_client()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key('push', 'IND')}")
    return client


def problems_of(answer: Any) -> dict[str, list[str]]:
    """The problems a 400 names in its ``detail`` (``name: message`` lines): name -> messages."""
    assert answer.status_code == 400, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    out: dict[str, list[str]] = {}
    for line in answer.json()["detail"].splitlines():
        name, message = line.split(": ", 1)
        out.setdefault(name, []).append(message)
    return out


def assert_problem(answer: Any, status: int) -> dict[str, Any]:
    """The answer is an RFC 9457 problem of ``status``; returns its body."""
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    body = answer.json()
    assert body["status"] == status and body["title"] and body["type"] == "about:blank"
    return body
