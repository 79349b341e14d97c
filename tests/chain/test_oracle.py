"""The engine against an independent oracle, on a generated chain of a few thousand cases.

The generated events and measurements (``tests/chain/generated_chain.py``) are pushed through
the push service and computed as ``compute_indicators --full`` does, once for the module and
inside a transaction that is rolled back at its end. The oracle (``tests/chain/oracle.py``)
computes the same indicators from the same raw items in plain Python.

Stored rows versus values: the engine stores every period's all-tracks total, but a track only
where it has something to count (or, for a stock, ever had). The read API
(``chain.selectors.complete_series``) reads a value it finds no row for as ``0`` for a count
and ``null`` for anything else, with the signal its bands give that; the comparison applies
exactly that reading to a value the oracle has and the engine did not store. A nationality
cell of at least one case must be stored; one of no cases is not a cell.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from rest_framework.test import APIClient

from accounts.models import OrganisationAPIKey
from chain import clock
from chain.models import Indicator, IndicatorValue
from chain.selectors import bands_for, signal_of
from chain.vocabulary import COUNT
from tests.chain import oracle
from tests.chain.generated_chain import GeneratedChain, generate, load
from tests.chain.oracle import Expected, Key, OracleResult

pytestmark = pytest.mark.django_db

TOLERANCE = 1e-9


@dataclass(frozen=True)
class Found:
    """A value as the engine stored it, or as the read API reads a missing row."""

    value: float | None
    signal: str
    suppressed: str  # as stored: "primary" or ""
    n: int | None
    stored: bool


@pytest.fixture(scope="module")
def generated() -> GeneratedChain:
    return generate()


@pytest.fixture(scope="module")
def computed_on(
    generated: GeneratedChain, django_db_setup: None, django_db_blocker: Any
) -> Iterator[date]:
    """Loads and computes the generated chain for the module; yields the day it computed on."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_catalogue", verbosity=0, stdout=io.StringIO())
        load(generated.deliveries())
        computed_on = clock.today()
        call_command("compute_indicators", "--full", stdout=io.StringIO())
        # Checks the deferred foreign keys once here, not again at the end of every test.
        connection.check_constraints()
        yield computed_on
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def expected(generated: GeneratedChain, computed_on: date) -> OracleResult:
    return oracle.compute(generated, today=computed_on)


@pytest.fixture(scope="module")
def stored(computed_on: date, django_db_blocker: Any) -> dict[Key, Found]:
    with django_db_blocker.unblock():
        rows = IndicatorValue.objects.values_list(
            "indicator", "chain", "period_type", "period", "track", "nationality", "value",
            "signal", "suppressed", "n",
        )  # fmt: skip
        return {Key(*row[:6]): Found(*row[6:], stored=True) for row in rows}


@pytest.fixture(scope="module")
def catalogue_entries(computed_on: date, django_db_blocker: Any) -> dict[str, Indicator]:
    with django_db_blocker.unblock():
        return {i.code: i for i in Indicator.objects.prefetch_related("bands")}


def read_as_api(key: Key, indicator: Indicator) -> Found:
    """How the read API answers for a value without a stored row."""
    value = 0.0 if indicator.unit == COUNT else None
    bands = bands_for(indicator=indicator, chain=key.chain)
    return Found(value, signal_of(value=value, bands=bands), "", 0, stored=False)


def same_value(got: float | None, want: float | None) -> bool:
    if got is None or want is None:
        return got is None and want is None
    return math.isclose(got, want, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def describe(key: Key) -> str:
    where = f"track {key.track}" if key.track else "all tracks"
    if key.nationality:
        where = f"nationality {key.nationality}"
    return f"{key.indicator} {key.chain} {key.period_type} {key.period} {where}"


def differences(
    code: str, expected: dict[Key, Expected], stored: dict[Key, Found], indicator: Indicator
) -> list[str]:
    """Every value of one indicator where engine and oracle differ, as readable lines."""
    out = []
    for key, want in expected.items():
        if key.indicator != code:
            continue
        got = stored.get(key)
        if got is None and key.nationality:
            out.append(f"{describe(key)}: not stored; oracle {want}")
            continue
        got = got or read_as_api(key, indicator)
        agree = same_value(got.value, want.value) and (got.signal, bool(got.suppressed)) == (
            want.signal, want.suppressed,
        )  # fmt: skip
        if want.n is not None and got.n != want.n:
            agree = False
        if not agree:
            out.append(f"{describe(key)}: engine {got} vs oracle {want}")
    out.extend(
        f"{describe(key)}: stored {found}, but the oracle has no such value"
        for key, found in stored.items()
        if key.indicator == code and key not in expected
    )
    return out


@pytest.mark.parametrize("code", oracle.INDICATORS)
def test_the_engine_stores_what_the_oracle_computes(
    code: str,
    expected: OracleResult,
    stored: dict[Key, Found],
    catalogue_entries: dict[str, Indicator],
) -> None:
    problems = differences(code, expected.values, stored, catalogue_entries[code])
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:25])


def test_the_oracle_covers_every_indicator_of_the_catalogue(
    catalogue_entries: dict[str, Indicator],
) -> None:
    assert set(catalogue_entries) == set(oracle.INDICATORS)


def test_every_stored_row_is_compared(expected: OracleResult, stored: dict[Key, Found]) -> None:
    assert set(stored) <= set(expected.values)
    # Most values are really stored, not read by convention: the comparison is not vacuous.
    assert len(stored) > 0.5 * len(expected.values)


def test_the_generated_chain_exercises_what_the_contracts_spell_out(
    generated: GeneratedChain, expected: OracleResult
) -> None:
    cases = [c for chain in expected.cases.values() for c in chain.values()]
    for chain, of_chain in expected.cases.items():
        types = {e.event_type for c in of_chain.values() for e in c.events}
        assert len(types) == 20, f"{chain} lacks {sorted(types)}"
    reasons = {e.reason for c in cases for e in c.events if e.event_type == "RECEPTION_LEFT"}
    assert reasons == {"HOUSING", "DEPARTURE", "UNKNOWN", "OTHER"}
    extensions = [
        (c.extended, e.day == c.rule_deadline)
        for c in cases
        for e in c.events
        if e.event_type == "TERM_EXTENDED" and c.rule_deadline
    ]
    assert {(True, False), (True, True), (False, False)} <= set(extensions)
    decided = [(c.decided - c.deadline).days for c in cases if c.decided and c.deadline]
    assert 0 in decided and 1 in decided  # on the deadline day and the day after
    assert any(c.decided == c.lodged for c in cases)
    assert any(
        e.event_type.startswith("DECISION_") and c.lodged and e.day < c.lodged
        for c in cases
        for e in c.events
    )
    # Lodged on both sides of the NL rule boundaries where the UTC date is another day.
    boundary = {date(2022, 3, 26), date(2022, 3, 27), date(2023, 12, 31), date(2024, 1, 1)}
    crossing = {
        e.day
        for c in expected.cases["NL"].values()
        for e in c.events
        if e.event_type == "APPLICATION_LODGED" and e.day in boundary
        and e.day != e.instant.astimezone(UTC).date()
    }  # fmt: skip
    assert crossing == boundary
    assert any(c.reception_days.count(d) > 1 for c in cases for d in set(c.reception_days))
    nationality_cells = [v for k, v in expected.values.items() if k.nationality]
    assert {v.suppressed for v in nationality_cells} == {True, False}
    occupancy = {
        v.signal for k, v in expected.values.items() if k.indicator == "reception_occupancy_rate"
    }
    assert occupancy == {"green", "amber", "red", "none"}
    replaced = {(m.organisation, m.kind, m.location, m.date) for m in generated.measurements}
    assert len(replaced) < len(generated.measurements)  # some measurements are corrected


def api_client() -> APIClient:
    _, key = OrganisationAPIKey.objects.create_key(
        name="oracle reader", organisation_id=None, scope=OrganisationAPIKey.Scope.READ
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def api_queries(indicator: Indicator) -> list[dict[str, str]]:
    """A sample of series per indicator: both chains, months and weeks, a track, nationality."""
    queries = [
        {"chain": "NL", "period": "month", "from": "2022-10", "to": "2023-09"},
        {"chain": "BE", "period": "week", "from": "2023-W10", "to": "2023-W22"},
    ]
    if indicator.per_track:
        queries += [
            {"chain": "NL", "period": "month", "from": "2023-01", "to": "2024-06", "track": "4"},
            {"chain": "BE", "period": "week", "from": "2024-W01", "to": "2024-W10", "track": "U"},
        ]
    if indicator.by_nationality:
        queries.append(
            {"chain": "NL", "period": "month", "from": "2023-01", "to": "2023-12",
             "by": "nationality"}
        )  # fmt: skip
    return queries


def as_served(cells: dict[str, Expected]) -> dict[str, bool | str]:
    """How the contract has one period's nationality cells marked: ``True`` below 10 cases,
    ``"secondary"`` for the next smallest (by n, then code) beside a lone such cell."""
    marks: dict[str, bool | str] = {code: want.suppressed for code, want in cells.items()}
    shown = sorted((want.n or 0, code) for code, want in cells.items() if not want.suppressed)
    if list(marks.values()).count(True) == 1 and shown:
        marks[shown[0][1]] = "secondary"
    return marks


@pytest.mark.parametrize("code", oracle.INDICATORS)
def test_the_api_serves_what_the_oracle_computes(code: str, expected: OracleResult) -> None:
    client = api_client()
    indicator = Indicator.objects.get(code=code)
    for query in api_queries(indicator):
        answer = client.get(f"/api/v1/indicators/{code}/values", query)
        assert answer.status_code == 200, answer.content
        items = answer.json()
        assert items, query
        if "by" in query:
            assert_breakdown_served(code, query, items, expected)
            continue
        for item in items:
            key = Key(
                code, item["chain"], query["period"], item["period"], query.get("track", ""), ""
            )
            want = expected.values[key]
            assert same_value(item["value"], want.value), (key, item, want)
            assert (item["signal"], item["suppressed"]) == (want.signal, False), (key, item, want)


def assert_breakdown_served(
    code: str, query: dict[str, str], items: list[dict[str, Any]], expected: OracleResult
) -> None:
    """Every period has a cell for each nationality the oracle has anywhere; a suppressed one
    shows nothing of its size, the others their value and n."""
    nationalities = {
        k.nationality
        for k in expected.values
        if (k.indicator, k.chain, k.period_type) == (code, query["chain"], query["period"])
        and k.nationality
    }
    by_period: dict[str, dict[str, dict[str, Any]]] = {}
    for item in items:
        by_period.setdefault(item["period"], {})[item["nationality"]] = item
    for label, cells in by_period.items():
        assert set(cells) == nationalities, label
        # A nationality without cases in a period is a cell of 0 cases: suppressed.
        wants = {
            nationality: expected.values.get(
                Key(code, query["chain"], query["period"], label, "", nationality),
                Expected(None, "none", suppressed=True, n=0),
            )
            for nationality in nationalities
        }
        marks = as_served(wants)
        for nationality, item in cells.items():
            want, mark = wants[nationality], marks[nationality]
            assert item["suppressed"] == mark, (label, item, want)
            if mark:
                assert (item["value"], item["n"], item["signal"]) == (None, None, "none"), item
            else:
                assert same_value(item["value"], want.value), (label, item, want)
                assert (item["signal"], item["n"]) == (want.signal, want.n), (label, item, want)
