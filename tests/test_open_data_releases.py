"""Publishing open data: immutable releases, corrections as new versions, the public pages and
the DCAT-AP catalogue, on the small known chain of tests/known_chain.py run through the engine."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.test import Client
from pyld import jsonld

from chain.indicators.engine import compute_all, compute_dirty
from chain.periods import MONTH, period_containing
from ingest.services import ingest_file
from opendata.models import Release, ReleaseFile
from opendata.services import publish_month
from opendata.tasks import publish_open_data
from tests import known_chain
from tests.open_data import cell, file_of, last_month, store

pytestmark = pytest.mark.django_db

MARCH = "2023-03"
ADMISSION = f"NL-asylum-admission-{MARCH}.csv"
# Five more applications lodged in March 2023 and not decided: a late delivery.
LATE = [f"300000010{n};Z1{n};4;IRQ;AANVRAAG;0{n + 1}-03-2023;;Ter Apel;N" for n in range(5)]


@pytest.fixture
def known(catalogue: None, write_extract: Any) -> None:
    """The known chain ingested and computed."""
    ingest_file(
        partner="IND", path=write_extract("ind_zaakstatus_20230501.csv", known_chain.extract())
    )
    compute_all()


def deliver_late(write_extract: Any) -> None:
    ingest_file(
        partner="IND", path=write_extract("ind_zaakstatus_20230601.csv", known_chain.extract(LATE))
    )
    compute_dirty()


def served(path: str) -> bytes:
    response = Client().get(path)
    assert response.status_code == 200, path
    return response.content


def catalogue_document() -> dict[str, Any]:
    response = Client().get("/open-data/catalog.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    return json.loads(response.content)


def distributions(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for dataset in document["dcat:dataset"] for d in dataset["dcat:distribution"]]


def test_a_release_holds_csv_and_json_per_theme_of_the_chain_with_known_figures(
    known: None,
) -> None:
    publication = publish_month(month=MARCH)
    assert publication.created and publication.release.version == 1
    names = sorted(ReleaseFile.objects.values_list("name", flat=True))
    assert names == sorted(
        f"NL-{theme}-{MARCH}.{ext}"
        for theme in ("asylum-admission", "reception", "departure")
        for ext in ("csv", "json")
    ), "NL only: BE has no data"
    content = bytes(file_of(MARCH, ADMISSION).content)
    # March: A, B, C and G decided (4), E lodged (1); D, E and F open at the end (3).
    assert cell(content, "decisions_taken")["value"] == "5"
    assert cell(content, "applications_lodged")["value"] == "0"
    assert cell(content, "open_cases")["value"] == "5"
    # The median of 38, 50, 70 and 78 days rests on 4 cases: never shown.
    assert cell(content, "decision_lead_time_median") | {"value": "", "suppressed": "true"} == (
        cell(content, "decision_lead_time_median")
    )
    assert "decisions_to_applications_ratio" not in content.decode(), "ratios are not published"


def test_every_file_served_is_byte_identical_to_its_checksum_and_size_in_the_catalogue(
    known: None,
) -> None:
    publish_month(month=MARCH)
    found = distributions(catalogue_document())
    assert len(found) == ReleaseFile.objects.count() == 6
    for distribution in found:
        url = distribution["dcat:downloadURL"]["@id"]
        assert url.startswith(settings.SITE_URL + "/open-data/")
        content = served(url.removeprefix(settings.SITE_URL))
        checksum = distribution["spdx:checksum"]
        assert checksum["spdx:algorithm"]["@id"] == "spdx:checksumAlgorithm_sha256"
        assert checksum["spdx:checksumValue"]["@value"] == hashlib.sha256(content).hexdigest()
        assert int(distribution["dcat:byteSize"]["@value"]) == len(content)


def test_a_published_release_is_unchanged_by_a_recompute_on_new_data(
    known: None, write_extract: Any
) -> None:
    publish_month(month=MARCH)
    before = served(f"/open-data/{MARCH}/v1/{ADMISSION}")
    deliver_late(write_extract)
    assert served(f"/open-data/{MARCH}/v1/{ADMISSION}") == before
    assert file_of(MARCH, ADMISSION).sha256 == hashlib.sha256(before).hexdigest()
    again = publish_month(month=MARCH)
    assert not again.created and "already published as version 1" in again.message
    assert Release.objects.count() == 1


def test_a_correction_is_version_2_with_its_note_and_version_1_stays_downloadable(
    known: None, write_extract: Any
) -> None:
    publish_month(month=MARCH)
    first = served(f"/open-data/{MARCH}/v1/{ADMISSION}")
    deliver_late(write_extract)
    call_command("publish_open_data", month=MARCH, correction="Late IND delivery of 5 applications")
    second = Release.objects.get(month=MARCH, version=2)
    assert second.change_note == "Late IND delivery of 5 applications"
    corrected = served(f"/open-data/{MARCH}/v2/{ADMISSION}")
    assert cell(corrected, "applications_lodged")["value"] == "5"
    assert cell(corrected, "open_cases")["value"] == "10"
    assert served(f"/open-data/{MARCH}/v1/{ADMISSION}") == first
    datasets = catalogue_document()["dcat:dataset"]
    assert {d["owl:versionInfo"] for d in datasets} == {"1", "2"}
    assert {d.get("adms:versionNotes") for d in datasets} == {
        None, "Late IND delivery of 5 applications",
    }  # fmt: skip


def test_a_correction_without_changed_figures_says_nothing_changed(
    known: None, capsys: pytest.CaptureFixture[str]
) -> None:
    publish_month(month=MARCH)
    compute_all()
    call_command("publish_open_data", month=MARCH, correction="Recomputed")
    assert "Nothing changed in 2023-03 since version 1" in capsys.readouterr().out
    assert Release.objects.count() == 1


def test_a_month_not_yet_complete_is_refused_with_the_day_it_can_be_published(
    today: date, catalogue: None
) -> None:
    this_month = period_containing(today, MONTH)
    with pytest.raises(CommandError) as refused:
        call_command("publish_open_data", month=this_month.label)
    assert str(refused.value) == (
        f"{this_month.label} is not complete yet: it ends on {this_month.end:%Y-%m-%d}, so it "
        f"can be published from {this_month.next().start:%Y-%m-%d} on."
    )
    with pytest.raises(CommandError, match="'2026-13' is not an existing month"):
        call_command("publish_open_data", month="2026-13")
    assert not Release.objects.exists()


def test_a_month_without_computed_values_is_refused(catalogue: None) -> None:
    with pytest.raises(CommandError, match="No indicator values have been computed for 2023-03"):
        call_command("publish_open_data", month=MARCH)


def test_the_database_refuses_to_change_or_delete_a_published_release(known: None) -> None:
    publish_month(month=MARCH)
    for change in (
        lambda: Release.objects.update(change_note="quietly"),
        lambda: ReleaseFile.objects.filter(name=ADMISSION).update(content=b"other"),
        lambda: ReleaseFile.objects.all().delete(),
    ):
        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
            change()
    assert ReleaseFile.objects.count() == 6


def test_beat_publishes_the_previous_month_on_the_5th(today: date, catalogue: None) -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE["publish-open-data"]
    assert schedule["task"] == "opendata.tasks.publish_open_data"
    assert schedule["schedule"].day_of_month == {5}
    month = last_month(today)
    store("applications_lodged", month, 123)
    publish_open_data()
    [release] = Release.objects.all()
    assert release.month == month.label
    assert (
        cell(
            bytes(file_of(month.label, f"NL-asylum-admission-{month.label}.csv").content),
            "applications_lodged",
        )["value"]
        == "125"
    )
    publish_open_data()
    assert Release.objects.count() == 1


# The public pages


def test_the_open_data_pages_are_public_without_login_under_the_strict_policy(known: None) -> None:
    publish_month(month=MARCH)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    for path in ("/open-data/", "/open-data/catalog.jsonld", f"/open-data/{MARCH}/v1/{ADMISSION}"):
        response = anonymous.get(path)
        assert response.status_code == 200, path
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    page = anonymous.get("/open-data/").content.decode()
    assert f'href="/open-data/{MARCH}/v1/{ADMISSION}"' in page
    assert file_of(MARCH, ADMISSION).sha256 in page
    assert "Every count is rounded to a multiple of 5." in page
    dutch = Client(HTTP_ACCEPT_LANGUAGE="nl").get("/open-data/").content.decode()
    assert "Elk aantal is afgerond op een veelvoud van 5." in dutch and 'lang="nl"' in dutch
    assert anonymous.get(f"/open-data/{MARCH}/v3/{ADMISSION}").status_code == 404


def test_the_download_says_what_it_is_and_that_it_never_changes(known: None) -> None:
    publish_month(month=MARCH)
    response = Client().get(f"/open-data/{MARCH}/v1/{ADMISSION}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{ADMISSION}"'
    assert response["ETag"] == f'"{file_of(MARCH, ADMISSION).sha256}"'
    assert "immutable" in response["Cache-Control"]


# The catalogue

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
SPDX = "http://spdx.org/rdf/terms#"


def nodes_of(expanded: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """Every node of an RDF type in the expanded JSON-LD, nested ones included."""
    found = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if kind in node.get("@type", []):
                found.append(node)
            for value in node.values():
                walk(value)

    walk(expanded)
    return found


def test_the_catalogue_is_json_ld_with_the_fields_dcat_ap_requires(known: None) -> None:
    publish_month(month=MARCH)
    expanded = jsonld.expand(catalogue_document())
    [catalog] = nodes_of(expanded, DCAT + "Catalog")
    for field in ("title", "description", "publisher", "license"):
        assert catalog.get(DCT + field), f"catalogue without dct:{field}"
    publisher = catalog[DCT + "publisher"][0]
    assert (
        publisher["http://xmlns.com/foaf/0.1/name"][0]["@value"]
        == settings.OPEN_DATA_PUBLISHER_NAME
    )
    cc0 = "http://creativecommons.org/publicdomain/zero/1.0/"
    assert catalog[DCT + "license"][0]["@id"] == cc0
    datasets = nodes_of(expanded, DCAT + "Dataset")
    assert len(datasets) == 3, "a dataset per theme of the chain"
    for dataset in datasets:
        for field in ("title", "description", "publisher", "temporal", "issued", "spatial"):
            assert dataset.get(DCT + field), f"dataset without dct:{field}"
        assert dataset[DCAT + "theme"] and dataset[DCAT + "keyword"]
        temporal = dataset[DCT + "temporal"][0]
        assert temporal[DCAT + "startDate"][0]["@value"] == "2023-03-01"
        assert temporal[DCAT + "endDate"][0]["@value"] == "2023-03-31"
    files = nodes_of(expanded, DCAT + "Distribution")
    assert len(files) == 6
    for distribution in files:
        for field in ("accessURL", "downloadURL", "mediaType", "byteSize"):
            assert distribution.get(DCAT + field), f"distribution without dcat:{field}"
        assert distribution[DCT + "license"][0]["@id"] == cc0
        [checksum] = distribution[SPDX + "checksum"]
        assert checksum[SPDX + "algorithm"][0]["@id"] == SPDX + "checksumAlgorithm_sha256"
        assert len(checksum[SPDX + "checksumValue"][0]["@value"]) == 64
    media = {d[DCAT + "mediaType"][0]["@id"] for d in files}
    assert media == {
        "http://www.iana.org/assignments/media-types/text/csv",
        "http://www.iana.org/assignments/media-types/application/json",
    }


def test_the_catalogue_of_nothing_published_is_an_empty_catalogue(catalogue: None) -> None:
    document = catalogue_document()
    assert document["@type"] == "dcat:Catalog" and document["dcat:dataset"] == []
    assert (
        "Nothing has been published yet."
        in Client(HTTP_ACCEPT_LANGUAGE="en").get("/open-data/").content.decode()
    )


def test_the_admin_shows_a_release_read_only(known: None) -> None:
    release = publish_month(month=MARCH).release
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(User.objects.create_superuser("root"))
    page = admin.get(f"/admin/opendata/release/{release.pk}/change/").content.decode()
    assert file_of(MARCH, ADMISSION).sha256 in page
    assert 'name="_save"' not in page and "Delete" not in page
    assert admin.get("/admin/opendata/release/add/").status_code == 403
