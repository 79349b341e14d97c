"""The open-data page in a real Chromium, without logging in: axe-core finds no serious WCAG 2.1
AA violation in Dutch or English, and the keyboard alone reaches and downloads a file."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from opendata.models import ReleaseFile
from opendata.services import publish_month
from tests.axe import describe, serious_violations
from tests.open_data import last_month, store

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def published(today: date, catalogue: None) -> str:
    """Last month published, with figures for both chains; returns the month."""
    month = last_month(today)
    for chain, scale in (("NL", 1.0), ("BE", 0.4)):
        store("applications_lodged", month, round(3100 * scale), chain=chain)
        store("open_cases", month, round(41200 * scale), chain=chain)
        store("status_holders_in_reception", month, round(14800 * scale), chain=chain)
        store("departures", month, round(1180 * scale), chain=chain)
    publish_month(month=month.label)
    return month.label


@pytest.fixture
def page_in(chromium: Any, live_server: Any) -> Iterator[Any]:
    """A page of a fresh profile asking for a language; nobody logged in."""
    contexts = []

    def open_page(language: str) -> Any:
        context = chromium.new_context(
            base_url=live_server.url, locale={"nl": "nl-NL", "en": "en-GB"}[language],
            viewport={"width": 1280, "height": 900}, accept_downloads=True,
        )  # fmt: skip
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_open_data_page_has_no_serious_accessibility_violations(
    published: str, axe: str, page_in: Any, language: str, screenshot_path: Any
) -> None:
    page = page_in(language)
    page.goto("/open-data/")
    assert "/accounts/login/" not in page.url, "public: no login"
    assert page.evaluate("document.documentElement.lang") == language
    assert page.locator("table.data").count() == 1
    violations = serious_violations(page)
    page.screenshot(path=screenshot_path(f"open-data-{language}"), full_page=True)
    assert violations == [], describe(violations)


def test_the_keyboard_alone_reaches_and_downloads_a_file_of_the_release(
    published: str, page_in: Any
) -> None:
    page = page_in("en")
    page.goto("/open-data/")
    path = []
    for _press in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const el = document.activeElement, style = getComputedStyle(el);
                return {href: el.getAttribute('href') || '',
                        outline: `${style.outlineStyle} ${style.outlineWidth}`};
            }"""
        )
        path.append(focused["href"])
        assert focused["outline"] == "solid 3px", f"no visible focus after {path}"
        if focused["href"].endswith(".csv"):
            break
    else:
        raise AssertionError(f"Tab never reached a file: {path}")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    content = Path(download.value.path()).read_bytes()
    name = focused["href"].rsplit("/", 1)[-1]
    stored = ReleaseFile.objects.get(release__month=published, name=name)
    assert hashlib.sha256(content).hexdigest() == stored.sha256
