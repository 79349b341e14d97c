"""Failed logins lock the name that was tried, not everyone behind the same address."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db


def log_in(username: str, password: str) -> int:
    """The status of a login attempt from the same address as every other in this test."""
    answer = Client().post("/accounts/login/", {"username": username, "password": password})
    return answer.status_code


def test_failed_logins_lock_that_name_and_leave_a_colleague_behind_the_proxy_in() -> None:
    User.objects.create_user("ahmed", password="correct horse battery")
    User.objects.create_user("bea", password="staple paper clip")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in("ahmed", "wrong")
    assert log_in("ahmed", "correct horse battery") == 429
    assert log_in("bea", "staple paper clip") == 302
