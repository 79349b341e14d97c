"""The pseudonym key in use must be the one the stored person keys were made with.

Changing ``PSI_PSEUDONYM_KEY`` gives every person a new key and every IND or DVZ event a new
identity, so the next extracts would open a second case for each person and count their events
again. The database therefore holds the key's fingerprint (an HMAC of a fixed label, from which
the key cannot be learned), recorded at the first ingest, and refuses any other key until
``rotate_pseudonym_key`` has rebuilt the pseudonyms under it (``ingest/rotation.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from ingest.models import PseudonymKey
from ingest.pseudonymize import key_fingerprint

MISMATCH = (
    "PSI_PSEUDONYM_KEY is not the key this database's pseudonyms were made with. With another "
    "key every person would get a new case and every event would be counted again, so nothing "
    "is ingested. Restore the earlier key, or rotate to the new one with `manage.py "
    "rotate_pseudonym_key`, which rebuilds the pseudonyms from the archived extracts "
    '(docs/operations.md, "Pseudonym key").'
)


class PseudonymKeyChanged(ImproperlyConfigured):
    """The configured pseudonym key differs from the one the database was built with."""


def check_pseudonym_key() -> None:
    """Record the key's fingerprint at first use; ``PseudonymKeyChanged`` if another was."""
    current = key_fingerprint(settings.PSI_PSEUDONYM_KEY)
    # A fixed primary key: two workers starting at once record one row, not two.
    recorded, _ = PseudonymKey.objects.get_or_create(pk=1, defaults={"fingerprint": current})
    if recorded.fingerprint != current:
        raise PseudonymKeyChanged(MISMATCH)


@register(Tags.database)
def pseudonym_key_matches(
    app_configs: Sequence[Any] | None = None,
    databases: Sequence[str] | None = None,
    **kwargs: Any,
) -> list[CheckMessage]:
    """``migrate`` (and so the web container's start) stops when the key was changed."""
    if not databases or "default" not in databases:
        return []
    # Before the migration that creates it (the first ``migrate`` of an upgrade) nothing is known.
    if PseudonymKey._meta.db_table not in connections["default"].introspection.table_names():
        return []
    recorded = PseudonymKey.objects.filter(pk=1).values_list("fingerprint", flat=True).first()
    if recorded is None or recorded == key_fingerprint(settings.PSI_PSEUDONYM_KEY):
        return []
    return [Error(MISMATCH, id="ingest.E001")]
