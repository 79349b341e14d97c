"""The e-mail's unsubscribe link: a one-click POST unsubscribes, a GET (a link scanner) does not."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from reports.mail import unsubscribe_url
from reports.models import Subscription

pytestmark = pytest.mark.django_db
ONE_CLICK = "List-Unsubscribe=One-Click"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def dutch_subscriber() -> Subscription:
    user = User.objects.create_user("lezer", email="lezer@keten.example")
    return Subscription.objects.create(user=user, chain="NL", language="nl")


def link_of(subscription: Subscription) -> str:
    return unsubscribe_url(subscription).removeprefix(settings.SITE_URL)


def is_active(subscription: Subscription) -> bool:
    return Subscription.objects.get(pk=subscription.pk).active


def test_it_unsubscribes_at_once_on_a_one_click_post_without_a_csrf_token(
    dutch_subscriber: Subscription,
) -> None:
    client = Client(enforce_csrf_checks=True)
    answer = client.post(link_of(dutch_subscriber), ONE_CLICK, content_type=FORM)
    assert answer.status_code == 200
    assert not is_active(dutch_subscriber)
    assert "lezer@keten.example ontvangt de wekelijkse ketenrapportage niet meer." in (
        answer.content.decode()
    )


def test_it_only_asks_on_a_get_in_the_language_of_the_email(
    dutch_subscriber: Subscription,
) -> None:
    link = link_of(dutch_subscriber)
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(link)
    assert page.status_code == 200
    assert is_active(dutch_subscriber)
    html = page.content.decode()
    assert '<html lang="nl">' in html
    assert "Wilt u dat lezer@keten.example de wekelijkse ketenrapportage niet meer ontvangt?" in (
        html
    )
    assert "niet meer." not in html
    # The button posts to the link itself, with the body a one-click mail client sends.
    form = re.search(r"<form ([^>]*)>(.*?)</form>", html, re.S)
    assert form and 'method="post"' in form.group(1) and "action=" not in form.group(1)
    assert 'name="List-Unsubscribe" value="One-Click"' in form.group(2)
    assert ">Afmelden</button>" in form.group(2)


def test_a_second_get_still_changes_nothing(dutch_subscriber: Subscription) -> None:
    link = link_of(dutch_subscriber)
    Client().get(link)
    Client().get(link)
    assert is_active(dutch_subscriber)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_token_changes_nothing(dutch_subscriber: Subscription, method: str) -> None:
    forged = link_of(dutch_subscriber)[:-2] + "xx"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    answer = (
        client.get(forged) if method == "get" else client.post(forged, ONE_CLICK, content_type=FORM)
    )
    assert answer.status_code == 400
    assert b"This unsubscribe link is not valid. Nothing was changed." in answer.content
    assert is_active(dutch_subscriber)
