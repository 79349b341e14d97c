"""Logging in: lock-outs per name and per address, the visitor's address, the session's end.

django-axes locks a name tried from one address after ``AXES_FAILURE_LIMIT`` failures, so one
person's typing errors lock out that name only, not the colleagues behind the same office
proxy. Password spraying tries a few passwords on many names and never counts a pair up; the
address itself is therefore locked after ``AXES_ADDRESS_FAILURE_LIMIT`` failures across names
within the cool-off, a limit far above what a few people's typing errors reach.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models import Sum
from django.dispatch import receiver
from django.http import HttpRequest

from chain.clock import now


def client_address(request: HttpRequest) -> str:
    """The visitor's address: the one our TLS proxy saw, when the request comes from it.

    ``X-Forwarded-For`` is any client's to write, so it counts only from an address in
    ``FORWARDED_ALLOW_IPS``; its last entry is the one the proxy added.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if remote in settings.FORWARDED_ALLOW_IPS and forwarded.strip():
        return forwarded.split(",")[-1].strip()
    return remote


def address_failures(request: HttpRequest) -> int:
    """Failed logins from the request's address within the cool-off, whatever the name."""
    attempts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        attempt_time__gte=get_cool_off_threshold(request),
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class NameAndAddressHandler(AxesDatabaseHandler):
    """Axes' own lock of a (name, address) pair, and a lock of the address across names."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        # The failure that reaches the limit is answered as locked, as axes does for a pair.
        if address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]


@receiver(user_logged_in)
def end_session_after_max_age(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """The session ends SESSION_MAX_AGE after the login, however often it is saved meanwhile.

    A plain cookie age restarts with every save of the session; a fixed moment does not.
    """
    if request is not None and hasattr(request, "session"):
        request.session.set_expiry(now() + settings.SESSION_MAX_AGE)
