"""Person keys and event identities: HMAC-SHA256 with the deployment's secret."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=262_144)
def person_key(chain: str, raw_id: str) -> str:
    """The pseudonymized key of a person in a chain, as lowercase hex (``contracts/events.md``).

    Cached because a person recurs on many rows of one extract; the cache holds only keys
    derived with the current secret (tests that change the secret call ``cache_clear``).
    """
    message = f"{chain}:{raw_id.strip()}".encode()
    # The one-shot ``hmac.digest`` runs in OpenSSL, several times faster than ``hmac.new``.
    return hmac.digest(settings.PSI_PSEUDONYM_KEY.encode(), message, "sha256").hex()


def event_identity(natural_key: str) -> str:
    """The ``source_event_id`` of an event whose format has no id: keyed over its natural key.

    HMAC-SHA256 with the secret over the SHA-256 (hex) of the natural key: a natural key holds
    the raw V- or SP-number, and a plain digest of it could be reversed by trying every number.
    """
    digest = hashlib.sha256(natural_key.encode()).hexdigest().encode()
    return hmac.digest(settings.PSI_PSEUDONYM_KEY.encode(), digest, "sha256").hex()
