"""Every answer carries a Content Security Policy that runs no inline script."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db

PAGES = [
    "/accounts/login/", "/", "/flow/", "/admin/", "/admin/chain/extract/", "/api/v1/docs",
    "/api/v1/goals", "/no-such-page/", "/open-data/",
]  # fmt: skip


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.parametrize("url", PAGES)
def test_every_page_carries_a_policy_without_inline_scripts(url: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.create_superuser("root", password="x"))
    policy = directives(client.get(url)["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["script-src"][0] == "'self'"
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(policy["script-src"])


def test_the_api_docs_load_their_start_up_script_from_a_file_of_their_own() -> None:
    html = Client().get("/api/v1/docs").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all(
        "src=" in attributes and not body.strip() for attributes, body in scripts
    )
    assert "<style" not in html
    script = Client().get("/api/v1/docs?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
