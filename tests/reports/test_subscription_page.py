"""The subscription settings page: subscribe, change, and get a preview through the worker."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from accounts.access import CHAIN_DIRECTOR
from reports.models import Subscription

PAGE = reverse("dashboard:subscription")


def chain_director(name: str, email: str) -> User:
    user = User.objects.create_user(name, email=email, password="x")
    user.groups.add(Group.objects.get(name=CHAIN_DIRECTOR))
    return user


@pytest.fixture
def director(db) -> User:
    return chain_director("director", "director@keten.example")


def signed_in(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_it_asks_an_anonymous_visitor_to_log_in() -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_it_refuses_a_user_without_a_dashboard_role_and_saves_nothing() -> None:
    client = signed_in(User.objects.create_user("nobody", email="nobody@keten.example"))
    assert client.get(PAGE).status_code == 403
    response = client.post(PAGE, {"chain": "NL", "language": "en", "active": "on", "preview": ""})
    assert response.status_code == 403
    assert not Subscription.objects.exists()


@pytest.mark.django_db
def test_it_subscribes_a_user_to_the_chains_and_language_chosen(director: User) -> None:
    client = signed_in(director)
    assert client.get(PAGE).status_code == 200
    response = client.post(PAGE, {"chain": "BE", "language": "en", "active": "on"})
    assert response.status_code == 302
    subscription = Subscription.objects.get(user=director)
    assert (subscription.chain, subscription.language, subscription.active) == ("BE", "en", True)


@pytest.mark.django_db
def test_it_shows_the_accounts_address_read_only_in_both_languages(director: User) -> None:
    english = signed_in(director, "en").get(PAGE).content.decode()
    assert "The report goes to <strong>director@keten.example</strong>" in english
    assert "ask an administrator" in english
    dutch = signed_in(director, "nl").get(PAGE).content.decode()
    assert "De rapportage gaat naar <strong>director@keten.example</strong>" in dutch
    assert "Vraag een beheerder om het te wijzigen." in dutch
    assert 'name="email"' not in english


@pytest.mark.django_db
def test_it_ignores_an_address_posted_to_it(director: User) -> None:
    signed_in(director).post(
        PAGE, {"email": "someone@elsewhere.example", "chain": "NL", "language": "nl"}
    )
    director.refresh_from_db()
    assert director.email == "director@keten.example"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "posted", [{"active": "on"}, {"preview": ""}], ids=["subscribing", "a preview"]
)
def test_it_refuses_to_mail_an_account_without_an_address(posted: dict[str, str]) -> None:
    user = chain_director("noaddress", "")
    client = signed_in(user)
    assert "Your account has no e-mail address yet." in client.get(PAGE).content.decode()
    response = client.post(PAGE, {"chain": "NL", "language": "en", **posted})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Your account has no e-mail address, so the report cannot be sent to you. "
        "Ask an administrator to add one."
    ]
    assert not Subscription.objects.exists()


@pytest.mark.django_db
def test_it_changes_an_existing_subscription_instead_of_adding_one(director: User) -> None:
    Subscription.objects.create(user=director, chain="NL", language="nl")
    signed_in(director).post(PAGE, {"chain": "ALL", "language": "nl"})
    [subscription] = Subscription.objects.filter(user=director)
    assert (subscription.chain, subscription.active) == ("ALL", False)


@pytest.mark.django_db
def test_it_rejects_a_bad_chain_and_says_which_field(director: User) -> None:
    response = signed_in(director).post(PAGE, {"chain": "FR", "language": "nl", "active": "on"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"chain"}
    assert not Subscription.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_preview_button_mails_the_report_through_the_worker(
    smtp, constructed_week, celery_worker
) -> None:
    user = chain_director("previewer", "p@keten.example")
    response = signed_in(user).post(
        PAGE, {"chain": "NL", "language": "en", "active": "on", "preview": ""}
    )
    assert response.status_code == 302
    deadline = time.monotonic() + 30
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.2)
    [message] = smtp.messages
    assert smtp.envelopes[0][1] == ["p@keten.example"]
    assert message["Subject"].startswith("Chain report week")
    assert message["List-Unsubscribe"]


def messages_after(response: Any) -> list[str]:
    """The messages the page shows after the redirect of a POST (with ``follow=True``)."""
    return [str(message) for message in response.context["messages"]]


@pytest.mark.django_db
def test_the_preview_button_sends_one_preview_per_interval_and_says_when_the_next_may_be_asked(
    director: User, settings: Any
) -> None:
    client = signed_in(director)
    preview = {"chain": "NL", "language": "en", "active": "on", "preview": ""}
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam
    with time_machine.travel(start, tick=False) as clock:
        first = client.post(PAGE, preview, follow=True)
        assert messages_after(first) == [
            "A preview of the report is on its way to director@keten.example."
        ]
        clock.shift(timedelta(minutes=2))
        refused = client.post(PAGE, {**preview, "chain": "BE"}, follow=True)
        assert refused.redirect_chain == [(PAGE, 302)]
        assert messages_after(refused) == [
            "Your report settings are saved, but no preview was sent: one was asked for less "
            "than 5 minutes ago. You can ask for the next one at 10:05."
        ]
        assert Subscription.objects.get(user=director).chain == "BE"
        # Another user's button is their own.
        colleague = signed_in(chain_director("colleague", "c@keten.example"))
        assert "on its way" in messages_after(colleague.post(PAGE, preview, follow=True))[0]
        clock.shift(settings.REPORT_PREVIEW_INTERVAL - timedelta(minutes=2))
        assert "on its way" in messages_after(client.post(PAGE, preview, follow=True))[0]
