"""The half-year chain report: page and PDF in both languages, publishing, freezing, revisions.

The half-year is the last one that has ended before the test's today (``--today`` moves it);
its values and those of the same half one and two years before are stored as the engine
stores them, and the report must say what they say.
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date
from pathlib import Path
from typing import Any, cast

import pypdfium2
import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.test import Client
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from accounts.access import ADMINISTRATOR, CHAIN_DIRECTOR
from chain.periods import Period
from reports.half_year import live_figures, render_pdf
from reports.models import HalfYearReport, HalfYearReportPDF
from reports.publishing import CannotPublish, publish_half_year
from tests.reports.conftest import store_half

pytestmark = pytest.mark.django_db

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


def director() -> Client:
    user = User.objects.create_user("director", email="director@keten.example")
    user.groups.add(Group.objects.get(name=CHAIN_DIRECTOR))
    client = Client()
    client.force_login(user)
    return client


def page(client: Client, half: Period, language: str) -> str:
    response = client.get(f"/reports/half-year/{half.label}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_sets_each_value_beside_the_same_half_of_two_years_before_in_dutch(
    halves: list[Period], half: Period
) -> None:
    html = page(director(), half, "nl")
    text = text_of(html)
    year, number = half.label.split("-H")
    earlier = int(year) - 1
    which = "eerste" if number == "1" else "tweede"
    assert '<html lang="nl">' in html
    assert f"Rapportage vreemdelingenketen, de {which} helft van {year}" in text
    assert (
        "Het aantal openstaande zaken over de termijn daalde met 18 % ten opzichte van de "
        f"{which} helft van {earlier} (van 1.234 naar 1.012)." in text
    )
    assert (
        "Het aandeel beslissingen binnen de termijn steeg met 3,5 procentpunt ten opzichte van "
        f"de {which} helft van {earlier} (van 80,0 % naar 83,5 %)." in text
    )
    for heading, value in zip(
        (f"{number}e helft {year}", f"{number}e helft {earlier}", f"{number}e helft {earlier - 1}"),
        ("1.012", "1.234", "1.500"), strict=True,
    ):  # fmt: skip
        assert f"{heading} {value}" in text
    assert "Tijdelijke wet opschorting dwangsommen" in text
    assert "Een eerdere gebeurtenis" not in text
    # A median without values says so rather than showing a blank.
    assert "Voor de mediane doorlooptijd tot een beslissing is over de" in text


def test_the_page_reads_in_english_too(halves: list[Period], half: Period) -> None:
    html = page(director(), half, "en")
    text = text_of(html)
    year, number = half.label.split("-H")
    which = "first" if number == "1" else "second"
    assert '<html lang="en">' in html
    assert f"Chain report, the {which} half of {year}" in text
    assert (
        "The number of open cases past their legal term fell by 18 % compared with the "
        f"{which} half of {int(year) - 1} (from 1,234 to 1,012)." in text
    )
    assert f"H{number} {year} 1,012" in text
    assert "Penalty payments suspended" in text
    assert "Not published" in text


def test_the_page_keeps_to_the_strict_content_security_policy(
    halves: list[Period], half: Period
) -> None:
    response = director().get(f"/reports/half-year/{half.label}")
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "img-src 'self' data:" in policy
    html = response.content.decode()
    # No inline script or style at all, nor style attributes; the charts are SVG images.
    assert "<style" not in html and " style=" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert re.search(r'<img class="hy-chart" src="data:image/svg\+xml;base64,[^"]+" alt="', html)


def test_the_menu_leads_to_the_last_half_year_that_has_ended(catalogue: None, half: Period) -> None:
    client = director()
    assert 'href="/reports/half-year/"' in client.get("/").content.decode()
    response = client.get("/reports/half-year/")
    assert response.status_code == 302
    assert response["Location"] == f"/reports/half-year/{half.label}"


def test_a_half_year_that_has_not_ended_is_not_found(catalogue: None, today: date) -> None:
    current = f"{today.year}-H{1 if today.month <= 6 else 2}"
    client = director()
    assert client.get(f"/reports/half-year/{current}").status_code == 404
    assert client.get(f"/reports/half-year/{today.year + 2}-H1.pdf").status_code == 404
    with pytest.raises(CommandError, match="is not complete yet"):
        call_command("chain_report", period=current, out="unused.pdf")


def structure(node: Any) -> dict[str, list[str]]:
    """Each structure type of a tagged PDF's tree, with the alternative texts of its elements."""
    found: dict[str, list[str]] = {}
    pending = [node]
    while pending:
        element = pending.pop().get_object()
        if not isinstance(element, DictionaryObject):
            continue
        if "/S" in element:
            found.setdefault(str(element["/S"]), []).append(str(element.get("/Alt", "")))
        kids = element.get("/K")
        pending.extend(kids if isinstance(kids, ArrayObject) else [kids] if kids else [])
    return found


def test_the_pdf_is_tagged_with_a_title_and_a_language_and_reads_well(
    halves: list[Period], half: Period
) -> None:
    pdf = render_pdf(live_figures(period=half), language="nl")
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.root_object
    year, number = half.label.split("-H")
    assert reader.metadata is not None
    assert reader.metadata.title == (
        f"Rapportage vreemdelingenketen, de {'eerste' if number == '1' else 'tweede'} helft "
        f"van {year}"
    )
    assert root["/Lang"] == "nl"
    assert bool(cast(DictionaryObject, root["/MarkInfo"])["/Marked"])
    assert "/StructTreeRoot" in root
    assert "/DisplayDocTitle" in cast(DictionaryObject, root["/ViewerPreferences"])
    tags = structure(root["/StructTreeRoot"])
    for tag in ("/H1", "/H2", "/H4", "/Table", "/TH", "/Figure"):
        assert tag in tags, f"no {tag} in the structure tree"
    assert len(tags["/Figure"]) == 32
    assert all(alt.startswith("Grafiek van ") for alt in tags["/Figure"])
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert "Het aantal openstaande zaken over de termijn daalde met 18 %" in text
    # Rendered to PNG without a browser, to be looked at (test-output/).
    OUTPUT.mkdir(exist_ok=True)
    document = pypdfium2.PdfDocument(pdf)
    try:
        assert len(document) >= 2  # a chain a page at least
        for number_of_page in range(2):
            image = document[number_of_page].render(scale=1.5).to_pil()
            image.save(OUTPUT / f"half-year-report-nl-p{number_of_page + 1}.png")
            assert image.width > 800 and image.height > 1100
    finally:
        document.close()


def test_publishing_freezes_the_figures_the_pdfs_and_the_data_version(
    halves: list[Period], half: Period
) -> None:
    publication = publish_half_year(period=half.label)
    report = publication.report
    assert publication.created and report.version == 1 and report.languages == ["nl", "en"]
    assert report.data_version != ""
    pdfs = {pdf.language: pdf for pdf in report.pdfs.all()}
    assert set(pdfs) == {"nl", "en"}
    for pdf in pdfs.values():
        content = bytes(pdf.content)
        assert content.startswith(b"%PDF") and pdf.byte_size == len(content)
        assert pdf.sha256 == hashlib.sha256(content).hexdigest()
    values = report.figures["chains"][0]["goals"][0]["indicators"]
    over = next(i for i in values if i["code"] == "open_cases_over_term")
    assert [v["value"] for v in over["values"]] == [1012.0, 1234.0, 1500.0]


def test_a_published_report_is_unchanged_after_a_recompute(
    halves: list[Period], half: Period
) -> None:
    published = publish_half_year(period=half.label).report
    pdf_before = HalfYearReportPDF.objects.get(report=published, language="nl").sha256
    # The engine recomputes: the half-year's value changes.
    store_half("open_cases_over_term", "NL", half, 1100.0, "amber")
    again = HalfYearReport.objects.get(pk=published.pk)
    assert again.figures == published.figures
    assert HalfYearReportPDF.objects.get(report=published, language="nl").sha256 == pdf_before
    client = director()
    text = text_of(page(client, half, "nl"))
    assert "1.012" in text and "daalde met 18 %" in text
    assert "Sinds de publicatie van deze rapportage is 1 waarde in de actuele cijfers" in text
    assert "1.012 (groen), nu 1.100 (oranje)" in text
    # The PDF served is the one published.
    served = client.get(f"/reports/half-year/{half.label}.pdf", HTTP_ACCEPT_LANGUAGE="nl")
    assert served["Content-Type"] == "application/pdf"
    assert served.content == bytes(
        HalfYearReportPDF.objects.get(report=published, language="nl").content
    )
    # And nobody changes a published report, not even by hand.
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        HalfYearReport.objects.filter(pk=published.pk).update(figures={})
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        HalfYearReportPDF.objects.filter(report=published).delete()


def test_a_revision_is_a_new_version_that_lists_what_changed(
    halves: list[Period], half: Period
) -> None:
    first = publish_half_year(period=half.label).report
    again = publish_half_year(period=half.label)
    assert not again.created and "already published as version 1" in again.message
    unchanged = publish_half_year(period=half.label, revision="Nothing new")
    assert not unchanged.created and "no new version" in unchanged.message
    store_half("open_cases_over_term", "NL", half, 1100.0, "amber")
    revision = publish_half_year(period=half.label, revision="IND delivered late cases")
    assert revision.created
    second = revision.report
    assert (second.version, second.note) == (2, "IND delivered late cases")
    assert second.changes == [{
        "chain": "NL", "indicator": "open_cases_over_term", "period": half.label,
        "before": 1012.0, "after": 1100.0, "signal_before": "green", "signal_after": "amber",
    }]  # fmt: skip
    assert HalfYearReport.objects.get(pk=first.pk).figures == first.figures
    text = text_of(page(director(), half, "en"))
    assert "Version 2, published on" in text and "What version 2 changed" in text
    assert "IND delivered late cases" in text
    assert "1,012 (green), now 1,100 (amber)" in text
    assert "values have changed in the live figures" not in text


def test_a_half_year_that_has_not_ended_cannot_be_published(catalogue: None, today: date) -> None:
    current = f"{today.year}-H{1 if today.month <= 6 else 2}"
    with pytest.raises(CannotPublish, match="is not complete yet"):
        publish_half_year(period=current)
    with pytest.raises(CannotPublish, match="not an existing half-year"):
        publish_half_year(period="2026-H3")


def test_the_command_writes_a_pdf_and_publishes(
    halves: list[Period], half: Period, tmp_path: Path
) -> None:
    out = tmp_path / "report.pdf"
    output = io.StringIO()
    call_command("chain_report", period=half.label, language="en", out=str(out), stdout=output)
    reader = PdfReader(out)
    assert reader.root_object["/Lang"] == "en"
    assert "live figures, not published" in output.getvalue()
    call_command("chain_report", period=half.label, publish=True, stdout=output)
    assert f"Published {half.label} version 1 (nl, en)" in output.getvalue()
    call_command("chain_report", period=half.label, out=str(out), stdout=output)
    assert out.read_bytes() == bytes(HalfYearReportPDF.objects.get(language="nl").content)
    with pytest.raises(CommandError, match="--out"):
        call_command("chain_report", period=half.label)


def test_an_administrator_publishes_a_revision_from_the_admin(
    halves: list[Period], half: Period
) -> None:
    first = publish_half_year(period=half.label).report
    administrator = User.objects.create_user("administrator", is_staff=True)
    administrator.groups.add(Group.objects.get(name=ADMINISTRATOR))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(administrator)
    listing = "/admin/reports/halfyearreport/"
    assert client.get(f"{listing}{first.pk}/change/").status_code == 200
    assert client.get(f"{listing}add/").status_code == 403
    store_half("open_cases_over_term", "NL", half, 1100.0, "amber")
    response = client.post(
        listing, {"action": "publish_revision", "_selected_action": [first.pk]}, follow=True
    )
    assert f"Published {half.label} version 2 (nl, en; 1 changed value)" in (
        response.content.decode()
    )
    second = HalfYearReport.objects.get(period=half.label, version=2)
    assert second.published_by == "administrator" and len(second.changes) == 1
