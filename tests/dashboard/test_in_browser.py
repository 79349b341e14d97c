"""The dashboard in a real Chromium: logging in, reading, switching language, the keyboard alone.

The live server runs on a populated chain: two years of indicator values for both chains (per
track and by nationality where the catalogue has them), case facts around today for the flow
and the deadline monitor, and deliveries with rejected rows. axe-core checks every page, in
Dutch and in English, for serious and critical WCAG 2.1 AA violations; every page is saved as
a full-page screenshot in test-output/screenshots/ for a person to look at.
"""

from __future__ import annotations

import math
import os
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import F
from django.test import Client

from accounts.access import ADMINISTRATOR, CHAIN_DIRECTOR
from chain import clock
from chain.models import Case, CaseFact, Extract, Indicator, IndicatorValue
from chain.periods import MONTH, WEEK, Period, latest_complete, periods_ending
from chain.selectors import bands_for, signal_of
from dashboard.forms import SERIES_PERIODS
from reports.mail import unsubscribe_url
from reports.models import Subscription
from tests.api.conftest import PARTNERS, make_extract, make_rejection
from tests.axe import AxeUnavailable, axe_source, describe, serious_violations
from tests.dashboard.conftest import UserMaker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a long browser test password"
# NL's value in a month; a count of BE is a share of NL's, any other value the same.
TYPICAL = {
    "applications_lodged": 3100, "decisions_taken": 2850, "decision_lead_time_median": 196,
    "decisions_within_term_share": 0.82, "open_cases": 41200, "open_cases_over_term": 1650,
    "decisions_to_applications_ratio": 0.93, "hearing_no_show_rate": 0.07,
    "client_satisfaction": 3.7, "reception_occupancy_rate": 0.9,
    "status_holders_in_reception": 14800, "stay_after_grant_median": 140, "departures": 1180,
    "verified_departure_share": 0.56, "return_lead_time_median": 128, "open_return_cases": 9100,
}  # fmt: skip
# Counted over the period; every other count is a stock at the period's end.
FLOW_COUNTS = {"applications_lodged", "decisions_taken", "departures"}
BE_SHARE = 0.4
TRACK_SHARES = {"NL": {"1": 0.15, "2": 0.09, "3": 0.09, "4": 0.67}, "BE": {"P": 0.87, "U": 0.13}}
NATIONALITIES = {"SYR": 0.24, "ERI": 0.13, "AFG": 0.11, "TUR": 0.09, "YEM": 0.05, "IRQ": 0.04}
SMALL_CELLS = {"MNG": 4, "NPL": 7}
OUTCOMES = ["DECISION_GRANTED", "DECISION_REJECTED", "DECISION_DISCONTINUED"]
LEAD_TIME = "decision_lead_time_median"


# The populated chain


def _value(indicator: Indicator, chain: str, period: Period, step: int, scale: float) -> float:
    """A value that drifts with the period, so that lines move and signals differ."""
    value = TYPICAL[indicator.code] * scale
    if chain == "BE" and indicator.unit == "count":
        value *= BE_SHARE
    if period.type == WEEK and indicator.code in FLOW_COUNTS:
        value *= 7 / 30
    value *= 1 + 0.06 * math.sin(step / 3 + len(indicator.code) + (chain == "BE"))
    value *= 1 + 0.003 * (step - SERIES_PERIODS / 2)
    if indicator.unit == "count":
        return round(value)
    if indicator.unit == "share":
        value = min(value, 1.0)
    return round(value, 1 if indicator.unit == "days" else 4)


def _store_indicator_values(indicators: list[Indicator], today: date) -> None:
    rows = []
    for period_type, count in ((MONTH, SERIES_PERIODS), (WEEK, SERIES_PERIODS + 2)):
        periods = periods_ending(latest_complete(today, period_type), count)
        for indicator in indicators:
            for chain in ("NL", "BE"):
                bands = bands_for(indicator=indicator, chain=chain)
                # A track's count is its part of the whole; its median or share differs from it.
                slices = {"": 1.0}
                if indicator.per_track:
                    slices |= {
                        track: share if indicator.unit == "count" else 0.8 + share / 2 + n / 20
                        for n, (track, share) in enumerate(TRACK_SHARES[chain].items())
                    }
                for step, period in enumerate(periods):
                    for track, scale in slices.items():
                        value = _value(indicator, chain, period, step, scale)
                        rows.append(
                            IndicatorValue(
                                indicator=indicator, chain_id=chain, period_type=period_type,
                                period=period.label, period_start=period.start,
                                period_end=period.end, track=track, value=value, n=500,
                                signal=signal_of(value=value, bands=bands),
                            )
                        )  # fmt: skip
    latest = latest_complete(today, MONTH)
    for indicator in (i for i in indicators if i.by_nationality):
        total = _value(indicator, "NL", latest, SERIES_PERIODS - 1, 1)
        cells = {code: round(total * share) for code, share in NATIONALITIES.items()}
        rows += [
            IndicatorValue(
                indicator=indicator, chain_id="NL", period_type=MONTH, period=latest.label,
                period_start=latest.start, period_end=latest.end, nationality=code,
                value=None if code in SMALL_CELLS else value, n=SMALL_CELLS.get(code, value),
                suppressed="primary" if code in SMALL_CELLS else "",
            )
            for code, value in (cells | SMALL_CELLS).items()
        ]  # fmt: skip
    IndicatorValue.objects.bulk_create(rows)


def _store_case_facts(today: date) -> None:
    """Cases of the last year and a half: lodged, decided, returned, departed or still open."""
    draw = random.Random(5)
    facts = []
    for chain, count, term in (("NL", 600, 180), ("BE", 250, 120)):
        cases = Case.objects.bulk_create(
            Case(chain_id=chain, person_key=f"browser-{chain}-{n}") for n in range(count)
        )
        for case in cases:
            registered = today - timedelta(days=draw.randint(5, 540))
            lodged = registered + timedelta(days=draw.randint(0, 9))
            decided = lodged + timedelta(days=draw.randint(20, 320))
            outcome = draw.choices(OUTCOMES, weights=[5, 4, 1])[0]
            milestones = {"decided": decided}
            if outcome != OUTCOMES[0] and draw.random() < 0.6:
                opened = decided + timedelta(days=draw.randint(10, 60))
                ending = "departed" if draw.random() < 0.6 else "return_closed"
                milestones |= {
                    "return_opened": opened,
                    ending: opened + timedelta(days=draw.randint(15, 150)),
                }
            reached = {k: v for k, v in milestones.items() if v <= today}
            facts.append(
                CaseFact(
                    case=case, chain_id=chain, track=draw.choice(sorted(TRACK_SHARES[chain])),
                    registered=registered, lodged=lodged,
                    deadline=lodged + timedelta(days=term), first_event=registered,
                    outcome=outcome if "decided" in reached else None,
                    last_event=max([lodged, *reached.values()]), **reached,
                )
            )  # fmt: skip
    CaseFact.objects.bulk_create(facts)


def _store_deliveries() -> None:
    """A week of good deliveries per partner, Fedasil's feed late; IND rejected some rows."""
    now = clock.now()
    for partner in PARTNERS:
        for days in range(7, 0, -1):
            make_extract(
                partner, name=f"{partner.lower()}_{(now - timedelta(days=days)):%Y%m%d}.csv",
                finished_at=now - timedelta(days=days, hours=-20), rows_read=1200 + 37 * days,
                accepted=1200 + 37 * days,
            )  # fmt: skip
    make_extract("FEDASIL", finished_at=now - timedelta(days=3), channel="feed", name="occupancy")
    ind = make_extract(
        "IND", name=f"ind_{now:%Y%m%d}.csv", status="partially_accepted", rows_read=1312,
        accepted=1309, rejected=3,
    )  # fmt: skip
    make_rejection(ind, 7, field="datum", reason="31-02-2024 is not a date", excerpt="********78")
    make_rejection(ind, 19, field="spoor", reason="track '9' is not one of 1, 2, 3, 4")
    make_rejection(ind, 212, field="v_nummer", reason="missing", excerpt="")
    # Received when they were read, not all at once when this test made them.
    Extract.objects.update(received_at=F("finished_at") - timedelta(minutes=4))


@pytest.fixture
def populated_chain(catalogue: None) -> None:
    """Indicator values, case facts and deliveries, as on a dashboard in use."""
    today = clock.today()
    indicators = list(Indicator.objects.prefetch_related("bands"))
    _store_indicator_values(indicators, today)
    _store_case_facts(today)
    _store_deliveries()


# The browser


@pytest.fixture(scope="module")
def axe() -> str:
    """axe-core's script; without network the tests skip, or fail under REQUIRE_BROWSER=1."""
    try:
        return axe_source()
    except AxeUnavailable as error:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {error}")
        pytest.skip(str(error))


@dataclass
class Browser:
    """A fresh browser profile per test, speaking one language to the live server."""

    chromium: Any
    url: str
    contexts: list[Any]

    def page(self, *, language: str = "nl", user: User | None = None) -> Any:
        """A page of a new profile whose browser asks for ``language``, logged in as ``user``."""
        context = self.chromium.new_context(
            base_url=self.url, locale={"nl": "nl-NL", "en": "en-GB"}[language],
            viewport={"width": 1280, "height": 900}, accept_downloads=True,
        )  # fmt: skip
        self.contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": self.url}]
            )
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page


@pytest.fixture
def browser(chromium: Any, live_server: Any) -> Iterator[Browser]:
    opened = Browser(chromium, live_server.url, [])
    yield opened
    for context in opened.contexts:
        context.close()


@pytest.fixture
def chain_director(make_user: UserMaker) -> User:
    """A chain director who logs in with a password."""
    user = make_user("director", CHAIN_DIRECTOR)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def admin_account(make_user: UserMaker) -> User:
    """An administrator: every page, the ingest status included."""
    return make_user("admin", ADMINISTRATOR)


def wait_for_charts(page: Any) -> int:
    """Wait until Plotly has drawn every figure of the page; returns how many there are."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-figure]')]"
        ".every(holder => holder.querySelector('.main-svg'))"
    )
    return page.locator("[data-figure]").count()


def focus_ring(page: Any) -> dict[str, str]:
    """The focused element's tag, text and the outline that shows where the focus is."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {tag: el.tagName.toLowerCase(), text: el.textContent.trim(),
                    href: el.getAttribute('href') || '', value: el.value || '',
                    outline: `${style.outlineStyle} ${style.outlineWidth}`,
                    html: el.outerHTML.slice(0, 160)};
        }"""
    )


def tab_to(page: Any, wanted: Callable[[dict[str, str]], bool], limit: int = 80) -> dict[str, str]:
    """Press Tab until ``wanted`` holds for the focused element; each stop shows its focus."""
    path = []
    for _press in range(limit):
        page.keyboard.press("Tab")
        focused = focus_ring(page)
        path.append(focused["html"][:80])
        assert focused["outline"] == "solid 3px", "no visible focus after:\n" + "\n".join(path)
        if wanted(focused):
            return focused
    raise AssertionError(f"{limit} presses of Tab never reached the element:\n" + "\n".join(path))


# Reading the dashboard


def test_a_director_logs_in_through_the_form_and_sees_tiles_with_signal_words(
    populated_chain: None, chain_director: User, browser: Browser, screenshot_path: Any
) -> None:
    page = browser.page()
    page.goto("/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Gebruikersnaam").fill("director")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r"/$"))
    tiles = page.locator(".tile")
    assert tiles.count() == 2 * len(TYPICAL), "both chains side by side"
    words = {w.split()[-1] for w in page.locator(".tile .signal").all_inner_texts()}
    assert {"groen", "oranje", "rood"} <= words, words
    assert page.locator(".tile-red").count() > 0
    page.screenshot(path=screenshot_path("login-then-overview"), full_page=True)


def test_the_language_switch_changes_the_interface_text_and_the_number_format(
    populated_chain: None, chain_director: User, browser: Browser
) -> None:
    page = browser.page(user=chain_director)
    page.goto("/?chain=NL")
    latest = latest_complete(clock.today(), MONTH)
    open_cases = IndicatorValue.objects.get(
        indicator_id="open_cases", chain_id="NL", period_type=MONTH, period=latest.label, track=""
    ).value
    english_number = f"{open_cases:,.0f}"
    dutch_number = english_number.replace(",", ".")
    tile = page.locator(".indicator-card", has_text="Werkvoorraad").locator(".tile-value")
    assert tile.inner_text() == dutch_number
    assert page.get_by_role("heading", level=2).first.inner_text().startswith("Zorgvuldig")
    page.get_by_role("button", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "/?chain=NL" in page.url, "the switch stays on the page"
    tile = page.locator(".indicator-card", has_text="Work stock").locator(".tile-value")
    assert tile.inner_text() == english_number
    assert page.get_by_role("heading", level=2).first.inner_text().startswith("A careful")
    assert f"{latest.start:%B %Y}" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_function("document.documentElement.lang === 'nl'")
    assert (
        page.locator(".indicator-card", has_text="Werkvoorraad").locator(".tile-value").inner_text()
        == dutch_number
    )


def test_an_indicator_opened_from_its_tile_shows_its_chart_and_table(
    populated_chain: None, chain_director: User, browser: Browser
) -> None:
    page = browser.page(language="en", user=chain_director)
    page.goto("/?chain=NL")
    card = page.locator(".indicator-card", has_text="Decision lead time (median)")
    card.get_by_role("link", name=re.compile("^Details")).click()
    page.wait_for_url(re.compile(f"/indicators/{LEAD_TIME}/"))
    assert wait_for_charts(page) == 1
    legend = page.locator("#figure-series .legendtext").all_text_contents()
    assert legend == ["All tracks", "Track 1", "Track 2", "Track 3", "Track 4"]
    rows = page.get_by_role("table", name="Values per period").locator("tbody tr")
    assert rows.count() == SERIES_PERIODS
    latest = latest_complete(clock.today(), MONTH)
    last_row = rows.last.locator("th, td").all_inner_texts()
    assert last_row[0] == latest.label
    stored = IndicatorValue.objects.get(
        indicator_id=LEAD_TIME, chain_id="NL", period_type=MONTH, period=latest.label, track=""
    )
    assert last_row[1] == f"{stored.value:,.1f}".removesuffix(".0")
    assert stored.signal in last_row[-1]


def test_the_csv_download_holds_the_header_and_the_values_of_the_page(
    populated_chain: None, chain_director: User, browser: Browser
) -> None:
    page = browser.page(language="en", user=chain_director)
    latest = latest_complete(clock.today(), MONTH)
    page.goto(f"/indicators/applications_lodged/?chain=BE&to={latest.label}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these values as CSV").click()
    path = Path(download.value.path())
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("period,chain,value")
    stored = IndicatorValue.objects.get(
        indicator_id="applications_lodged", chain_id="BE", period_type=MONTH,
        period=latest.label, track="",
    )  # fmt: skip
    assert any(line.startswith(f"{latest.label},BE,{stored.value},") for line in lines)
    assert len(lines) == 1 + SERIES_PERIODS


def test_the_keyboard_alone_reaches_the_content_an_indicator_and_the_language_switch(
    populated_chain: None, chain_director: User, browser: Browser, screenshot_path: Any
) -> None:
    page = browser.page(user=chain_director)
    page.goto("/?chain=NL")
    skip = tab_to(page, lambda focused: True, limit=1)
    assert skip["href"] == "#main"
    page.screenshot(path=screenshot_path("keyboard-skip-link"))
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    details = tab_to(page, lambda focused: "/indicators/" in focused["href"])
    assert details["href"].startswith("/indicators/applications_lodged/")
    page.screenshot(path=screenshot_path("keyboard-focus-on-a-tile-link"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/indicators/applications_lodged/"))
    switch = tab_to(page, lambda focused: focused["value"] == "en")
    assert switch["tag"] == "button"
    page.keyboard.press("Enter")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "/indicators/applications_lodged/" in page.url
    assert page.get_by_role("heading", level=1).inner_text().startswith("Applications lodged")
    region = tab_to(page, lambda focused: focused["text"].startswith("Values per period"))
    assert region["tag"] == "div", "the chart's table scrolls by keyboard"


def test_the_keyboard_alone_sets_the_tiles_against_the_same_period_last_year(
    populated_chain: None, chain_director: User, browser: Browser, screenshot_path: Any
) -> None:
    page = browser.page(language="en", user=chain_director)
    page.goto("/?chain=NL")
    choice = tab_to(page, lambda focused: focused["html"].startswith('<select name="compare"'))
    assert choice["tag"] == "select"
    page.keyboard.press("ArrowDown")
    assert page.locator("#id_compare").input_value() == "previous_year"
    tab_to(page, lambda focused: focused["tag"] == "button" and focused["text"] == "Show")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("compare=previous_year"))
    page.screenshot(path=screenshot_path("keyboard-compare-last-year"), full_page=True)
    assert "the change against the same period last year" in page.locator(".explain").inner_text()
    assert page.locator("#id_compare").input_value() == "previous_year"


# Every page: drawn, accessible, photographed


@dataclass(frozen=True)
class Screen:
    """A page to check: who looks at it, the status it answers and how many charts it draws."""

    name: str
    url: str
    who: str = "administrator"  # or "nobody" (no role) or "anonymous"
    status: int = 200
    charts: int = 0


def screens() -> list[Screen]:
    latest = latest_complete(clock.today(), MONTH)
    return [
        Screen("login", "/accounts/login/", who="anonymous"),
        Screen("overview-nl-month", "/?chain=NL"),
        Screen("overview-nl-week", "/?chain=NL&period_type=week"),
        Screen("overview-be-month", "/?chain=BE"),
        Screen("overview-be-week", "/?chain=BE&period_type=week"),
        Screen("overview-both-month", "/?chain=ALL"),
        Screen("overview-both-week", "/?chain=ALL&period_type=week"),
        Screen("overview-nl-last-year", "/?chain=NL&compare=previous_year"),
        Screen("overview-nl-half-year", "/?chain=NL&period_type=half_year"),
        Screen("indicator-count", f"/indicators/applications_lodged/?to={latest.label}", charts=1),
        Screen("indicator-occupancy", "/indicators/reception_occupancy_rate/?chain=BE", charts=1),
        Screen("indicator-lead-time-weeks", f"/indicators/{LEAD_TIME}/?period_type=week", charts=1),
        Screen(
            "indicator-lead-time-half-years",
            f"/indicators/{LEAD_TIME}/?period_type=half_year",
            charts=1,
        ),
        Screen("flow", "/flow/?chain=NL", charts=2),
        Screen("deadlines", "/deadlines/?chain=NL", charts=2),
        Screen("ingest", "/ingest/"),
        Screen("subscription", "/reports/subscription/"),
        Screen("bad-request", "/?period=2024-13", status=400),
        Screen("no-access", "/", who="nobody", status=403),
    ]


CHART_PAGES = [
    "/flow/?chain=NL", "/deadlines/?chain=NL", "/indicators/reception_occupancy_rate/?chain=BE",
]  # fmt: skip


@pytest.mark.usefixtures("axe")
@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_page_has_serious_or_critical_accessibility_violations(
    populated_chain: None,
    admin_account: User,
    make_user: UserMaker,
    browser: Browser,
    screenshot_path: Any,
    language: str,
) -> None:
    users = {"administrator": admin_account, "nobody": make_user("nobody"), "anonymous": None}
    pages = {who: browser.page(language=language, user=user) for who, user in users.items()}
    found = {}
    for screen in screens():
        page = pages[screen.who]
        assert page.goto(screen.url).status == screen.status, screen.name
        assert page.locator("html").get_attribute("lang") == language
        assert wait_for_charts(page) == screen.charts, screen.name
        page.screenshot(path=screenshot_path(f"{language}-{screen.name}"), full_page=True)
        violations = serious_violations(page)
        if violations:
            found[screen.name] = describe(violations)
    assert not found, "\n\n".join(f"{name} ({language}):\n{text}" for name, text in found.items())


def test_every_chart_has_a_table_of_its_values_that_the_keyboard_opens(
    populated_chain: None, admin_account: User, browser: Browser
) -> None:
    page = browser.page(language="en", user=admin_account)
    for url in CHART_PAGES:
        page.goto(url)
        assert wait_for_charts(page) > 0, url
        for holder in page.locator("[data-figure]").all():
            figure = holder.locator("xpath=ancestor::figure")
            assert "table below" in figure.locator("figcaption").inner_text()
            table = figure.locator("xpath=following::table[1]")
            if not table.is_visible():
                tab_to(page, lambda focused: focused["tag"] == "summary")
                page.keyboard.press("Enter")
            assert table.is_visible(), f"{url}: the table of {holder.get_attribute('id')}"
            drawn = holder.evaluate(
                "el => el.data[0].type === 'sankey' ? el.data[0].link.value.length"
                " : el.data[0].x.length"
            )
            assert table.locator("tbody tr").count() == drawn > 0


# The Content Security Policy


def test_no_page_breaks_the_content_security_policy(
    populated_chain: None, make_user: UserMaker, browser: Browser
) -> None:
    """Every page, the admin and the API docs included, runs under the policy without a report."""
    superuser = make_user("root")
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    subscription = Subscription.objects.create(user=superuser)
    unsubscribe = unsubscribe_url(subscription).removeprefix(settings.SITE_URL)
    pages = {
        **{screen.url: screen.charts for screen in screens() if screen.who == "administrator"},
        "/admin/": 0, "/admin/chain/extract/": 0, "/admin/accounts/organisationapikey/add/": 0,
        unsubscribe: 0,
    }  # fmt: skip
    page = browser.page(language="en", user=superuser)
    reported: list[str] = []
    page.on(
        "console",
        lambda message: (
            reported.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "CSP" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: reported.append(f"{page.url}: {error}"))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', event => console.error("
        "`CSP violation: ${event.violatedDirective} ${event.blockedURI} ${event.sample}`))"
    )
    for url, charts in pages.items():
        answer = page.goto(url)
        assert answer.status in {200, 400}, url
        assert "default-src 'self'" in answer.header_value("content-security-policy"), url
        assert wait_for_charts(page) == charts, url
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert page.locator(".swagger-ui .opblock").count() > 5, "the docs list the operations"
    assert reported == [], "\n".join(dict.fromkeys(r[:300] for r in reported))
