"""Who may do what: every URL of the site and method, for every kind of caller, as a table.

The table below is the authorization of the site in one place. Each row is a concrete request
(``{code}`` is an indicator, ``{extract}`` a delivery of IND, ``{token}`` an unsubscribe link,
``{scenario}`` a scenario of NL saved by ``dNL``);
each column a caller:

- ``anon``: nobody logged in, no key;
- ``dNL``, ``dBE``: chain directors working for IND (NL) and DVZ (BE);
- ``aIND``, ``aDVZ``: partner analysts of IND and DVZ;
- ``adm``: an administrator (the group, and the staff flag that the admin asks);
- ``kIND``: a read key of IND; ``kALL``: a chain-wide read key; ``kNO``: a read key of no
  organisation that is not chain-wide (it reads no deliveries); ``push``: IND's push key.

A cell is the status expected, or ``L`` / ``A``: a redirect to the dashboard's or the admin's
login page. The test walks the URL configuration: a URL that no row requests fails
it, so a new page or endpoint cannot go without a decision on who may use it. Django's admin is
covered by its index and the list of every registered model; its other pages (add, change,
delete, history, password) sit behind the same ``admin_view`` check and are not listed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from accounts.access import ADMINISTRATOR, CHAIN_DIRECTOR, PARTNER_ANALYST
from accounts.models import OrganisationAPIKey, UserProfile
from psi.urls import MOVED_ADMIN_PAGES
from reports.mail import unsubscribe_url
from reports.models import Subscription
from scenarios.models import SavedScenario
from tests.api.conftest import make_extract, make_rejection

pytestmark = pytest.mark.django_db

CALLERS = ["anon", "dNL", "dBE", "aIND", "aDVZ", "adm", "kIND", "kALL", "kNO", "push"]

MATRIX = """
method path                                      anon dNL dBE aIND aDVZ adm kIND kALL kNO push
GET    /                                         L    200 200 200  200  200 L    L    L   L
GET    /indicators/{code}/                       L    200 200 200  200  200 L    L    L   L
GET    /flow/                                    L    200 200 200  200  200 L    L    L   L
GET    /deadlines/                               L    200 200 200  200  200 L    L    L   L
GET    /ingest/                                  L    403 403 200  200  200 L    L    L   L
GET    /ingest/?partner=DVZ                      L    403 403 403  200  200 L    L    L   L
GET    /scenarios/                               L    200 200 200  200  200 L    L    L   L
GET    /scenarios/{scenario}/                    L    200 404 200  404  200 L    L    L   L
GET    /scenarios/compare/?id={scenario}         L    200 404 200  404  200 L    L    L   L
POST   /scenarios/save/                          L    400 400 400  400  400 L    L    L   L
GET    /reports/subscription/                    L    200 200 200  200  200 L    L    L   L
POST   /reports/subscription/                    L    302 302 302  302  302 L    L    L   L
GET    /reports/unsubscribe/{token}              200  200 200 200  200  200 200  200  200 200
POST   /reports/unsubscribe/{token}              200  200 200 200  200  200 200  200  200 200
GET    /reports/half-year/                       L    302 302 302  302  302 L    L    L   L
GET    /reports/half-year/2026-H1                L    200 200 200  200  200 L    L    L   L
GET    /reports/half-year/2026-H1.pdf            L    200 200 200  200  200 L    L    L   L
POST   /reports/half-year/2026-H1                L    405 405 405  405  405 L    L    L   L
GET    /accounts/login/                          200  200 200 200  200  200 200  200  200 200
POST   /accounts/login/                          200  200 200 200  200  200 200  200  200 200
GET    /accounts/logout/                         405  405 405 405  405  405 405  405  405 405
POST   /accounts/logout/                         L    L   L   L    L    L   L    L    L   L
POST   /i18n/setlang/                            302  302 302 302  302  302 302  302  302 302
GET    /open-data/                               200  200 200 200  200  200 200  200  200 200
GET    /open-data/catalog.jsonld                 200  200 200 200  200  200 200  200  200 200
GET    /open-data/2023-03/v1/NL-reception-2023-03.csv 404 404 404 404 404 404 404 404 404 404
POST   /open-data/                               405  405 405 405  405  405 405  405  405 405
GET    /api/v1/goals                             401  200 200 200  200  200 200  200  200 403
GET    /api/v1/indicators                        401  200 200 200  200  200 200  200  200 403
GET    /api/v1/indicators/{code}                 401  200 200 200  200  200 200  200  200 403
GET    /api/v1/indicators/{code}/values?chain=NL 401  200 200 200  200  200 200  200  200 403
GET    /api/v1/flows?chain=NL                    401  200 200 200  200  200 200  200  200 403
GET    /api/v1/events-of-note?chain=NL           401  200 200 200  200  200 200  200  200 403
GET    /api/v1/extracts                          401  403 403 200  200  200 200  200  200 403
GET    /api/v1/extracts/{extract}/rejections     401  403 403 200  404  200 200  200  404 403
GET    /api/v1/scenarios                         401  200 200 200  200  200 200  200  200 403
POST   /api/v1/scenarios                         401  400 400 400  400  400 400  400  400 403
GET    /api/v1/scenarios/{scenario}              401  200 404 200  404  200 200  200  200 403
GET    /api/v1/scenarios/backtest?chain=NL       401  200 200 200  200  200 200  200  200 403
GET    /api/v1/openapi.json                      200  200 200 200  200  200 200  200  200 200
GET    /api/v1/docs                              200  200 200 200  200  200 200  200  200 200
GET    /api/v1/events                            401  401 401 401  401  401 403  403  403 405
POST   /api/v1/events                            401  401 401 401  401  401 403  403  403 200
GET    /api/v2/goals                             404  404 404 404  404  404 404  404  404 404
GET    /admin/                                   A    A   A   A    A    200 A    A    A   A
"""
# Every model list in the admin: the administrator only.
ADMIN_LIST = " ".join("200" if caller == "adm" else "A" for caller in CALLERS)
# Django's own pages behind the admin index's check (see the module's docstring).
ADMIN_OWN = "admin"


class Row:
    """One request of the table and the answer expected for each caller."""

    def __init__(self, method: str, path: str, cells: list[str]) -> None:
        assert len(cells) == len(CALLERS), f"{method} {path}: {len(cells)} cells"
        self.method, self.path, self.expected = method, path, dict(zip(CALLERS, cells, strict=True))


def rows() -> list[Row]:
    table = [line.split() for line in MATRIX.strip().splitlines()[1:]]
    lists = [
        Row("GET", f"/admin/{model._meta.app_label}/{model._meta.model_name}/", ADMIN_LIST.split())
        for model in admin.site._registry
    ]
    # The old addresses of moved admin pages redirect for anyone; the new page decides.
    moved = [Row("GET", f"/admin/{old}/", ["301"] * len(CALLERS)) for old in MOVED_ADMIN_PAGES]
    return [Row(method, path, cells) for method, path, *cells in table] + lists + moved


def url_patterns(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = ""
) -> Iterator[str]:
    """The route of every URL pattern of the site, the admin's own ones as ``admin``."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.app_name == ADMIN_OWN:
                yield ADMIN_OWN
            else:
                yield from url_patterns(pattern.url_patterns, route)
        else:
            yield route


def route_of(path: str) -> str:
    match = resolve(path.split("?")[0])
    return ADMIN_OWN if match.app_name == ADMIN_OWN else match.route


def test_every_url_of_the_site_has_a_row_in_the_matrix() -> None:
    requested = set()
    for row in rows():
        try:
            requested.add(route_of(row.path.format(code="c", extract=1, token="t", scenario=1)))
        except Resolver404:
            pytest.fail(f"{row.path} in the matrix is no URL of the site")
    missing = sorted(set(url_patterns()) - requested)
    assert missing == [], f"URLs without a row in the matrix (decide who may use them): {missing}"


# The callers


def person(name: str, role: str, organisation: str | None = None, *, staff: bool = False) -> User:
    user = User.objects.create_user(name, email=f"{name}@keten.example", is_staff=staff)
    user.groups.add(Group.objects.get(name=role))
    if organisation:
        UserProfile.objects.create(user=user, organisation_id=organisation)
    return user


def key(scope: str, organisation: str | None = None, *, chain_wide: bool = False) -> str:
    _, secret = OrganisationAPIKey.objects.create_key(
        name=f"{scope} {organisation}", organisation_id=organisation, scope=scope,
        chain_wide=chain_wide,
    )  # fmt: skip
    return secret


@pytest.fixture
def callers(catalogue: None) -> dict[str, Any]:
    """What each caller sends: a user to log in, an API key, or nothing."""
    return {
        "anon": None,
        "dNL": person("director_nl", CHAIN_DIRECTOR, "IND"),
        "dBE": person("director_be", CHAIN_DIRECTOR, "DVZ"),
        "aIND": person("analyst_ind", PARTNER_ANALYST, "IND"),
        "aDVZ": person("analyst_dvz", PARTNER_ANALYST, "DVZ"),
        "adm": person("administrator", ADMINISTRATOR, staff=True),
        "kIND": key("read", "IND"),
        "kALL": key("read", chain_wide=True),
        "kNO": key("read"),
        "push": key("push", "IND"),
    }


BODIES = {
    "/reports/subscription/": {"chain": "NL", "language": "nl"},
    "/i18n/setlang/": {"language": "en", "next": "/"},
}


def answer(row: Row, caller: Any, path: str) -> str:
    """What the site answers ``caller``, in the table's words."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if isinstance(caller, User):
        client.force_login(caller)
    elif isinstance(caller, str):
        client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {caller}"
    if row.method == "GET":
        response = client.get(path)
    elif path == "/api/v1/events":
        response = client.post(path, {"events": []}, content_type="application/json")
    else:
        response = client.post(path, BODIES.get(path.split("?")[0], {}))
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return "A"
        if location.startswith("/accounts/login/"):
            return "L"
    return str(response.status_code)


def test_each_caller_gets_the_answer_the_matrix_says(callers: dict[str, Any]) -> None:
    extract = make_extract("IND", rejected=1)
    make_rejection(extract, 2)
    subscription = Subscription.objects.create(user=callers["dNL"])
    token = unsubscribe_url(subscription).rsplit("/", 1)[-1]
    inputs = {"chain": "NL", "origin": "2025-12", "horizon": 1, "paths": 1, "seed": 1}
    scenario = SavedScenario.objects.create(
        name="NL", chain_id="NL", author=callers["dNL"], inputs=inputs,
        answer={"inputs": inputs, "calibration": {}, "months": []},
    )  # fmt: skip
    wrong = []
    for row in rows():
        path = row.path.format(
            code="applications_lodged", extract=extract.pk, token=token, scenario=scenario.pk
        )
        for name, caller in callers.items():
            got = answer(row, caller, path)
            if got != row.expected[name]:
                wrong.append(f"{row.method} {row.path} as {name}: {got}, not {row.expected[name]}")
    assert wrong == [], "\n".join(wrong)
