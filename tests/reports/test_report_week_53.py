"""The weekly report sent on Monday 4 January 2027 is about ISO week 2026-W53.

The chain and its answers are in tests/week_53.py; it is computed on 11 January 2027.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from reports.models import ReportDelivery
from tests import week_53
from tests.reports.test_weekly_report import parts

pytestmark = pytest.mark.django_db


def test_the_report_sent_on_the_monday_after_week_53_is_about_week_53(
    new_year_chain, subscriber, smtp
) -> None:
    out = StringIO()
    with time_machine.travel(week_53.END_OF_WEEK_53, tick=True):
        call_command("send_weekly_reports", stdout=out)
    assert json.loads(out.getvalue()) == {"week": "2026-W53", "sent": 1, "failed": 0}
    assert ReportDelivery.objects.get().week == "2026-W53"
    [message] = smtp.messages
    assert message["Subject"].startswith("Chain report week 2026-W53")
    text = parts(message)["text/plain"]
    assert "28 December 2026 \u2013 3 January 2027" in text
    assert "  Applications lodged: 4 (+3) [no signal]\n" in text  # from 1 in 2026-W52
    assert "  Decision lead time (median): 3 [green]\n" in text
    assert "  Work stock: open cases: 4 (+3) [no signal]\n" in text


def test_the_report_sent_a_week_later_is_about_week_1_of_2027(
    new_year_chain, subscriber, smtp
) -> None:
    out = StringIO()
    call_command("send_weekly_reports", stdout=out)  # on 11 January 2027
    assert json.loads(out.getvalue())["week"] == "2027-W01"
