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
from typing import Any

from django.conf import settings

SHA256_BLOCK = 64
HashState = Any  # hashlib's hash objects have no public type
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
    stored, so a migration could key those identities without the raw lines. It runs once per
    row of a million-row extract, so the HMAC starts from hash states that already absorbed the
    padded key: a third of the time of ``hmac.digest``, which pads the key again on every call.
    """
    inner, outer = _keyed_states(settings.PSI_PSEUDONYM_KEY)
    keyed = inner.copy()
    keyed.update(hashlib.sha256(natural_key.encode()).hexdigest().encode())
    result = outer.copy()
    result.update(keyed.digest())
    return result.hexdigest()


def hmac_pads(secret: str) -> tuple[bytes, bytes]:
    """HMAC-SHA256's inner and outer padded keys for ``secret`` (RFC 2104)."""
    key = secret.encode()
    if len(key) > SHA256_BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(SHA256_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


@lru_cache(maxsize=4)
def _keyed_states(secret: str) -> tuple[HashState, HashState]:
    inner_pad, outer_pad = hmac_pads(secret)
    return hashlib.sha256(inner_pad), hashlib.sha256(outer_pad)


def key_fingerprint(key: str) -> str:
    """What identifies a pseudonym key in the database: its HMAC of a fixed label, not the key."""
    return hmac.digest(key.encode(), FINGERPRINT_LABEL, "sha256").hex()
