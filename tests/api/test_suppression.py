"""Small-cell suppression in the nationality breakdown of ``/indicators/{code}/values``.

Cells are stored as the engine stores them: a cell of fewer than 10 cases is ``primary`` with
no value but its ``n`` (the engine resumes stocks from it); a nationality without cases in a
period has no row at all. Whatever the reader asks for, a suppressed cell shows nothing of its
size, and no total minus the cells shown gives one away.
"""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from chain.indicators.engine import DATA_VERSION_KEY
from chain.models import IndicatorValue
from tests.api.conftest import Catalogue, store_value

pytestmark = pytest.mark.django_db

COUNT = "/api/v1/indicators/applications_lodged/values"
CODE = "applications_lodged"


def store_cells(label: str, cells: dict[str, int], *, total: int | None = None) -> None:
    """A period's total and its nationality cells of ``n`` cases, suppressed below 10."""
    store_value(CODE, label, float(total if total is not None else sum(cells.values())))
    for nationality, n in cells.items():
        small = n < 10
        store_value(
            CODE, label, None if small else float(n), n=n, nationality=nationality,
            suppressed="primary" if small else "",
        )  # fmt: skip


def breakdown(api: APIClient, label: str, fmt: str = "json") -> Any:
    answer = api.get(f"{COUNT}?chain=NL&from={label}&to={label}&by=nationality&format={fmt}")
    assert answer.status_code == 200, answer.content
    return answer.json() if fmt == "json" else answer.content.decode()


def by_code(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["nationality"]: item for item in items}


def csv_rows(text: str) -> dict[str, dict[str, str]]:
    return {row["nationality"]: row for row in csv.DictReader(io.StringIO(text))}


def test_a_suppressed_cell_shows_no_n_numerator_or_denominator_in_json_or_csv(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    store_cells("2023-04", {"SYR": 390, "TUR": 25, "AFG": 12, "ERI": 4})
    eri = by_code(breakdown(api, "2023-04"))["ERI"]
    assert eri["suppressed"] is True
    assert [eri[key] for key in ("value", "numerator", "denominator", "n")] == [None] * 4
    assert eri["signal"] == "none"
    row = csv_rows(breakdown(api, "2023-04", "csv"))["ERI"]
    assert [row[key] for key in ("value", "numerator", "denominator", "n")] == [""] * 4
    assert row["suppressed"] == "true"


def test_a_cell_of_no_cases_reads_byte_for_byte_like_one_of_four(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    store_cells("2023-01", {"IRQ": 30})  # IRQ has cases, but none in April
    store_cells("2023-04", {"SYR": 390, "TUR": 25, "AFG": 12, "ERI": 4})
    items = by_code(breakdown(api, "2023-04"))
    assert list(items) == ["AFG", "ERI", "IRQ", "SYR", "TUR"]
    eri, irq = (json.dumps(items[code]).replace(code, "XXX") for code in ("ERI", "IRQ"))
    assert eri == irq
    lines = breakdown(api, "2023-04", "csv").splitlines()
    [eri_line] = [line for line in lines if ",ERI," in line]
    [irq_line] = [line for line in lines if ",IRQ," in line]
    assert eri_line.replace("ERI", "XXX") == irq_line.replace("IRQ", "XXX")


def test_a_lone_suppressed_cell_takes_the_next_smallest_with_it(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    store_cells("2023-04", {"SYR": 390, "TUR": 25, "AFG": 12, "ERI": 4})
    items = by_code(breakdown(api, "2023-04"))
    assert {code: item["suppressed"] for code, item in items.items()} == {
        "AFG": "secondary", "ERI": True, "SYR": False, "TUR": False,
    }  # fmt: skip
    assert (items["AFG"]["value"], items["AFG"]["n"], items["AFG"]["signal"]) == (
        None,
        None,
        "none",
    )
    assert (items["TUR"]["value"], items["TUR"]["n"]) == (25.0, 25)
    assert csv_rows(breakdown(api, "2023-04", "csv"))["AFG"]["suppressed"] == "secondary"


def test_of_two_next_smallest_cells_the_first_by_code_is_suppressed(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    store_cells("2023-04", {"SYR": 390, "IRN": 12, "AFG": 12, "ERI": 4})
    items = by_code(breakdown(api, "2023-04"))
    assert (items["AFG"]["suppressed"], items["IRN"]["suppressed"]) == ("secondary", False)


def test_a_lone_cell_of_no_cases_takes_the_next_smallest_with_it(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    store_cells("2023-01", {"ERI": 30})
    store_cells("2023-04", {"SYR": 390, "TUR": 25})
    items = by_code(breakdown(api, "2023-04"))
    suppressed = {code: item["suppressed"] for code, item in items.items()}
    assert suppressed == {"ERI": True, "SYR": False, "TUR": "secondary"}


def test_two_suppressed_cells_need_no_secondary_one(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    store_cells("2023-04", {"SYR": 390, "TUR": 25, "AFG": 3, "ERI": 4})
    items = by_code(breakdown(api, "2023-04"))
    assert [items[code]["suppressed"] for code in ("AFG", "ERI", "SYR", "TUR")] == [
        True, True, False, False,
    ]  # fmt: skip


def served(api: APIClient) -> tuple[str, str]:
    """What a reader gets of April: the total and the breakdown, both as CSV."""
    cache.set(DATA_VERSION_KEY, time.time_ns(), None)
    total = api.get(f"{COUNT}?chain=NL&from=2023-04&to=2023-04&format=csv").content.decode()
    return total, breakdown(api, "2023-04", "csv")


def test_the_total_minus_the_cells_shown_does_not_recover_a_suppressed_cell(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    store_cells("2023-01", {"ERI": 30})
    store_cells("2023-04", {"SYR": 390, "TUR": 25, "AFG": 12, "ERI": 4})
    four_eritreans = served(api)
    [total] = csv.DictReader(io.StringIO(four_eritreans[0]))
    shown = [row for row in csv_rows(four_eritreans[1]).values() if row["suppressed"] == "false"]
    assert float(total["value"]) - sum(float(row["value"]) for row in shown) == 16
    # The same total with no Eritrean in April: a reader sees exactly the same.
    IndicatorValue.objects.filter(period="2023-04").delete()
    store_cells("2023-04", {"SYR": 390, "TUR": 25, "AFG": 16})
    assert served(api) == four_eritreans


def test_a_breakdown_without_cells_answers_csv_with_its_header(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    assert breakdown(api, "2023-04") == []
    assert breakdown(api, "2023-04", "csv") == (
        "period,chain,nationality,value,numerator,denominator,n,signal,stale,suppressed\n"
    )


def test_the_openapi_document_says_what_suppressed_may_be(api: APIClient) -> None:
    document = api.get("/api/v1/openapi.json").json()
    field = document["components"]["schemas"]["Value"]["properties"]["suppressed"]
    assert field["oneOf"] == [{"type": "boolean"}, {"type": "string", "enum": ["secondary"]}]
    assert document["components"]["schemas"]["Value"]["properties"]["n"]["nullable"] is True
