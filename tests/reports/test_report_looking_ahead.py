"""The weekly report looks ahead: under the baseline scenario, the open cases past their term
and the reception occupancy in three months, and whether either crosses a signal band."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.contrib.auth.models import User

from chain.models import Indicator, SignalBand
from chain.periods import MONTH, WEEK, latest_complete
from reports.content import build_report
from reports.mail import compose
from reports.models import Subscription
from scenarios.outlook import looking_ahead
from tests.scenario_web import TODAY, build_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(catalogue: None) -> Iterator[None]:
    with time_machine.travel(TODAY, tick=True):
        build_history(compute=True)
        yield


def test_the_outlook_is_three_months_after_the_last_complete_month(history) -> None:
    outlook = looking_ahead(chain="NL")
    assert outlook is not None
    assert outlook.over_term.p10 is not None and outlook.over_term.p90 is not None
    assert outlook.over_term.p50 is not None and outlook.occupancy.now is not None
    assert outlook.occupancy.p50 is not None
    assert (outlook.origin, outlook.month) == ("2025-12", "2026-03")
    assert outlook.over_term.p10 <= outlook.over_term.p50 <= outlook.over_term.p90
    # 150 places in reception, measured in 2024: occupancy as a share of them.
    assert 0 < outlook.occupancy.p50 < 1 and 0 < outlook.occupancy.now < 1
    assert looking_ahead(chain="NL") == outlook  # a fixed seed: the same report twice


def test_a_chain_without_data_has_no_outlook(catalogue: None) -> None:
    assert looking_ahead(chain="BE") is None


def test_the_report_says_when_a_figure_crosses_into_another_band(history) -> None:
    over_term = Indicator.objects.get(code="open_cases_over_term")
    outlook = looking_ahead(chain="NL")
    assert outlook is not None
    now, ahead = outlook.over_term.now, outlook.over_term.p50
    assert now is not None and ahead is not None
    assert ahead < now  # the stock past its term is being worked off
    # Green up to halfway between today's value and the median in three months, red beyond.
    over_term.bands.all().delete()
    SignalBand.objects.create(indicator=over_term, chain_id="NL", position=0, signal="green",
                              upper=(now + ahead) / 2)  # fmt: skip
    SignalBand.objects.create(indicator=over_term, chain_id="NL", position=1, signal="red")
    week = latest_complete(TODAY, WEEK)
    report = build_report(chains=["NL"], week=week, language="en")
    assert report.chains[0].outlook is not None
    [row, occupancy] = report.chains[0].outlook.rows
    assert row.name == "Open cases past their legal term"
    assert (row.signal_now, row.signal_ahead, row.crosses) == ("red", "green", True)
    assert occupancy.crosses is False
    user = User.objects.create_user("d", email="d@keten.example")
    message = compose(subscription=Subscription.objects.create(user=user, language="en"),
                      report=report)  # fmt: skip
    text = str(message.body)
    assert "Looking ahead: 2026-03 under the baseline scenario" in text
    assert "A figure crosses into another signal band if the baseline holds." in text
    html = str(message.alternatives[0][0])
    assert "Looking ahead: 2026-03 under the baseline scenario" in html
    assert "(now red)" in html
    assert latest_complete(TODAY, MONTH).label == "2025-12"


def test_the_dutch_report_looks_ahead_in_dutch(history) -> None:
    week = latest_complete(TODAY, WEEK)
    report = build_report(chains=["NL"], week=week, language="nl")
    user = User.objects.create_user("d", email="d@keten.example")
    message = compose(subscription=Subscription.objects.create(user=user, language="nl"),
                      report=report)  # fmt: skip
    assert "Vooruitblik: 2026-03 bij het basisscenario" in str(message.body)
