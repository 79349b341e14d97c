"""The ingest record is evidence: the admin shows extracts and rejected rows, never deletes them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from chain.models import Extract
from ingest.models import RejectedRow

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.create_superuser("beheerder", "beheer@example.org"))
    return client


@pytest.fixture
def extract() -> Extract:
    extract = Extract.objects.create(
        organisation_id="IND", channel="file", name="ind_zaakstatus_20230501.csv", sha256="0" * 64,
        status=Extract.Status.PARTIALLY_ACCEPTED, rejected=1,
    )  # fmt: skip
    RejectedRow.objects.create(extract=extract, line=2, reason="unknown event type")
    return extract


@pytest.mark.parametrize("status", [s for s, _ in Extract.Status.choices])
def test_the_admin_has_no_delete_page_for_an_extract_of_any_status(
    admin_client: Client, extract: Extract, status: str
) -> None:
    Extract.objects.filter(pk=extract.pk).update(status=status)
    url = f"/admin/chain/extract/{extract.pk}/delete/"
    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Extract.objects.filter(pk=extract.pk).exists()


def test_the_extract_list_offers_no_delete_action_and_refuses_one_posted(
    admin_client: Client, extract: Extract
) -> None:
    page = admin_client.get("/admin/chain/extract/")
    assert page.status_code == 200
    assert "delete_selected" not in page.content.decode()
    admin_client.post(
        "/admin/chain/extract/",
        {"action": "delete_selected", "_selected_action": [extract.pk], "post": "yes"},
    )
    assert Extract.objects.filter(pk=extract.pk).exists()
    assert RejectedRow.objects.filter(extract=extract).count() == 1


def test_the_rejected_rows_of_an_extract_cannot_be_deleted_from_its_page(
    admin_client: Client, extract: Extract
) -> None:
    page = admin_client.get(f"/admin/chain/extract/{extract.pk}/change/")
    assert page.status_code == 200
    [inline] = page.context["inline_admin_formsets"]
    assert not inline.has_delete_permission
    assert "unknown event type" in page.content.decode()


def test_the_old_admin_address_of_a_moved_model_redirects_to_its_new_one(db: None) -> None:
    admin = User.objects.create_superuser("admin-moved", password="x")
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/ingest/extract/", {"status__exact": "rejected"})
    assert page.status_code == 301
    assert page["Location"] == "/admin/chain/extract/?status__exact=rejected"
    assert client.get(page["Location"]).status_code == 200
