"""Settings fail loudly in production when a secret is missing, and pass the deploy check."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.workers import child_environ

PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
    "PSI_PSEUDONYM_KEY": "a-production-pseudonym-secret-of-at-least-32-bytes",
    "ALLOWED_HOSTS": "ketendashboard.example",
    "SITE_URL": "https://ketendashboard.example",
    "EMAIL_URL": "smtp://mail.ketendashboard.example:25",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in child_environ().items() if k not in {"DEBUG", *PRODUCTION}}
    base["DATABASE_URL"] = os.environ.get("DATABASE_URL") or settings.DATABASE_URL
    base["REDIS_URL"] = settings.REDIS_URL
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], env={**base, **env}, capture_output=True,
        text=True, cwd=settings.BASE_DIR, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("missing", ["SECRET_KEY", "PSI_PSEUDONYM_KEY", "SITE_URL", "EMAIL_URL"])
def test_it_refuses_to_start_in_production_without_a_secret(missing: str) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr


EXTERNAL_DATABASE = "postgres://psi:psi@db.example:5432/psi"
DEVELOPMENT_KEY = "dev-only-pseudonym-key"
PRINT_KEY = "from django.conf import settings; print(settings.PSI_PSEUDONYM_KEY)"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "PSI_PSEUDONYM_KEY"])
def test_debug_with_an_external_database_gets_no_development_secret(missing: str) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_manage("check", env={**env, "DEBUG": "1", "DATABASE_URL": EXTERNAL_DATABASE})
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr
    assert "another server than the embedded one, even with DEBUG=1" in result.stderr


@pytest.mark.parametrize("debug", ["0", "1"])
def test_it_refuses_the_published_development_key_outside_the_embedded_database(
    debug: str,
) -> None:
    env = {**PRODUCTION, "PSI_PSEUDONYM_KEY": DEVELOPMENT_KEY, "DEBUG": debug,
           "DATABASE_URL": EXTERNAL_DATABASE}  # fmt: skip
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "PSI_PSEUDONYM_KEY is the published development value" in result.stderr


def test_debug_on_the_embedded_database_uses_the_development_secrets() -> None:
    result = run_manage("shell", "--no-imports", "-c", PRINT_KEY, env={"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == DEVELOPMENT_KEY


@pytest.mark.parametrize("debug", ["0", "1"])
def test_it_refuses_a_pseudonym_key_shorter_than_32_bytes(debug: str) -> None:
    env = {**PRODUCTION, "PSI_PSEUDONYM_KEY": "k" * 31, "DEBUG": debug}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "PSI_PSEUDONYM_KEY is 31 bytes long; it needs at least 32" in result.stderr


def test_a_pseudonym_key_of_32_bytes_is_taken() -> None:
    key = "é" * 16  # 16 characters, 32 bytes in UTF-8
    result = run_manage("shell", "--no-imports", "-c", PRINT_KEY,
                        env={**PRODUCTION, "PSI_PSEUDONYM_KEY": key})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == key


def test_the_production_settings_pass_the_deploy_check() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_rejects_a_debug_value_that_is_not_a_boolean() -> None:
    result = run_manage("check", env={"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def dockerfile_collectstatic_environment() -> dict[str, str]:
    """The variables the image's ``collectstatic`` step sets, read from the Dockerfile."""
    text = (settings.BASE_DIR / "Dockerfile").read_text().replace("\\\n", " ")
    [step] = [line for line in text.splitlines() if "collectstatic" in line and "RUN" in line]
    return dict(re.findall(r"(\w+)=(\S+)", step.split("python")[0]))


def test_pages_render_in_production_with_the_static_files_the_image_collects(
    tmp_path: Path,
) -> None:
    collect = dockerfile_collectstatic_environment()
    assert collect["DEBUG"] == "0"
    result = run_manage("collectstatic", "--noinput", env={**collect, "STATIC_ROOT": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").exists()
    render = (
        "from django.test import Client; "
        "r = Client().get('/accounts/login/', secure=True, HTTP_HOST='ketendashboard.example'); "
        "print(r.status_code); print(r.content.decode())"
    )
    page = run_manage(
        "shell", "--no-imports", "-c", render, env={**PRODUCTION, "STATIC_ROOT": str(tmp_path)}
    )
    assert page.returncode == 0, page.stderr
    status, html = page.stdout.split("\n", 1)
    assert status == "200"
    # Production links the hashed copies the manifest names.
    assert re.search(r'href="/static/[\w/.-]+\.[0-9a-f]{12}\.css"', html), html[:2000]


@pytest.mark.parametrize("command", ["demo", "generate_demo", "bench_ingest"])
def test_production_has_no_development_command(command: str) -> None:
    # The demo creates a published login; the benchmarks empty their tables.
    result = run_manage(command, env=PRODUCTION)
    assert result.returncode != 0
    assert f"Unknown command: '{command}'" in result.stderr


LOADED_MODULES = (
    "import django, sys; django.setup(); from django.conf import settings; "
    "import psi.wsgi, psi.celery; print(settings.DEBUG); "
    "print(sorted(m for m in sys.modules if m.split('.')[0] == 'devtools'))"
)


def test_production_never_imports_the_development_tools() -> None:
    result = run_manage("shell", "--no-imports", "-c", LOADED_MODULES, env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-3:-1] == ["False", "[]"]


def test_development_loads_the_development_tools() -> None:
    result = run_manage("shell", "--no-imports", "-c", LOADED_MODULES, env={"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert "'devtools.embedded'" in result.stdout


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL"])
def test_production_without_a_server_url_fails_naming_it(missing: str) -> None:
    result = run_manage("check", env={**PRODUCTION, missing: ""})
    assert result.returncode != 0
    assert f"{missing} is not set. Production (DEBUG off) needs it" in result.stderr


def test_the_broker_uses_the_redis_database_of_a_socket_url_as_the_cache_does() -> None:
    from kombu import Connection

    from psi.settings import broker_url

    base = settings.REDIS_URL.partition("?")[0]
    url = broker_url(f"{base}?db=3")
    with Connection(url) as broker:
        broker.ensure_connection(max_retries=1)
        database = broker.default_channel.client.connection_pool.connection_kwargs["db"]
    assert database == 3
    assert broker_url("redis://redis:6379/2") == "redis://redis:6379/2"
