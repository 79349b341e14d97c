"""Catalogue edits in the admin are audited and recompute the values they affect.

Through the real admin change forms, as an administrator submits them: a signal band of an
indicator (an inline of the indicator's form) and a legal term rule. The values rest on the
known chain of ``tests/known_chain.py``, computed before the edit.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import QuerySet
from django.test import Client

from chain import clock
from chain.indicators.engine import compute_dirty
from chain.models import CaseFact, CatalogueChange, IndicatorValue, LegalTermRule
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
