"""``/goals``, ``/indicators`` and ``/indicators/{code}``."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from chain.selectors import latest_complete_period
from tests.api.conftest import Catalogue, Deliver, assert_problem, problems_of, store_value

pytestmark = pytest.mark.django_db


def test_it_lists_the_goals_with_their_indicators(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    goals = api.get("/api/v1/goals").json()
    assert [g["code"] for g in goals] == ["PROCEDURE", "INFORMATION"]
    assert goals[1] == {
        "code": "INFORMATION", "name_nl": "Informatie", "name_en": "Information",
        "indicators": [{"code": "client_satisfaction", "name_nl": "client_satisfaction (nl)",
                        "name_en": "client_satisfaction (en)"}],
    }  # fmt: skip
    assert [i["code"] for i in goals[0]["indicators"]] == [
        "applications_lodged", "decisions_within_term_share", "decision_lead_time_median",
    ]  # fmt: skip


def test_it_lists_every_indicator_with_its_latest_value_in_one_chain(
    api: APIClient, catalogue_rows: Catalogue, fresh_deliveries: None
) -> None:
    month = latest_complete_period(period_type="month")
    store_value("decisions_within_term_share", month.label, 0.75, signal="amber")
    store_value("decisions_within_term_share", month.previous().label, 0.95, signal="green")
    items = api.get("/api/v1/indicators?chain=NL").json()
    assert [(i["code"], i["chain"]) for i in items] == [
        ("applications_lodged", "NL"), ("decisions_within_term_share", "NL"),
        ("decision_lead_time_median", "NL"), ("client_satisfaction", "NL"),
    ]  # fmt: skip
    assert items[1] == {
        "code": "decisions_within_term_share", "goal": "PROCEDURE",
        "name_nl": "decisions_within_term_share (nl)",
        "name_en": "decisions_within_term_share (en)", "unit": "share", "direction": "higher",
        "chain": "NL", "period": month.label, "value": 0.75, "n": 100, "signal": "amber",
        "stale": False,
    }  # fmt: skip


def test_an_indicator_without_a_stored_value_counts_zero_or_has_none(
    api: APIClient, catalogue_rows: Catalogue, fresh_deliveries: None
) -> None:
    items = {i["code"]: i for i in api.get("/api/v1/indicators?chain=BE").json()}
    assert (items["applications_lodged"]["value"], items["applications_lodged"]["n"]) == (0, 0)
    median = items["decision_lead_time_median"]
    assert (median["value"], median["signal"]) == (None, "none")


def test_without_a_chain_it_lists_both_chains(api: APIClient, catalogue_rows: Catalogue) -> None:
    items = api.get("/api/v1/indicators").json()
    assert [i["chain"] for i in items] == ["NL"] * 4 + ["BE"] * 4


def test_it_lists_the_latest_complete_week_when_asked(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    week = latest_complete_period(period_type="week")
    store_value("applications_lodged", week.label, 17.0)
    [item] = [
        i
        for i in api.get("/api/v1/indicators?chain=NL&period=week").json()
        if i["code"] == "applications_lodged"
    ]
    assert (item["period"], item["value"]) == (week.label, 17.0)


def test_it_marks_a_value_stale_when_its_partner_has_not_delivered_in_time(
    api: APIClient, catalogue_rows: Catalogue, fresh_deliveries: None, old_delivery: Deliver
) -> None:
    old_delivery("IND")
    items = api.get("/api/v1/indicators").json()
    stale = {(i["code"], i["chain"]) for i in items if i["stale"]}
    # IND feeds every NL procedure indicator; satisfaction rests on no partner.
    assert stale == {
        ("applications_lodged", "NL"), ("decisions_within_term_share", "NL"),
        ("decision_lead_time_median", "NL"),
    }  # fmt: skip


def test_a_partner_that_never_delivered_makes_its_values_stale(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    items = api.get("/api/v1/indicators?chain=BE").json()
    assert [i["stale"] for i in items] == [True, True, True, False]


def test_it_rejects_an_unknown_chain(api: APIClient, catalogue_rows: Catalogue) -> None:
    assert list(problems_of(api.get("/api/v1/indicators?chain=XX&period=year"))) == [
        "chain", "period",
    ]  # fmt: skip


def test_it_describes_an_indicator_with_bands_and_sources_per_chain(
    api: APIClient, catalogue_rows: Catalogue, fresh_deliveries: None, old_delivery: Deliver
) -> None:
    delivery = old_delivery("DVZ")
    answer = api.get("/api/v1/indicators/decision_lead_time_median").json()
    assert {k: answer[k] for k in ("code", "goal", "unit", "direction", "kind")} == {
        "code": "decision_lead_time_median", "goal": "PROCEDURE", "unit": "days",
        "direction": "lower", "kind": "lead_time_median",
    }  # fmt: skip
    assert (answer["definition_nl"], answer["definition_en"]) == ("Definitie.", "Definition.")
    assert (answer["per_track"], answer["by_nationality"]) == (True, False)
    assert answer["bands"]["BE"] == [
        {"signal": "green", "lower": None, "upper": 180.0},
        {"signal": "amber", "lower": None, "upper": 365.0},
        {"signal": "red", "lower": 365.0, "upper": None},
    ]
    assert answer["bands"]["NL"][1] == {"signal": "amber", "lower": None, "upper": 270.0}
    [dvz] = answer["sources"]["BE"]
    assert dvz == {
        "partner": "DVZ",
        "last_delivery": timezone.localtime(delivery.finished_at).isoformat(),
        "expected_interval": "P2DT00H00M00S",
        "stale": True,
    }
    assert [(s["partner"], s["stale"]) for s in answer["sources"]["NL"]] == [("IND", False)]


def test_bands_for_all_chains_apply_to_each_chain(
    api: APIClient, catalogue_rows: Catalogue
) -> None:
    bands = api.get("/api/v1/indicators/decisions_within_term_share").json()["bands"]
    assert bands["NL"] == bands["BE"]
    assert [b["signal"] for b in bands["NL"]] == ["green", "amber", "red"]


def test_an_unknown_indicator_is_a_404_problem(api: APIClient, catalogue_rows: Catalogue) -> None:
    assert_problem(api.get("/api/v1/indicators/nothing"), 404)


def test_listing_indicators_takes_the_same_queries_however_many_there_are(
    api: APIClient,
    catalogue_rows: Catalogue,
    fresh_deliveries: None,
    django_assert_max_num_queries: Any,
) -> None:
    # Two key lookups, freshness (2), indicators with goal and bands (2), one read per chain.
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/indicators").json()) == 8
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/goals").json()) == 2
