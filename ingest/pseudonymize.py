"""Keys derived from raw identifiers with the deployment's secret (``PSI_PSEUDONYM_KEY``).

Person keys are HMAC-SHA256 of ``"<chain>:<raw id>"``; event identities of formats without ids
of their own are HMAC-SHA256 of the SHA-256 hex of their natural key. A plain hash of a line
that holds a V- or SP-number would be reversed by trying every number. What changing the key
means is in ``docs/operations.md`` ("Pseudonym key").
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings

# The fixed message whose HMAC identifies a key without revealing it (``pseudonym_key.py``).
FINGERPRINT_LABEL = b"ketendashboard pseudonym key fingerprint v1"


@lru_cache(maxsize=262_144)
def person_key(chain: str, raw_id: str) -> str:
    """The pseudonymized key of a person in a chain, as lowercase hex.

    Cached because a person recurs on many rows of one extract; the cache holds only keys
    derived with the current secret (tests that change the secret call ``cache_clear``).
    """
    message = f"{chain}:{raw_id.strip()}".encode()
    # The one-shot ``hmac.digest`` runs in OpenSSL, several times faster than ``hmac.new``.
    return hmac.digest(settings.PSI_PSEUDONYM_KEY.encode(), message, "sha256").hex()


def event_identity(natural_key: str) -> str:
    """The ``source_event_id`` of an event known by its natural key, as lowercase hex.

    ``HMAC-SHA256(secret, sha256_hex(natural_key))``: the inner SHA-256 is what earlier versions
    stored, so a migration could key those identities without the raw lines.
    """
    inner = hashlib.sha256(natural_key.encode()).hexdigest().encode()
    return hmac.digest(settings.PSI_PSEUDONYM_KEY.encode(), inner, "sha256").hex()


def key_fingerprint(key: str) -> str:
    """What identifies a pseudonym key in the database: its HMAC of a fixed label, not the key."""
    return hmac.digest(key.encode(), FINGERPRINT_LABEL, "sha256").hex()
