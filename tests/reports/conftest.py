"""A real SMTP server (aiosmtpd), a constructed chain week and three constructed halves of a
year for the report tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import User
from django.test import override_settings

from chain.models import EventOfNote, IndicatorValue
from chain.periods import HALF_YEAR, Period, latest_complete, same_period_years_before
from reports.models import Subscription


@dataclass
class Inbox:
    """What the SMTP server received."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@contextmanager
def running_smtp(inbox: Inbox) -> Iterator[int]:
    """An aiosmtpd server on a free local port; yields the port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(request) -> Iterator[tuple[Inbox, str]]:
    """A stalling SMTP server for another process, and the EMAIL_URL that reaches it."""
    from tests.reports.test_exactly_once import StallingInbox

    inbox = StallingInbox()
    with running_smtp(inbox) as port:
        yield inbox, f"smtp://127.0.0.1:{port}"


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    """An SMTP server on a free local port, and Django sending to it."""
    inbox = Inbox()
    with running_smtp(inbox) as port, override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1", EMAIL_PORT=port,
        EMAIL_USE_TLS=False, EMAIL_USE_SSL=False, SITE_URL="https://keten.example",
    ):  # fmt: skip
        yield inbox


def store(code: str, chain: str, period, value: float | None, signal: str) -> None:
    IndicatorValue.objects.update_or_create(
        indicator_id=code, chain_id=chain, period_type="week", period=period.label, track="",
        nationality="",
        defaults={"period_start": period.start, "period_end": period.end, "value": value,
                  "n": 10, "signal": signal},
    )  # fmt: skip


@pytest.fixture
def constructed_week(catalogue, week_reported: Period) -> None:
    """Twelve weeks of NL values; in the reported week lead time turns red, no-shows recover."""
    period = week_reported
    for back in range(12):
        red = back == 0
        store(
            "decision_lead_time_median",
            "NL",
            period,
            300.0 if red else 200.0,
            "red" if red else "amber",
        )
        store(
            "hearing_no_show_rate", "NL", period, 0.04 if red else 0.08, "green" if red else "amber"
        )
        store("applications_lodged", "NL", period, 700.0 + back, "none")
        period = period.previous()


@pytest.fixture
def subscriber(db) -> Subscription:
    user = User.objects.create_user("director", email="director@keten.example")
    return Subscription.objects.create(user=user, chain="NL", language="en")


# Open cases past their term, NL: two years before, one year before, the half-year itself.
OVER_TERM = (1500.0, 1234.0, 1012.0)
# Decisions within the term, NL: a share that rises by 3.5 percentage points in the last year.
WITHIN_TERM = (0.78, 0.8, 0.835)


@pytest.fixture
def half(today: date) -> Period:
    """The half-year reported: the last one that has ended."""
    return latest_complete(today, HALF_YEAR)


def store_half(code: str, chain: str, period: Period, value: float, signal: str) -> None:
    IndicatorValue.objects.update_or_create(
        indicator_id=code, chain_id=chain, period_type=HALF_YEAR, period=period.label, track="",
        nationality="",
        defaults={"period_start": period.start, "period_end": period.end, "value": value,
                  "n": 100, "signal": signal},
    )  # fmt: skip


@pytest.fixture
def halves(catalogue: None, half: Period) -> list[Period]:
    """Known values of three halves in NL, and events of note in and outside the half-year."""
    periods = [same_period_years_before(half, years) for years in (2, 1, 0)]
    for period, over, within, signal in zip(
        periods, OVER_TERM, WITHIN_TERM, ("red", "amber", "green"), strict=True
    ):
        store_half("open_cases_over_term", "NL", period, over, signal)
        store_half("decisions_within_term_share", "NL", period, within, signal)
    EventOfNote.objects.create(
        code="in-the-half", chain_id="NL", start=half.start + timedelta(days=40),
        title_nl="Tijdelijke wet opschorting dwangsommen", title_en="Penalty payments suspended",
    )  # fmt: skip
    EventOfNote.objects.create(
        code="before-the-half", chain_id="NL", start=half.start - timedelta(days=40),
        title_nl="Een eerdere gebeurtenis", title_en="An earlier event",
    )  # fmt: skip
    return periods
