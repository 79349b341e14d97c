"""The weekly report, sent to a real SMTP server and read back as a mail client would."""

from __future__ import annotations

import json
import logging
import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client, override_settings

from accounts.access import may_view_dashboards
from chain.models import IndicatorValue
from chain.periods import Period
from reports import charts
from reports.content import build_report
from reports.models import ReportDelivery, Subscription
from reports.sending import deliver, render_week, schedule_week
from reports.tasks import MAX_RETRIES, send_report
from tests.reports.conftest import store

pytestmark = pytest.mark.django_db


def send_one(week: Period) -> None:
    [delivery_id] = schedule_week(week=week)
    assert deliver(delivery_id=delivery_id)


def parts(message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_content().replace("\r\n", "\n")
        for part in message.walk()
        if part.get_content_type() in ("text/plain", "text/html")
    }


def test_it_sends_both_parts_and_inline_images_to_the_subscriber(
    smtp, constructed_week, subscriber, week_reported
) -> None:
    send_one(week_reported)
    [message] = smtp.messages
    assert smtp.envelopes[0][1] == ["director@keten.example"]
    assert message["Subject"] == f"Chain report week {week_reported.label} — 1 signal got worse"
    text, html = parts(message)["text/plain"], parts(message)["text/html"]
    assert "Decision lead time (median)" in text
    cids = set(re.findall(r'src="cid:([^"]+)"', html))
    assert cids == {
        "decision_lead_time_median-NL@ketendashboard",
        "hearing_no_show_rate-NL@ketendashboard",
    }
    images = {
        p["Content-ID"].strip("<>"): p
        for p in message.walk()
        if p.get_content_type() == "image/png"
    }
    assert set(images) == cids
    assert all(p.get_content()[:8] == b"\x89PNG\r\n\x1a\n" for p in images.values())
    assert not re.search(r'src="https?:', html), "no external resources in the mail"


def test_the_summary_names_what_turned_red_and_what_recovered(
    smtp, constructed_week, subscriber, week_reported
) -> None:
    send_one(week_reported)
    text = parts(smtp.messages[0])["text/plain"]
    summary = text.split("Signal changes since the previous report:")[1].split("\n\n")[0]
    assert "- Decision lead time (median): amber -> red" in summary
    assert "- Hearing no-show rate improved: amber -> green" in summary
    assert "Applications lodged" not in summary


def test_it_writes_the_report_in_dutch_for_a_dutch_subscriber(
    smtp, constructed_week, subscriber, week_reported
) -> None:
    subscriber.language = "nl"
    subscriber.save()
    send_one(week_reported)
    text = parts(smtp.messages[0])["text/plain"]
    assert "Doorlooptijd tot beslissing (mediaan)" in text
    assert "1.400" not in text  # values are the constructed ones, formatted the Dutch way
    assert "700" in text


def test_the_unsubscribe_link_works_without_a_login(
    smtp, constructed_week, subscriber, week_reported
) -> None:
    send_one(week_reported)
    message = smtp.messages[0]
    header = message["List-Unsubscribe"].strip().strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header in parts(message)["text/plain"]
    path = header.removeprefix("https://keten.example")
    # What a mail client's one-click sends (RFC 8058): no session, no CSRF token.
    answer = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 200
    assert b"no longer receives" in answer.content
    assert not Subscription.objects.get(pk=subscriber.pk).active


def test_a_report_whose_chart_fails_is_still_sent_with_its_table(
    smtp, constructed_week, subscriber, monkeypatch, week_reported
) -> None:
    def broken(**kwargs: object) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr("reports.mail.draw_chart", broken)
    send_one(week_reported)
    html = parts(smtp.messages[0])["text/html"]
    assert "could not be drawn" in html
    assert "cid:" not in html
    assert "Decision lead time (median)" in html


def test_a_failed_smtp_delivery_is_recorded_and_visible(
    constructed_week, subscriber, week_reported
) -> None:
    [delivery_id] = schedule_week(week=week_reported)
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=9, EMAIL_TIMEOUT=2,
    ), pytest.raises(OSError):  # fmt: skip
        deliver(delivery_id=delivery_id, final_attempt=True)
    delivery = ReportDelivery.objects.get(pk=delivery_id)
    assert delivery.status == "failed"
    assert delivery.attempts == 1
    assert "Connection refused" in delivery.last_error

    admin = User.objects.create_superuser("admin", password="x")
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/reports/reportdelivery/", {"status__exact": "failed"})
    assert page.status_code == 200
    assert "Connection refused" in page.content.decode()
    assert "director" in page.content.decode()


def test_it_marks_a_delivery_failed_at_once_when_the_report_does_not_render(
    smtp, constructed_week, subscriber, monkeypatch, caplog, week_reported
) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("template exploded")

    monkeypatch.setattr("reports.mail.render_to_string", broken)
    [delivery_id] = schedule_week(week=week_reported)
    with caplog.at_level(logging.ERROR, logger="reports.sending"):
        result = send_report.apply(args=[delivery_id])
    assert result.failed(), "the task fails as it is, without a retry"
    delivery = ReportDelivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.last_error == "RuntimeError: template exploded"
    [record] = [r for r in caplog.records if r.name == "reports.sending"]
    assert record.exc_info and "template exploded" in caplog.text
    assert smtp.messages == []
    assert schedule_week(week=week_reported) == [], "a failed delivery is not sent later"


def test_a_mail_error_is_retried_before_the_delivery_shows_as_failed(
    constructed_week, subscriber, week_reported
) -> None:
    [delivery_id] = schedule_week(week=week_reported)
    # An eager task runs its retries at once, ignoring the back-off's countdown.
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=9, EMAIL_TIMEOUT=2,
    ):  # fmt: skip
        assert send_report.apply(args=[delivery_id]).get() is False
    delivery = ReportDelivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.attempts) == ("failed", MAX_RETRIES + 1)
    assert "Connection refused" in delivery.last_error


def test_a_delivery_to_an_account_without_an_address_fails_visibly(
    smtp, constructed_week, subscriber, week_reported
) -> None:
    User.objects.filter(pk=subscriber.user_id).update(email="")
    [delivery_id] = schedule_week(week=week_reported)
    with pytest.raises(ValueError):
        deliver(delivery_id=delivery_id)
    delivery = ReportDelivery.objects.get(pk=delivery_id)
    assert delivery.status == "failed"
    assert delivery.last_error == "ValueError: the account has no e-mail address"
    assert smtp.messages == []


def test_the_report_shows_totals_and_no_nationality_cell(
    smtp, constructed_week, subscriber, week_reported: Period
) -> None:
    week = {"period_start": week_reported.start, "period_end": week_reported.end}
    for nationality, value, n, suppressed in (("SYR", 697.0, 697, ""), ("ERI", None, 3, "primary")):
        IndicatorValue.objects.create(
            indicator_id="applications_lodged", chain_id="NL", period_type="week",
            period=week_reported.label, nationality=nationality, value=value, n=n,
            suppressed=suppressed, **week,
        )  # fmt: skip
    send_one(week_reported)
    text, html = parts(smtp.messages[0])["text/plain"], parts(smtp.messages[0])["text/html"]
    assert "700" in text  # the week's total of applications
    for body in (text, html):
        assert not re.search(r"\b(SYR|ERI|697)\b", body)


def test_a_deactivated_account_gets_no_weekly_report(
    smtp, constructed_week, subscriber, tmp_path: Path, week_reported: Period
) -> None:
    User.objects.filter(pk=subscriber.user_id).update(is_active=False)
    assert schedule_week(week=week_reported) == []
    assert not ReportDelivery.objects.exists()
    assert render_week(week=week_reported, folder=tmp_path) == []
    assert smtp.messages == []


def test_an_account_deactivated_after_scheduling_is_not_sent_its_report(
    smtp, constructed_week, subscriber, week_reported: Period
) -> None:
    [delivery_id] = schedule_week(week=week_reported)
    User.objects.filter(pk=subscriber.user_id).update(is_active=False)
    assert deliver(delivery_id=delivery_id) is False
    assert smtp.messages == []
    assert ReportDelivery.objects.get(pk=delivery_id).status == "pending"
    assert schedule_week(week=week_reported) == [], "nor is it queued again"


def test_a_second_beat_run_adds_no_delivery(constructed_week, subscriber, week_reported) -> None:
    assert len(schedule_week(week=week_reported)) == 1
    assert len(schedule_week(week=week_reported)) == 1
    assert ReportDelivery.objects.count() == 1


def test_a_sent_report_is_not_sent_again(smtp, constructed_week, subscriber, week_reported) -> None:
    send_one(week_reported)
    assert schedule_week(week=week_reported) == []
    delivery = ReportDelivery.objects.get()
    assert deliver(delivery_id=delivery.pk) is False
    assert len(smtp.messages) == 1


def test_a_dry_run_renders_every_report_to_files(
    constructed_week, subscriber, tmp_path: Path
) -> None:
    out = StringIO()
    call_command("send_weekly_reports", "--dry-run", "--out", str(tmp_path), stdout=out)
    [eml] = json.loads(out.getvalue())["rendered"]
    assert Path(eml).read_bytes().startswith(b"Content-Type: multipart/related")
    assert not ReportDelivery.objects.exists()


def test_the_subscribe_command_creates_a_user_who_cannot_log_in_yet(db) -> None:
    out = StringIO()
    call_command("subscribe", "--email", "new@keten.example", "--chain", "ALL", stdout=out)
    user = User.objects.get(email="new@keten.example")
    subscription = user.report_subscription
    assert (subscription.chains, subscription.language) == (["NL", "BE"], "nl")
    assert not user.has_usable_password()
    assert not may_view_dashboards(user)
    assert (
        "created user new@keten.example: receives the report, but cannot log in until an "
        "administrator gives the account a password and a dashboard role"
    ) in out.getvalue()


def test_charts_draw_bands_as_shaded_ranges(constructed_week) -> None:
    from chain.models import Indicator
    from chain.selectors import bands_for, indicator_series

    indicator = Indicator.objects.get(code="decision_lead_time_median")
    png = charts.draw_chart(
        title="NL lead time",
        values=indicator_series(indicator=indicator.code, chain="NL", period_type="week"),
        bands=bands_for(indicator=indicator, chain="NL"), unit="days",
    )  # fmt: skip
    assert png.startswith(b"\x89PNG")
    assert len(png) > 2000


@pytest.mark.parametrize(
    ("language", "days", "change"), [("nl", "300,5", "+100,5"), ("en", "300.5", "+100.5")]
)
def test_the_report_writes_values_as_the_pages_do(
    constructed_week, week_reported: Period, language: str, days: str, change: str
) -> None:
    store("decision_lead_time_median", "NL", week_reported, 300.5, "red")
    store("hearing_no_show_rate", "NL", week_reported, None, "none")
    [chain] = build_report(chains=["NL"], week=week_reported, language=language).chains
    rows = {row.indicator.code: row for goal in chain.goals for row in goal.rows}
    lead_time = rows["decision_lead_time_median"]
    assert (lead_time.value, lead_time.change) == (days, change)
    assert rows["hearing_no_show_rate"].value == "\u2013"
