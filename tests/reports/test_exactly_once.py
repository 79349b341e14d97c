"""Beat fires twice, a worker dies halfway: every subscriber still gets exactly one report."""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from reports.models import ReportDelivery, Subscription
from reports.tasks import send_weekly_reports
from tests.reports.conftest import Inbox
from tests.workers import start_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SUBSCRIBERS = 4


class StallingInbox(Inbox):
    """Holds the second message's sender before it sends any data, so it can be killed there."""

    def __init__(self) -> None:
        super().__init__()
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if len(self.messages) == 1 and not self.release.is_set():
            self.stalled.set()
            await _wait(self.release)
        envelope.rcpt_tos.append(address)
        return "250 OK"


async def _wait(event: threading.Event) -> None:
    import asyncio

    while not event.is_set():
        await asyncio.sleep(0.05)


def test_each_subscriber_gets_exactly_one_report(smtp_server, monkeypatch) -> None:
    inbox, email_url = smtp_server
    call_command("load_catalogue", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    for i in range(SUBSCRIBERS):
        user = User.objects.create_user(f"d{i}", email=f"d{i}@keten.example")
        Subscription.objects.create(user=user, chain="NL", language="en")
    from psi.celery import app

    app.control.purge()
    env = {"EMAIL_URL": email_url, "SITE_URL": "https://keten.example"}
    worker = start_worker(**env)
    try:
        send_weekly_reports.delay()
        send_weekly_reports.delay()  # beat fired twice
        wait_for(inbox.stalled.is_set, 60, "the worker to reach the second report")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    inbox.release.set()
    assert len(inbox.messages) == 1
    assert ReportDelivery.objects.filter(status="sending").count() == 1

    # The next worker takes over the dead one's claim at once (timeout 0) and finishes the run.
    worker = start_worker(**env, REPORT_CLAIM_TIMEOUT_MINUTES="0")
    try:
        send_weekly_reports.delay()
        wait_for(
            lambda: ReportDelivery.objects.filter(status="sent").count() == SUBSCRIBERS,
            60, "every report to be sent",
        )  # fmt: skip
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    app.control.purge()
    received = Counter(rcpt for _, rcpts in inbox.envelopes for rcpt in rcpts)
    assert received == {f"d{i}@keten.example": 1 for i in range(SUBSCRIBERS)}
