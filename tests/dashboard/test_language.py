"""Dutch by default, English one click away: the catalogues, the pages, numbers, the report.

The catalogues are checked as files (every Dutch message translated, the committed ``.mo`` the
compiled ``.po``, the ``.po`` holding every message of the source); the pages and the report are
rendered in both languages and checked against the catalogue itself.
"""

from __future__ import annotations

import ast
import gettext
import html
import re
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import formats, translation

from accounts.access import ADMINISTRATOR, CHAIN_DIRECTOR
from chain import clock
from chain.formatting import change_between, format_number, period_title
from chain.models import Case, CaseFact
from chain.periods import MONTH, WEEK, parse_period, period_containing
from chain.selectors import Flow
from dashboard.figures import flow_figure
from reports.content import build_report
from reports.mail import compose, unsubscribe_url
from reports.models import Subscription
from tests.api.conftest import PARTNERS, make_extract, make_rejection, store_value
from tests.dashboard.conftest import UserMaker, client_of, figure_of
from tests.reports.conftest import store

LOCALE = Path(settings.BASE_DIR) / "locale"
LEAD_TIME = "decision_lead_time_median"


# The catalogues as files


@dataclass(frozen=True)
class Message:
    """One entry of a ``.po`` file."""

    context: str | None
    msgid: str
    plural: str | None
    msgstr: list[str]
    fuzzy: bool


def read_po(path: Path) -> list[Message]:
    """The entries of a ``.po`` file, the header (empty msgid) included."""
    messages = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line.startswith("#~"):
                break  # an obsolete entry: not part of the catalogue
            if line.startswith("#"):
                continue
            found = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line)
            if found:
                key = found.group(1)
                fields[key] = ast.literal_eval(found.group(2))
            elif key:
                fields[key] += ast.literal_eval(line)
        if "msgid" not in fields:
            continue
        strings = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
        fuzzy = any(c.startswith("#,") and "fuzzy" in c for c in block.splitlines())
        messages.append(
            Message(fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural"), strings,
                    fuzzy)
        )  # fmt: skip
    return messages


def messages_of(language: str) -> list[Message]:
    """The messages of a language's catalogue, without the header."""
    return [m for m in read_po(LOCALE / language / "LC_MESSAGES" / "django.po") if m.msgid]


def test_every_dutch_message_is_translated_and_none_is_fuzzy() -> None:
    messages = read_po(LOCALE / "nl" / "LC_MESSAGES" / "django.po")
    header, entries = messages[0], messages[1:]
    assert header.msgid == "" and not header.fuzzy
    assert "Language: nl" in header.msgstr[0]
    assert len(entries) > 150
    untranslated = [m.msgid for m in entries if not all(s.strip() for s in m.msgstr)]
    assert untranslated == [], f"locale/nl/LC_MESSAGES/django.po leaves these empty: {untranslated}"
    assert [m.msgid for m in entries if m.fuzzy] == []


def test_the_english_catalogue_holds_the_same_messages_as_the_dutch_one() -> None:
    def keys(language: str) -> set[tuple[str | None, str]]:
        return {(m.context, m.msgid) for m in messages_of(language)}

    assert keys("en") == keys("nl")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_committed_mo_file_is_the_compiled_po_file(language: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for m in messages_of(language):
        if m.plural:
            shown = [compiled.npgettext(m.context, m.msgid, m.plural, n) if m.context
                     else compiled.ngettext(m.msgid, m.plural, n) for n in (1, 2)]  # fmt: skip
            wanted = [s or (m.msgid, m.plural)[i] for i, s in enumerate(m.msgstr)]
        else:
            shown = [compiled.pgettext(m.context, m.msgid) if m.context
                     else compiled.gettext(m.msgid)]  # fmt: skip
            wanted = [m.msgstr[0] or m.msgid]
        if shown != wanted:
            stale.append(m.msgid)
    assert stale == [], f"{folder}/django.mo is older than django.po; run compilemessages"


def test_the_catalogue_holds_every_message_of_the_source(tmp_path: Path, monkeypatch) -> None:
    """A string wrapped for translation but not in the catalogue would show in English."""
    if shutil.which("xgettext") is None:
        pytest.skip("makemessages needs xgettext (apt-get install gettext)")
    # makemessages writes beside the sources it reads, so it runs on a copy of them.
    source = tmp_path / "source"
    shutil.copytree(
        settings.BASE_DIR, source,
        ignore=shutil.ignore_patterns(".*", "var", "tests", "locale", "static", "staticfiles",
                                      "test-output", "bench-output", "*.egg-info", "__pycache__"),
    )  # fmt: skip
    monkeypatch.chdir(source)
    with override_settings(LOCALE_PATHS=[source / "locale"]):
        call_command("makemessages", locale=["nl"], verbosity=0)
    extracted = read_po(source / "locale" / "nl" / "LC_MESSAGES" / "django.po")
    wanted = {(m.context, m.msgid) for m in extracted if m.msgid}
    held = {(m.context, m.msgid) for m in messages_of("nl")}
    assert wanted - held == set(), "new messages: run makemessages and translate them"
    assert held - wanted == set(), "messages no longer in the source: run makemessages"


# The pages


@pytest.fixture
def chain_data(catalogue, make_user: UserMaker) -> None:
    """Values, deliveries with rejections, and an open case: every page has something to show."""
    for partner in PARTNERS:
        make_extract(partner)
    ind = make_extract("IND", name="ind_20240308.csv", status="partially_accepted", rejected=1)
    make_rejection(ind, 7, field="datum", reason="31-02-2024 is not a date")
    store_value(LEAD_TIME, "2024-02", 1000.0, signal="amber")
    store_value(LEAD_TIME, "2024-03", 1234.5, signal="red")
    today = clock.today()
    CaseFact.objects.create(
        case=Case.objects.create(chain_id="NL", person_key="open"), chain_id="NL",
        lodged=date(2024, 1, 5), deadline=today.replace(day=1), first_event=date(2024, 1, 5),
        last_event=today,
    )  # fmt: skip
    make_user("director", CHAIN_DIRECTOR)
    make_user("admin", ADMINISTRATOR)
    make_user("nobody")


PAGES = {
    "overview": ("director", reverse("dashboard:overview") + "?chain=NL&period=2024-03"),
    "indicator": ("director", reverse("dashboard:indicator", args=[LEAD_TIME]) + "?to=2024-03"),
    "flow": ("director", reverse("dashboard:flow")),
    "deadlines": ("director", reverse("dashboard:deadlines")),
    "scenarios": ("director", reverse("dashboard:scenarios")),
    "ingest": ("admin", reverse("dashboard:ingest")),
    "subscription": ("director", reverse("dashboard:subscription")),
    "bad request": ("director", reverse("dashboard:overview") + "?period=2024-13"),
    "no access": ("nobody", reverse("dashboard:overview")),
    "login": (None, reverse("login")),
    "open data": (None, reverse("opendata:index")),
}


class ReadableText(HTMLParser):
    """The text a reader or a screen reader gets: text outside scripts, and labelling attributes."""

    LABELS = ("aria-label", "alt", "title", "placeholder")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_script = tag in ("script", "style")
        self.parts.extend(f" {value} " for name, value in attrs if name in self.LABELS and value)

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False

    def handle_data(self, data: str) -> None:
        if not self.in_script:
            self.parts.append(data)

    @classmethod
    def of(cls, page: str) -> str:
        parser = cls()
        parser.feed(page)
        return " ".join("".join(parser.parts).split())


def page(who: str | None, url: str, language: str) -> str:
    """A page as the user ``who`` (None: anonymous) gets it in ``language``."""
    client = (
        client_of(User.objects.get(username=who), language)
        if who
        else Client(HTTP_ACCEPT_LANGUAGE=language)
    )
    response = client.get(url)
    assert response.status_code in (200, 400, 403), url
    return response.content.decode()


# Short words (Status, Details) may read the same in both languages or hide in other words;
# a message with a context shares its English with another message that is translated apart.
SAMPLE_MIN_LENGTH = 8


@pytest.mark.parametrize("name", list(PAGES))
def test_a_page_in_dutch_shows_the_dutch_of_every_english_text_it_shows_in_english(
    chain_data, name: str
) -> None:
    who, url = PAGES[name]
    english_page, dutch_page = page(who, url, "en"), page(who, url, "nl")
    assert '<html lang="nl">' in dutch_page and '<html lang="en">' in english_page
    english, dutch = ReadableText.of(english_page), ReadableText.of(dutch_page)
    sample = [
        m for m in messages_of("nl")
        if not m.plural and not m.context and "%" not in m.msgid
        and len(m.msgid) >= SAMPLE_MIN_LENGTH
        and m.msgid != m.msgstr[0] and m.msgid in english
    ]  # fmt: skip
    assert len(sample) >= 3, f"too few catalogue texts on the English {name} page to compare"
    left_in_english = [m.msgid for m in sample if m.msgid in dutch]
    missing = [m.msgstr[0] for m in sample if m.msgstr[0] not in dutch]
    assert (left_in_english, missing) == ([], [])


def test_the_language_button_switches_the_page_to_english_and_back(chain_data) -> None:
    client = client_of(User.objects.get(username="director"), "nl")
    overview = reverse("dashboard:overview")
    assert "<h1>Ketendoelen: NL en BE" in client.get(overview).content.decode()
    for language, heading in (("en", "<h1>Chain goals: NL and BE"), ("nl", "<h1>Ketendoelen")):
        switched = client.post(reverse("set_language"), {"language": language, "next": overview})
        assert switched.status_code == 302 and switched["Location"] == overview
        assert heading in client.get(overview).content.decode()


def test_goal_indicator_and_stage_names_come_in_the_pages_language(chain_data) -> None:
    _, url = PAGES["indicator"]
    dutch, english = page("director", url, "nl"), page("director", url, "en")
    assert "<h1>Doorlooptijd tot beslissing (mediaan)" in dutch
    assert "<h1>Decision lead time (median)" in english
    assert "Van april 2022 tot en met maart 2024" in dutch
    assert "From April 2022 to March 2024" in english
    series = figure_of(dutch, "series")
    assert series["layout"]["separators"] == ",."
    assert series["layout"]["yaxis"]["title"]["text"] == "dagen"
    assert series["data"][0]["name"] == "Alle sporen"


def test_the_flow_figure_names_the_stages_in_dutch() -> None:
    with translation.override("nl"):
        sankey = flow_figure([Flow(source="lodged", target="rejected", value=3)]).data[0]
    assert list(sankey.node.label) == ["Aanvraag ingediend", "Afgewezen"]
    assert sankey.link.hovertemplate.startswith("%{source.label} naar %{target.label}")


# Numbers and dates


@pytest.mark.parametrize(
    ("language", "days", "share", "day", "month", "moment"),
    [
        ("nl", "1.234,5", "12,5 %", "23 november 2026", "november 2026", "23 november 2026 14:30"),
        ("en", "1,234.5", "12.5 %", "23 November 2026", "November 2026", "23 November 2026, 14:30"),
    ],
)  # fmt: skip
def test_numbers_and_dates_are_written_the_languages_way(
    language: str, days: str, share: str, day: str, month: str, moment: str
) -> None:
    with translation.override(language):
        assert format_number(1234.5, "days") == days
        assert format_number(0.125, "share") == share
        assert formats.date_format(date(2026, 11, 23)) == day
        assert period_title(parse_period("2026-11", MONTH)) == month
        assert formats.date_format(datetime(2026, 11, 23, 14, 30), "DATETIME_FORMAT") == moment


def test_a_change_is_described_in_dutch() -> None:
    with translation.override("nl"):
        change = change_between(
            1234.5, 1000.0, unit="days", direction="lower", since=parse_period("2024-02", MONTH)
        )
        week = period_title(parse_period("2024-W12", WEEK))
    assert change is not None
    assert change.description == "gestegen met 234,5 sinds februari 2024 (slechter)"
    assert week == "week 12, 2024"


def test_a_change_too_small_to_show_reads_as_unchanged() -> None:
    with translation.override("nl"):
        change = change_between(
            0.9012, 0.9011, unit="share", direction="higher", since=parse_period("2024-02", MONTH)
        )
    assert change is not None
    assert change.arrow == "→"
    assert change.description == "ongewijzigd sinds februari 2024"


# The weekly report

# A week whose Dutch dates the test spells out; the report takes the week it is given.
KNOWN_WEEK = period_containing(date(2026, 11, 16), WEEK)


def test_the_report_for_a_dutch_subscriber_is_written_in_dutch(catalogue) -> None:
    store(LEAD_TIME, "NL", KNOWN_WEEK.previous(), 200.0, "amber")
    store(LEAD_TIME, "NL", KNOWN_WEEK, 1300.0, "red")
    user = User.objects.create_user("lezer", email="lezer@keten.example")
    subscription = Subscription.objects.create(user=user, chain="NL", language="nl")
    report = build_report(chains=["NL"], week=KNOWN_WEEK, language="nl")
    message = compose(subscription=subscription, report=report)
    text, page_html = message.body, html.unescape(str(message.alternatives[0][0]))
    assert message.subject == f"Ketenrapportage week {KNOWN_WEEK.label} — 1 signaal verslechterd"
    for part in (text, page_html):
        assert "Signaalwijzigingen sinds de vorige rapportage" in part
        assert "Doorlooptijd tot beslissing (mediaan)" in part
        assert "1.300" in part
        assert "Afmelden" in part
        assert "Signal changes" not in part and "Unsubscribe" not in part
    assert "Doorlooptijd tot beslissing (mediaan): oranje -> rood" in text
    assert "16 november 2026 \u2013 22 november 2026" in text


def test_the_unsubscribe_page_answers_in_the_language_of_the_email(db) -> None:
    user = User.objects.create_user("lezer", email="lezer@keten.example")
    subscription = Subscription.objects.create(user=user, chain="NL", language="nl")
    link = unsubscribe_url(subscription).removeprefix(settings.SITE_URL)
    answer = Client(HTTP_ACCEPT_LANGUAGE="en").post(link).content.decode()
    assert '<html lang="nl">' in answer
    assert "lezer@keten.example ontvangt de wekelijkse ketenrapportage niet meer." in answer
