"""``/extracts``, ``/extracts/{id}/rejections`` and ``/flows``."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.access import ADMINISTRATOR, CHAIN_DIRECTOR, PARTNER_ANALYST
from chain.models import Case, CaseFact
from chain.selectors import latest_complete_period
from tests.api.conftest import (
    api_key,
    assert_problem,
    english_client,
    make_extract,
    make_rejection,
    person_in,
    problems_of,
)

pytestmark = pytest.mark.django_db


def test_it_lists_deliveries_newest_first_in_pages(api: APIClient) -> None:
    made = [make_extract("IND", name=f"ind-{i}.csv", rows_read=10, accepted=9) for i in range(3)]
    page = api.get("/api/v1/extracts?limit=2").json()
    assert page["count"] == 3
    assert [e["id"] for e in page["results"]] == [made[2].pk, made[1].pk]
    assert page["next"].endswith("/api/v1/extracts?limit=2&offset=2")
    rest = api.get("/api/v1/extracts?limit=2&offset=2").json()
    assert [e["id"] for e in rest["results"]] == [made[0].pk]
    assert rest["next"] is None


def test_a_delivery_carries_its_counts_and_status(api: APIClient) -> None:
    extract = make_extract(
        "DVZ", status="partially_accepted", rows_read=10, accepted=7, duplicates=1, rejected=2,
        earliest_date=date(2023, 4, 1), latest_date=date(2023, 4, 30),
    )  # fmt: skip
    [item] = api.get("/api/v1/extracts").json()["results"]
    assert set(item) == {
        "id", "partner", "channel", "name", "status", "reason", "received_at", "started_at",
        "finished_at", "rows_read", "accepted", "duplicates", "rejected", "earliest_date",
        "latest_date",
    }  # fmt: skip
    assert (item["id"], item["partner"], item["status"]) == (
        extract.pk,
        "DVZ",
        "partially_accepted",
    )
    assert (item["rows_read"], item["accepted"], item["duplicates"], item["rejected"]) == (
        10,
        7,
        1,
        2,
    )
    assert (item["earliest_date"], item["latest_date"]) == ("2023-04-01", "2023-04-30")


def test_it_lists_one_partners_deliveries(api: APIClient) -> None:
    make_extract("IND")
    coa = make_extract("COA")
    assert [e["id"] for e in api.get("/api/v1/extracts?partner=COA").json()["results"]] == [coa.pk]


def test_it_rejects_an_unknown_partner(api: APIClient) -> None:
    [message] = problems_of(api.get("/api/v1/extracts?partner=ABC"))["partner"]
    assert message.startswith("'ABC' is not a partner (COA, DTV, DVZ, FEDASIL, IND")


def test_it_lists_the_rows_a_delivery_rejected(api: APIClient) -> None:
    extract = make_extract("IND", status="partially_accepted")
    for line in (7, 3, 12):
        make_rejection(extract, line)
    make_rejection(make_extract("COA"), 1)
    page = api.get(f"/api/v1/extracts/{extract.pk}/rejections?limit=2").json()
    assert page["count"] == 3
    assert page["results"] == [
        {"line": 3, "field": "occurred_at", "reason": "not a timestamp", "excerpt": "yesterday"},
        {"line": 7, "field": "occurred_at", "reason": "not a timestamp", "excerpt": "yesterday"},
    ]


@pytest.mark.parametrize("rows", ["extracts", "extracts/{pk}/rejections"])
def test_it_rejects_paging_values_out_of_range_instead_of_correcting_them(
    api: APIClient, rows: str
) -> None:
    path = "/api/v1/" + rows.format(pk=make_extract("IND").pk)
    assert problems_of(api.get(f"{path}?limit=0&offset=-5")) == {
        "limit": ["Ensure this value is greater than or equal to 1."],
        "offset": ["Ensure this value is greater than or equal to 0."],
    }
    assert problems_of(api.get(f"{path}?limit=abc"))["limit"] == ["A valid integer is required."]
    assert "500" in problems_of(api.get(f"{path}?limit=501"))["limit"][0]


def test_a_partner_analyst_reads_only_the_deliveries_of_the_own_organisation(db: None) -> None:
    ind, coa = make_extract("IND"), make_extract("COA")
    analyst = person_in(PARTNER_ANALYST, "IND")
    assert [e["id"] for e in analyst.get("/api/v1/extracts").json()["results"]] == [ind.pk]
    assert analyst.get("/api/v1/extracts?partner=COA").json()["results"] == []
    assert analyst.get(f"/api/v1/extracts/{ind.pk}/rejections").status_code == 200
    assert_problem(analyst.get(f"/api/v1/extracts/{coa.pk}/rejections"), 404)


def test_a_read_key_of_an_organisation_reads_only_its_deliveries(db: None) -> None:
    ind, _ = make_extract("IND"), make_extract("COA")
    client = english_client()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key('read', 'IND')}")
    assert [e["id"] for e in client.get("/api/v1/extracts").json()["results"]] == [ind.pk]


def test_a_read_key_without_organisation_reads_no_deliveries_unless_made_chain_wide(
    db: None,
) -> None:
    ind = make_extract("IND")
    make_rejection(ind, 3)
    client = english_client()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key('read')}")
    assert client.get("/api/v1/extracts").json()["results"] == []
    assert_problem(client.get(f"/api/v1/extracts/{ind.pk}/rejections"), 404)
    # It still reads the indicators: only the deliveries are a partner's own business.
    assert client.get("/api/v1/goals").status_code == 200


def test_a_chain_wide_read_key_reads_every_partners_deliveries(db: None) -> None:
    make_extract("IND")
    make_extract("COA")
    client = english_client()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key('read', chain_wide=True)}")
    assert client.get("/api/v1/extracts").json()["count"] == 2


def test_a_chain_director_may_not_read_the_deliveries(db: None) -> None:
    answer = person_in(CHAIN_DIRECTOR).get("/api/v1/extracts")
    assert "administrators and partner analysts" in assert_problem(answer, 403)["detail"]


def test_an_administrator_reads_every_partners_deliveries(db: None) -> None:
    make_extract("IND")
    make_extract("COA")
    assert person_in(ADMINISTRATOR).get("/api/v1/extracts").json()["count"] == 2


def test_the_rejections_of_an_unknown_delivery_are_a_404(api: APIClient) -> None:
    assert_problem(api.get("/api/v1/extracts/999999/rejections"), 404)


def case(chain: str = "NL", **milestones: Any) -> CaseFact:
    """A case with the given milestone dates (``date`` objects)."""
    days = [d for d in milestones.values() if isinstance(d, date)] or [date(2023, 1, 1)]
    made = Case.objects.create(chain_id=chain, person_key=f"{Case.objects.count():064d}")
    return CaseFact.objects.create(
        case=made, chain_id=chain, first_event=min(days), last_event=max(days), **milestones
    )


def links_of(api: APIClient, query: str) -> dict[tuple[str, str], int]:
    answer = api.get(f"/api/v1/flows?{query}")
    assert answer.status_code == 200, answer.content
    return {(link["source"], link["target"]): link["value"] for link in answer.json()["links"]}


def test_it_counts_cases_moving_between_stages(api: APIClient) -> None:
    d = date
    # Registered and lodged in range, granted in range.
    case(registered=d(2023, 1, 2), lodged=d(2023, 1, 5), decided=d(2023, 3, 1),
         outcome="DECISION_GRANTED")  # fmt: skip
    # Lodged last year, rejected in range, return opened and departed in range.
    case(lodged=d(2022, 6, 1), decided=d(2023, 2, 1), outcome="DECISION_REJECTED",
         return_opened=d(2023, 2, 10), departed=d(2023, 5, 1))  # fmt: skip
    # Lodged in range, still open at the end of the range (decided after it).
    case(lodged=d(2023, 6, 1), decided=d(2024, 2, 1), outcome="DECISION_GRANTED")
    # Return case opened before any decision, closed in range without departure.
    case(lodged=d(2023, 3, 1), return_opened=d(2023, 4, 1), return_closed=d(2023, 8, 1))
    # Someone who never applied.
    case(return_opened=d(2023, 7, 1))
    # Nothing in range; and a case of the other chain.
    case(lodged=d(2021, 1, 1), decided=d(2021, 5, 1), outcome="DECISION_GRANTED")
    case("BE", lodged=d(2023, 1, 5))
    assert links_of(api, "chain=NL&from=2023-01-01&to=2023-12-31") == {
        ("registered", "lodged"): 1,
        ("lodged", "granted"): 1,
        ("lodged", "rejected"): 1,
        ("lodged", "open"): 2,
        ("rejected", "return_opened"): 1,
        ("lodged", "return_opened"): 1,
        ("other", "return_opened"): 1,
        ("return_opened", "departed"): 1,
        ("return_opened", "return_closed"): 1,
    }


def test_flows_answer_the_chain_and_range(api: APIClient) -> None:
    answer = api.get("/api/v1/flows?chain=BE&from=2023-01-01&to=2023-03-31").json()
    assert answer == {"chain": "BE", "from": "2023-01-01", "to": "2023-03-31", "links": []}


def test_flows_default_to_the_last_twelve_complete_months(api: APIClient) -> None:
    last = latest_complete_period(period_type="month")
    answer = api.get("/api/v1/flows?chain=NL").json()
    assert answer["to"] == last.end.isoformat()
    first = last.start.year * 12 + last.start.month - 1 - 11  # months since year 0
    assert answer["from"] == date(first // 12, first % 12 + 1, 1).isoformat()


def test_flows_reject_bad_dates_and_chain_at_once(api: APIClient) -> None:
    problems = problems_of(api.get("/api/v1/flows?chain=XX&from=2023-13-01&to=yesterday"))
    assert set(problems) == {"chain", "from", "to"}


def test_flows_reject_from_after_to(api: APIClient) -> None:
    problems = problems_of(api.get("/api/v1/flows?chain=NL&from=2023-02-01&to=2023-01-31"))
    assert problems == {"from": ["2023-02-01 is after 2023-01-31"]}


def test_flows_reject_days_outside_the_years_served_instead_of_failing(api: APIClient) -> None:
    problems = problems_of(api.get("/api/v1/flows?chain=NL&from=0001-01-01&to=9999-12-31"))
    assert problems == {
        "from": ["0001-01-01 lies outside the years 1900 to 2999"],
        "to": ["9999-12-31 lies outside the years 1900 to 2999"],
    }
