"""The subscription settings page: subscribe, change, and get a preview through the worker."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dashboard.models import Subscription


@pytest.fixture
def director(db) -> User:
    return User.objects.create_user("director", email="old@keten.example", password="x")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_it_asks_an_anonymous_visitor_to_log_in() -> None:
    response = Client().get(reverse("dashboard:subscription"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_it_subscribes_a_user_to_the_chains_and_language_chosen(director: User) -> None:
    client = signed_in(director)
    assert client.get(reverse("dashboard:subscription")).status_code == 200
    response = client.post(
        reverse("dashboard:subscription"),
        {"email": "director@keten.example", "chain": "BE", "language": "en", "active": "on"},
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get(user=director)
    assert (subscription.chain, subscription.language, subscription.active) == ("BE", "en", True)
    director.refresh_from_db()
    assert director.email == "director@keten.example"


@pytest.mark.django_db
def test_it_changes_an_existing_subscription_instead_of_adding_one(director: User) -> None:
    Subscription.objects.create(user=director, chain="NL", language="nl")
    signed_in(director).post(
        reverse("dashboard:subscription"),
        {"email": "old@keten.example", "chain": "ALL", "language": "nl"},
    )
    [subscription] = Subscription.objects.filter(user=director)
    assert (subscription.chain, subscription.active) == ("ALL", False)


@pytest.mark.django_db
def test_it_rejects_a_bad_address_or_chain_and_says_which_field(director: User) -> None:
    response = signed_in(director).post(
        reverse("dashboard:subscription"),
        {"email": "not-an-address", "chain": "FR", "language": "nl", "active": "on"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"email", "chain"}
    assert not Subscription.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_preview_button_mails_the_report_through_the_worker(
    smtp, constructed_week, celery_worker
) -> None:
    user = User.objects.create_user("previewer", email="p@keten.example")
    response = signed_in(user).post(
        reverse("dashboard:subscription"),
        {"email": "p@keten.example", "chain": "NL", "language": "en", "active": "on",
         "preview": ""},
    )  # fmt: skip
    assert response.status_code == 302
    deadline = time.monotonic() + 30
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.2)
    [message] = smtp.messages
    assert smtp.envelopes[0][1] == ["p@keten.example"]
    assert message["Subject"].startswith("Chain report week")
    assert message["List-Unsubscribe"]
