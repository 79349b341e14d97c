"""Failed logins lock the name that was tried, not everyone behind the same address; many names
tried from one address lock that address (password spraying)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, RequestFactory

from dashboard.login_security import client_address

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_password_hashes(settings: Any) -> None:
    """Many logins per test: a deliberately slow hash would only slow the test down."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def log_in(username: str, password: str) -> int:
    """The status of a login attempt from the same address as every other in this test."""
    answer = Client().post("/accounts/login/", {"username": username, "password": password})
    return answer.status_code


def test_failed_logins_lock_that_name_and_leave_a_colleague_behind_the_proxy_in() -> None:
    assert settings.AXES_ADDRESS_FAILURE_LIMIT > 2 * settings.AXES_FAILURE_LIMIT
    User.objects.create_user("ahmed", password="correct horse battery")
    User.objects.create_user("bea", password="staple paper clip")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in("ahmed", "wrong")
    assert log_in("ahmed", "correct horse battery") == 429
    assert log_in("bea", "staple paper clip") == 302


def test_failures_spread_over_many_names_lock_the_address_against_password_spraying(
    settings: Any,
) -> None:
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    User.objects.create_user("bea", password="staple paper clip")
    answers = [
        log_in(f"user{n}", "Winter2026!") for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT)
    ]
    assert 429 not in answers[:-1], "no single name reached its own limit"
    assert answers[-1] == 429
    assert log_in("bea", "staple paper clip") == 429
    elsewhere = Client(REMOTE_ADDR="192.0.2.7")
    answer = elsewhere.post(
        "/accounts/login/", {"username": "bea", "password": "staple paper clip"}
    )
    assert answer.status_code == 302, "another address is not locked"


def test_the_address_lock_counts_failures_within_the_cool_off_only(settings: Any) -> None:
    settings.AXES_ADDRESS_FAILURE_LIMIT = 4
    User.objects.create_user("bea", password="staple paper clip")
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
        for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT - 1):
            log_in(f"user{n}", "wrong")
        clock.shift(settings.AXES_COOLOFF_TIME + timedelta(minutes=1))
        log_in("someone", "wrong")
        assert log_in("bea", "staple paper clip") == 302


def test_the_address_behind_our_proxy_is_the_one_it_forwards_and_no_one_elses(
    settings: Any,
) -> None:
    settings.FORWARDED_ALLOW_IPS = ["10.9.0.2"]
    via_proxy = RequestFactory().get(
        "/", REMOTE_ADDR="10.9.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9"
    )
    assert client_address(via_proxy) == "198.51.100.9"
    spoofed = RequestFactory().get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(spoofed) == "203.0.113.5"


def test_a_session_ends_eight_hours_after_the_login_however_busy_it_was() -> None:
    User.objects.create_user("bea", password="staple paper clip", is_staff=True)
    client = Client()
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
        client.post("/accounts/login/", {"username": "bea", "password": "staple paper clip"})
        for _hour in range(7):
            clock.shift(timedelta(hours=1))
            # A change to the session saves it, which restarts a plain cookie age.
            session = client.session
            session["seen"] = _hour
            session.save()
            assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=59))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=2))
        answer = client.get("/")
        assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
