"""The scenario pages in a real Chromium: fan charts drawn under the strict CSP, axe-clean in
Dutch and English, and run and saved with the keyboard alone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.contrib.auth.models import User

from accounts.access import CHAIN_DIRECTOR
from scenarios.models import SavedScenario
from scenarios.presets import load_presets
from tests.axe import describe, serious_violations
from tests.dashboard.conftest import UserMaker
from tests.dashboard.test_in_browser import Browser, browser, tab_to, wait_for_charts
from tests.dashboard.test_scenario_pages import RUN
from tests.scenario_web import TODAY, build_history

__all__ = ["browser"]  # the fixture, imported for the tests below

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
CHARTS = 7


@pytest.fixture
def history(catalogue: None) -> Iterator[None]:
    """The constructed chain, with the live server on the same pinned day."""
    with time_machine.travel(TODAY, tick=True):
        build_history(compute=True)
        load_presets(scale=0.01)
        yield


@pytest.fixture
def director(make_user: UserMaker) -> User:
    return make_user("director", CHAIN_DIRECTOR, organisation="IND")


def csp_reports(page: Any) -> list[str]:
    reported: list[str] = []
    page.on("console", lambda m: reported.append(m.text) if "Content Security" in m.text else None)
    page.on("pageerror", lambda error: reported.append(str(error)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', event => console.error("
        "`Content Security Policy: ${event.violatedDirective} ${event.blockedURI}`))"
    )
    return reported


@pytest.mark.usefixtures("axe")
@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_run_and_a_saved_scenario_are_drawn_and_have_no_serious_violations(
    history: None, director: User, browser: Browser, screenshot_path: Any, language: str
) -> None:

    page = browser.page(language=language, user=director)
    reported = csp_reports(page)
    run = {**RUN, "share": "0,7" if language == "nl" else "0.7"}
    run["planning_norm"] = "0,96" if language == "nl" else "0.96"
    assert page.goto("/scenarios/?" + urlencode(run)).status == 200
    assert wait_for_charts(page) == CHARTS
    page.screenshot(path=screenshot_path(f"{language}-scenario-run"), full_page=True)
    found = {"run": serious_violations(page)}
    page.get_by_label("Bewaren als" if language == "nl" else "Save as").fill("Browser")
    page.get_by_role("button", name="Bewaren voor de ketendirecteuren" if language == "nl"
                     else "Save for the chain's directors").click()  # fmt: skip
    saved = SavedScenario.objects.get(name="Browser")
    page.wait_for_url(f"**/scenarios/{saved.pk}/")
    assert wait_for_charts(page) == CHARTS
    page.screenshot(path=screenshot_path(f"{language}-scenario-saved"), full_page=True)
    found["saved"] = serious_violations(page)
    assert page.goto(f"/scenarios/compare/?id={saved.pk}").status == 200
    assert wait_for_charts(page) == CHARTS
    found["compare"] = serious_violations(page)
    texts = {name: describe(v) for name, v in found.items() if v}
    assert not texts, "\n\n".join(f"{name} ({language}):\n{text}" for name, text in texts.items())
    assert reported == []


def test_the_keyboard_alone_fills_a_preset_runs_and_reads_a_table(
    history: None, director: User, browser: Browser
) -> None:
    page = browser.page(language="en", user=director)
    page.goto("/scenarios/")
    tab_to(page, lambda focused: focused["tag"] == "select")
    page.keyboard.press("End")
    tab_to(page, lambda focused: focused["text"] == "Fill in the preset")
    page.keyboard.press("Enter")
    page.wait_for_url("**/scenarios/?preset=*")
    assert page.get_by_label("Months ahead").input_value() == "12"
    tab_to(page, lambda focused: focused["text"] == "Run the scenario", limit=120)
    page.keyboard.press("Enter")
    page.wait_for_url("**/scenarios/?*run=1*")
    assert wait_for_charts(page) == CHARTS
    region = tab_to(page, lambda focused: 'role="region"' in focused["html"], limit=200)
    assert region["tag"] == "div"
