"""The half-year report's page in a real Chromium: its chart images load under the strict
Content Security Policy, axe-core finds no serious WCAG 2.1 AA violation in Dutch or English,
and a screenshot is kept to look at."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client

from accounts.access import CHAIN_DIRECTOR
from chain.periods import Period
from tests.axe import describe, serious_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_half_year_page_shows_its_charts_and_has_no_serious_accessibility_violations(
    chromium: Any, live_server: Any, halves: list[Period], half: Period, axe: str,
    language: str, screenshot_path: Any,
) -> None:  # fmt: skip
    user = User.objects.create_user("director", email="director@keten.example")
    user.groups.add(Group.objects.get(name=CHAIN_DIRECTOR))
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = chromium.new_context(
        base_url=live_server.url, locale={"nl": "nl-NL", "en": "en-GB"}[language],
        viewport={"width": 1280, "height": 900},
    )  # fmt: skip
    try:
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page = context.new_page()
        page.set_default_timeout(30_000)
        refused: list[str] = []
        page.on("console", lambda message: refused.append(message.text))
        page.goto(f"/reports/half-year/{half.label}")
        assert page.evaluate("document.documentElement.lang") == language
        widths = page.eval_on_selector_all(
            "img.hy-chart", "images => images.map(i => i.complete ? i.naturalWidth : 0)"
        )
        violations = serious_violations(page)
        page.screenshot(path=screenshot_path(f"half-year-{language}"), full_page=False)
    finally:
        context.close()
    assert len(widths) == 32 and all(w > 0 for w in widths), "every chart image loads"
    assert not [text for text in refused if "Content Security Policy" in text]
    assert violations == [], describe(violations)
