"""Users in each role, logged-in clients, and a figure cache that starts empty for each test."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from accounts.access import ADMINISTRATOR, CHAIN_DIRECTOR, PARTNER_ANALYST
from accounts.models import UserProfile

UserMaker = Callable[..., User]


@pytest.fixture
def make_user(db: None) -> UserMaker:
    """A user in the given role (a group made by the migration), optionally of a partner."""

    def make(name: str, role: str | None = None, organisation: str | None = None) -> User:
        user = User.objects.create_user(name)
        if role:
            user.groups.add(Group.objects.get(name=role))
        if organisation:
            UserProfile.objects.create(user=user, organisation_id=organisation)
        return user

    return make


def client_of(user: User, language: str = "en") -> Client:
    """A logged-in client reading the pages in ``language`` (the site defaults to Dutch)."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def director(make_user: UserMaker) -> Client:
    return client_of(make_user("director", CHAIN_DIRECTOR))


@pytest.fixture
def administrator(make_user: UserMaker) -> Client:
    return client_of(make_user("admin", ADMINISTRATOR))


@pytest.fixture
def analyst(make_user: UserMaker) -> Client:
    """A partner analyst of IND."""
    return client_of(make_user("analyst", PARTNER_ANALYST, organisation="IND"))


def figure_of(html: str, name: str) -> dict[str, Any]:
    """The Plotly figure a page placed in ``<script id="figure-{name}-data">``."""
    found = re.search(
        rf'<script type="application/json" id="figure-{name}-data">(.*?)</script>', html, re.S
    )
    assert found, f"no figure {name!r} in the page"
    return json.loads(found.group(1))


def section(html: str, start: str, end: str) -> str:
    """The part of a page from the first ``start`` after which ``end`` closes it."""
    begin = html.index(start)
    return html[begin : html.index(end, begin)]
