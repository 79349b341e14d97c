"""The HTML report as a mail client shows it: rendered in Chromium, screenshot kept."""

from __future__ import annotations

import pytest

from reports.content import build_report
from reports.mail import compose
from reports.models import Subscription

pytestmark = pytest.mark.django_db


def test_the_html_report_renders_in_chromium_with_its_inline_images(
    chromium, constructed_week, subscriber: Subscription, screenshot_path, tmp_path, week_reported
) -> None:
    message = compose(
        subscription=subscriber,
        report=build_report(chains=["NL"], week=week_reported, language="en"),
    )
    html = str(message.alternatives[0][0])
    # A mail client resolves cid: images from the message's parts; a file page needs them inline.
    for attachment in message.attachments:
        cid = attachment["Content-ID"].strip("<>")
        (tmp_path / f"{cid}.png").write_bytes(attachment.get_payload(decode=True))
        html = html.replace(f"cid:{cid}", f"{cid}.png")
    page_file = tmp_path / "report.html"
    page_file.write_text(html)
    page = chromium.new_page(viewport={"width": 720, "height": 900})
    try:
        page.goto(page_file.as_uri())
        heights = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalHeight)")
        page.screenshot(path=screenshot_path("weekly-report-en"), full_page=True)
        text = page.inner_text("body")
    finally:
        page.close()
    assert heights and all(h > 0 for h in heights), "every inline chart image loads"
    assert "Decision lead time (median)" in text
