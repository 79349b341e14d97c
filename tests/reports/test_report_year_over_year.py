"""The weekly report sets last week beside the same week a year before, and the week before.

The chain and its answers are in tests/year_over_year.py: 2026-W53 had 4 applications, the week
before 1, and 2025-W52 (the last week of 2025, which has no week 53) 2.
"""

from __future__ import annotations

from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from chain.indicators.engine import compute_all
from chain.periods import WEEK, parse_period
from ingest.services import ingest_file
from reports.content import build_report
from tests import week_53, year_over_year
from tests.reports.test_weekly_report import parts

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_years(catalogue, write_extract) -> None:
    with time_machine.travel(year_over_year.MID_FEBRUARY_2027, tick=True):
        ingest_file(partner="IND", path=write_extract("ind.csv", year_over_year.extract()))
        compute_all()


def test_week_53_is_set_beside_the_last_week_of_the_year_before(three_years) -> None:
    report = build_report(chains=["NL"], week=parse_period("2026-W53", WEEK), language="en")
    [row] = [r for r in report.chains[0].rows if r.indicator.code == "applications_lodged"]
    assert (row.value, row.change, row.direction) == ("4", "+3", "up")
    assert (row.year_week, row.year_change, row.year_direction) == ("2025-W52", "+2", "up")


def test_a_week_without_a_value_a_year_before_has_no_change_against_it(three_years) -> None:
    report = build_report(chains=["NL"], week=parse_period("2027-W01", WEEK), language="en")
    [row] = [r for r in report.chains[0].rows if r.indicator.code == "decision_lead_time_median"]
    assert (row.year_week, row.year_change, row.year_direction) == ("2026-W01", "", "")


def test_the_mail_shows_both_changes(three_years, subscriber, smtp) -> None:
    with time_machine.travel(week_53.END_OF_WEEK_53, tick=True):
        call_command("send_weekly_reports", stdout=StringIO())
    [message] = smtp.messages
    text = parts(message)["text/plain"]
    assert "  Applications lodged: 4 (+3) (+2 since 2025-W52) [no signal]\n" in text
    html = parts(message)["text/html"]
    assert "Since 2025-W52" in html
