"""Catalogue edits in the admin are audited and recompute the values they affect.

Through the real admin change forms, as an administrator submits them: a signal band of an
indicator (an inline of the indicator's form) and a legal term rule. The values rest on the
known chain of ``tests/known_chain.py``, computed before the edit.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import QuerySet
from django.test import Client

from chain import clock
from chain.catalogue import CatalogueError, load_catalogue, mark_all_dirty
from chain.indicators.engine import compute_dirty
from chain.indicators.kinds import indicator_problems
from chain.models import CaseFact, CatalogueChange, Indicator, IndicatorValue, LegalTermRule
from chain.tasks import apply_legal_term_rules
from ingest.services import ingest_file
from tests import known_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(catalogue: None, tmp_path: Path) -> None:
    """The known chain ingested and its values computed, as a worker would after the ingest."""
    path = tmp_path / "ind_zaakstatus_20230501.csv"
    path.write_text(known_chain.extract(), encoding="utf-8")
    ingest_file(partner="IND", path=path)
    compute_dirty()


@pytest.fixture
def admin_client() -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.create_superuser("beheerder", "beheer@example.org"))
    return client


def form_data(page: Any) -> dict[str, Any]:
    """What the admin change form on ``page`` posts when submitted unchanged.

    Fields with a callable default (the JSON fields) also post their initial value from a
    hidden input, which is what the form compares to tell whether they changed.
    """
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None:
                continue
            data[form.add_prefix(name)] = value
            if field.show_hidden_initial:
                data[form.add_initial_prefix(name)] = value
    return data


def submit(client: Client, url: str, changes: dict[str, Any]) -> None:
    """Open the change form at ``url``, change some fields and save it."""
    page = client.get(url)
    assert page.status_code == 200
    answer = client.post(url, {**form_data(page), **changes})
    errors = answer.context and answer.context.get("errors")
    assert answer.status_code == 302, f"the admin refused the change: {errors}"


def edits() -> QuerySet[CatalogueChange]:
    """The audit rows of edits, without the one of the catalogue file's load."""
    return CatalogueChange.objects.exclude(action="load")


def before_and_after(change: CatalogueChange) -> tuple[dict[str, Any], dict[str, Any]]:
    """The field values a change of an existing object recorded, before and after."""
    assert change.old is not None and change.new is not None
    return change.old, change.new


def signal(code: str, period: str) -> tuple[float | None, str]:
    value = IndicatorValue.objects.get(
        indicator=code, chain="NL", period_type="month", period=period, track="", nationality=""
    )
    return value.value, value.signal


def test_a_band_edit_is_audited_and_changes_the_signals(
    computed: None, admin_client: Client
) -> None:
    # March 2023: A (50 days), B (70), C (38) and G (78) decided, median 60: green up to 180.
    assert signal("decision_lead_time_median", "2023-03") == (60, "green")
    url = "/admin/chain/indicator/decision_lead_time_median/change/"
    page = admin_client.get(url)
    bands = page.context["inline_admin_formsets"][0].formset.forms
    green = next(f for f in bands if (f.instance.chain_id, f.instance.signal) == ("NL", "green"))
    submit(admin_client, url, {green.add_prefix("upper"): "45"})

    change = edits().get()  # the indicator itself did not change
    assert (change.user, change.action, change.object_type) == ("beheerder", "change", "SignalBand")
    assert clock.now() - change.changed_at < timedelta(minutes=1)
    old, new = before_and_after(change)
    assert (old["upper"], new["upper"]) == (180, 45)
    assert {k: v for k, v in old.items() if k != "upper"} == {
        k: v for k, v in new.items() if k != "upper"
    }
    compute_dirty()
    assert signal("decision_lead_time_median", "2023-03") == (60, "amber")


def test_a_term_rule_edit_is_audited_and_moves_the_deadlines(
    computed: None, admin_client: Client
) -> None:
    # Every case decided in March 2023 was lodged in the categorical extension of 15 months.
    assert signal("decisions_within_term_share", "2023-03") == (1.0, "green")
    rule = LegalTermRule.objects.get(chain="NL", lodged_from=date(2022, 3, 27))
    submit(admin_client, f"/admin/chain/legaltermrule/{rule.pk}/change/", {"months": "1"})

    change = edits().get()
    assert (change.user, change.action, change.object_type) == (
        "beheerder",
        "change",
        "LegalTermRule",
    )
    old, new = before_and_after(change)
    assert (old["months"], new["months"]) == (15, 1)
    assert new["lodged_from"] == "2022-03-27"
    # The request only queued the rebuild: at millions of cases it takes minutes.
    assert CaseFact.objects.get(lodged=date(2023, 1, 10)).deadline == date(2024, 4, 10)
    apply_legal_term_rules()  # what the worker does once the change is committed
    # A was lodged on 10 January 2023: its deadline is now 10 February, before its decision.
    assert CaseFact.objects.get(lodged=date(2023, 1, 10)).deadline == date(2023, 2, 10)
    assert signal("decisions_within_term_share", "2023-03") == (0.0, "red")


def test_the_audit_trail_can_be_read_but_not_rewritten(
    computed: None, admin_client: Client
) -> None:
    rule = LegalTermRule.objects.get(chain="BE")
    submit(admin_client, f"/admin/chain/legaltermrule/{rule.pk}/change/", {"months": "9"})
    change = edits().get()
    listing = admin_client.get("/admin/chain/cataloguechange/")
    assert listing.status_code == 200
    assert "beheerder" in listing.content.decode()
    answer = admin_client.post(f"/admin/chain/cataloguechange/{change.pk}/change/", {"user": "x"})
    assert answer.status_code == 403
    answer = admin_client.post(f"/admin/chain/cataloguechange/{change.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 403
    assert edits().get().user == "beheerder"


def test_loading_the_catalogue_file_is_audited(catalogue: None) -> None:
    load = CatalogueChange.objects.get(action="load")
    assert (load.user, load.object_type, load.object_repr) == (
        "manage.py load_catalogue", "catalogue", "catalogue-v1.json (v1)",
    )  # fmt: skip
    assert load.new is not None and load.new["indicators"] == 16


def test_a_container_start_keeps_the_catalogue_an_administrator_edited(
    computed: None, admin_client: Client
) -> None:
    rule = LegalTermRule.objects.get(chain="BE")
    submit(admin_client, f"/admin/chain/legaltermrule/{rule.pk}/change/", {"months": "9"})
    out = io.StringIO()
    call_command("load_catalogue", "--if-empty", stdout=out)
    assert "nothing loaded" in out.getvalue()
    assert LegalTermRule.objects.get(chain="BE").months == 9
    assert CatalogueChange.objects.filter(action="load").count() == 1


# One rule for kind and params: the admin, the catalogue loader and the engine all apply it.

INJECTED = {"milestone": "lodged IS NULL; DROP TABLE chain_casefact; --"}


@pytest.mark.parametrize(
    ("kind", "params", "problem"),
    [
        ("case_count", INJECTED, "param 'milestone' must be one of "),
        ("case_count", {"milestone": ["lodged"]}, "param 'milestone' must be one of "),
        ("open_stock", {"from": "lodged", "until": [["decided"]]}, "param 'until' must be a "),
        ("event_count", {"event_types": [{"a": 1}]}, "param 'event_types' must be a non-empty "),
        ("case_count", ["lodged"], "params must be a JSON object"),
        ("case_cuont", {"milestone": "lodged"}, "unknown kind 'case_cuont'; one of case_count, "),
        (["case_count"], {}, "unknown kind ['case_count']"),
    ],
)
def test_a_kind_or_params_the_engine_cannot_compute_is_named_not_raised(
    kind: Any, params: Any, problem: str
) -> None:
    [found] = indicator_problems(kind, params)
    assert found.startswith(problem)


def test_the_admin_refuses_params_the_engine_cannot_compute(
    catalogue: None, admin_client: Client
) -> None:
    url = "/admin/chain/indicator/applications_lodged/change/"
    page = admin_client.get(url)
    answer = admin_client.post(url, {**form_data(page), "params": json.dumps(INJECTED)})
    assert answer.status_code == 200
    errors = answer.context["adminform"].form.errors
    assert errors["params"][0].startswith("param 'milestone' must be one of deadline, decided, ")
    assert Indicator.objects.get(code="applications_lodged").params == {"milestone": "lodged"}
    assert not edits().exists()


def test_the_admin_offers_only_the_kinds_the_engine_knows(
    catalogue: None, admin_client: Client
) -> None:
    url = "/admin/chain/indicator/applications_lodged/change/"
    page = admin_client.get(url)
    answer = admin_client.post(url, {**form_data(page), "kind": "case_cuont"})
    assert "kind" in answer.context["adminform"].form.errors
    assert Indicator.objects.get(code="applications_lodged").kind == "case_count"


def test_the_catalogue_loader_refuses_what_the_admin_refuses(
    catalogue: None, tmp_path: Path
) -> None:
    data = json.loads((settings.BASE_DIR / "catalogue" / "catalogue-v1.json").read_text())
    data["indicators"][0]["params"] = INJECTED
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CatalogueError) as refused:
        load_catalogue(path=path)
    [problem] = indicator_problems("case_count", INJECTED)
    assert str(refused.value) == f"indicator applications_lodged: {problem}"


def test_the_engine_skips_an_invalid_indicator_computes_the_rest_and_the_pages_say_why(
    computed: None, admin_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    # Changed around the admin (a migration, a shell): the engine must not trust it.
    Indicator.objects.filter(code="applications_lodged").update(params=INJECTED)
    IndicatorValue.objects.all().delete()
    mark_all_dirty()
    compute_dirty()
    computed_codes = set(IndicatorValue.objects.values_list("indicator_id", flat=True))
    assert "applications_lodged" not in computed_codes
    assert {"decisions_taken", "decision_lead_time_median", "open_cases"} <= computed_codes
    assert CaseFact.objects.exists()  # the "DROP TABLE" never ran
    assert "indicator applications_lodged cannot be computed and is skipped: " in caplog.text
    why = "param &#x27;milestone&#x27; must be one of deadline, decided, "
    overview = admin_client.get("/", {"chain": "NL"}).content.decode()
    assert f"Cannot be computed: {why}" in overview
    page = admin_client.get("/indicators/applications_lodged/", {"chain": "NL"})
    assert f"This indicator cannot be computed, so the values below are not current: {why}" in (
        page.content.decode()
    )
    listing = admin_client.get("/admin/chain/indicator/").content.decode()
    assert why in listing
