"""Settings fail loudly in production when a secret is missing, and pass the deploy check."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.workers import child_environ

PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
    "PSI_PSEUDONYM_KEY": "a-production-pseudonym-secret",
    "ALLOWED_HOSTS": "ketendashboard.example",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in child_environ().items() if k not in {"DEBUG", *PRODUCTION}}
    base["DATABASE_URL"] = os.environ.get("DATABASE_URL") or settings.DATABASE_URL
    base["REDIS_URL"] = settings.REDIS_URL
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], env={**base, **env}, capture_output=True,
        text=True, cwd=settings.BASE_DIR, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("missing", ["SECRET_KEY", "PSI_PSEUDONYM_KEY"])
def test_it_refuses_to_start_in_production_without_a_secret(missing: str) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr


def test_the_production_settings_pass_the_deploy_check() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_rejects_a_debug_value_that_is_not_a_boolean() -> None:
    result = run_manage("check", env={"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr
