"""The one place the code reads the clock.

Everything that needs "today" or "now" asks this module, so that a test (or the suite run with
``pytest --today=…``) pins the date for all of it at once with time-machine.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    """The current moment, timezone-aware (UTC)."""
    return timezone.now()


def today() -> date:
    """Today's date in the dashboard's time zone (Europe/Amsterdam)."""
    return timezone.localdate()
