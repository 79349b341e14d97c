"""Chain-wide read keys are an administrator's explicit choice, and only for read keys."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import Client

from accounts.models import OrganisationAPIKey

pytestmark = pytest.mark.django_db


def create_api_key(*args: str) -> str:
    out = StringIO()
    call_command("create_api_key", *args, stdout=out)
    return out.getvalue()


def test_the_command_makes_a_chain_wide_read_key_only_when_asked() -> None:
    create_api_key("--name", "plain", "--scope", "read")
    printed = create_api_key("--name", "warehouse", "--scope", "read", "--chain-wide")
    assert "reading every partner" in printed
    keys = dict(OrganisationAPIKey.objects.values_list("name", "chain_wide"))
    assert keys == {"plain": False, "warehouse": True}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scope", "push", "--organisation", "IND"], "Only a read key can be chain-wide."),
        (["--scope", "read", "--organisation", "IND"], "leave out the organisation"),
    ],
)
def test_the_command_refuses_a_chain_wide_key_that_is_not_a_read_key_of_no_organisation(
    args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        create_api_key("--name", "wrong", "--chain-wide", *args)
    assert not OrganisationAPIKey.objects.exists()


def test_the_database_refuses_a_chain_wide_push_key() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationAPIKey.objects.create_key(
            name="push", organisation_id="IND", scope="push", chain_wide=True
        )


def test_the_admin_refuses_a_chain_wide_key_of_an_organisation() -> None:
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(User.objects.create_superuser("root", password="x"))
    form = {"name": "reader", "organisation": "IND", "scope": "read", "chain_wide": "on"}
    answer = admin.post("/admin/accounts/organisationapikey/add/", form)
    assert answer.status_code == 200
    assert "leave out the organisation" in answer.content.decode()
    assert not OrganisationAPIKey.objects.exists()
    form.pop("organisation")
    assert admin.post("/admin/accounts/organisationapikey/add/", form).status_code == 302
    assert OrganisationAPIKey.objects.get().chain_wide
