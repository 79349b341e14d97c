"""Push of canonical events by partner systems: one push is one extract.

Retries with an ``Idempotency-Key`` (IETF draft "The Idempotency-Key HTTP Header Field") get the
first answer again for 24 hours; the key is claimed with an ``INSERT … ON CONFLICT DO NOTHING``
and the row count decides, never a check-then-act.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction

from accounts.models import OrganisationAPIKey
from chain import clock
from chain.models import Extract
from ingest.adapters.base import excerpt
from ingest.adapters.push import parse_push
from ingest.models import IdempotencyRecord
from ingest.services import ImportSummary, load_extract

logger = logging.getLogger(__name__)
REPLAY_WINDOW = timedelta(hours=24)
# A claim still "processing" after this long belongs to a request that died; it may be retaken.
ABANDONED_AFTER = timedelta(minutes=10)
# The contract's ``<uuid>``, bare or as the draft's structured-field string (in double quotes).
IDEMPOTENCY_KEY = re.compile(
    r'("?)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\1', re.IGNORECASE
)


class IdempotencyConflict(Exception):
    """The key was used before with another body (422) or is still being processed (409)."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


@dataclass
class Replay:
    """The stored first answer of an earlier request with the same key and body."""

    status_code: int
    response: dict[str, Any]


def parse_idempotency_key(header: str | None) -> str | None:
    """The ``Idempotency-Key`` header as a lowercase UUID, None without it; else ``ValueError``."""
    if header is None:
        return None
    match = IDEMPOTENCY_KEY.fullmatch(header.strip())
    if match is None:
        raise ValueError(
            "the header must be a UUID, 32 hexadecimal digits grouped 8-4-4-4-12 such as "
            "8e03978e-40d5-43e8-bc93-6894a57f9324"
        )
    return match.group(2).lower()


def log_refused_push(api_key: OrganisationAPIKey | None, status_code: int, reason: str) -> None:
    """Audit-log a refused push with the key's name and organisation, never with the key."""
    who = (
        "push without a valid API key"
        if api_key is None
        else f"push by key {api_key.name!r} ({api_key.organisation_id or 'no organisation'})"
    )
    # The reason may quote the body: long numbers (V- and SP-numbers) are masked, and it is cut.
    logger.warning("%s refused: %s %s", who, status_code, excerpt(reason))


def push_events(
    *, api_key: OrganisationAPIKey, body: dict[str, Any], raw: bytes, idempotency_key: str | None
) -> ImportSummary | Replay:
    """Store a pushed batch as one extract, or replay the answer to an earlier identical push."""
    digest = hashlib.sha256(raw).hexdigest()
    record = None
    if idempotency_key:
        replay = _claim(api_key, idempotency_key, digest)
        if isinstance(replay, Replay):
            logger.info(
                "push by key %r (%s): replayed the answer to Idempotency-Key %s",
                api_key.name, api_key.organisation_id, idempotency_key,
            )  # fmt: skip
            return replay
        record = replay
    organisation = api_key.organisation
    assert organisation is not None, "push keys always belong to an organisation"
    try:
        with transaction.atomic():
            extract = Extract.objects.create(
                organisation=organisation, channel=Extract.Channel.PUSH,
                name=f"push by {api_key.name}", sha256=digest, size=len(raw),
                started_at=clock.now(),
            )  # fmt: skip
            summary = load_extract(extract, parse_push(body, organisation.chain_id))
    except BaseException:
        if record is not None:
            record.delete()  # the retry may try again
        raise
    logger.info(
        "push by key %r (%s): extract %s %s, %s received, %s accepted, %s duplicates, %s rejected",
        api_key.name, organisation.code, summary.extract_id, summary.status, summary.received,
        summary.accepted, summary.duplicates, summary.rejected,
    )  # fmt: skip
    if record is not None:
        record.state = IdempotencyRecord.State.DONE
        record.status_code = 200
        record.response = summary.as_dict()
        record.save(update_fields=["state", "status_code", "response"])
    return summary


def purge_idempotency_records() -> int:
    """Delete every record older than the replay window, in one statement; returns how many.

    A key is replayed only within the window, so an older record can never be answered from
    again; without the purge, the table would keep every push's key for ever.
    """
    expired = IdempotencyRecord.objects.filter(created_at__lt=clock.now() - REPLAY_WINDOW)
    deleted, _ = expired.delete()
    return deleted


def _claim(api_key: OrganisationAPIKey, key: str, digest: str) -> IdempotencyRecord | Replay:
    """Claim the key for this request, or answer from the earlier request that holds it."""
    now = clock.now()
    IdempotencyRecord.objects.filter(
        api_key=api_key, key=key, created_at__lt=now - REPLAY_WINDOW
    ).delete()
    IdempotencyRecord.objects.filter(
        api_key=api_key, key=key, state=IdempotencyRecord.State.PROCESSING,
        created_at__lt=now - ABANDONED_AFTER,
    ).delete()  # fmt: skip
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    api_key=api_key, key=key, body_sha256=digest
                )
        except IntegrityError:
            pass
        # The holder may have failed (and deleted its record) or been cleaned up since our
        # insert: then the key is free again and the next round claims it.
        earlier = IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
        if earlier is not None:
            return _answer_from(earlier, digest)
    raise IdempotencyConflict(
        409, "other requests with this Idempotency-Key are being processed; try again later"
    )


def _answer_from(earlier: IdempotencyRecord, digest: str) -> Replay:
    """The first answer again, or why the earlier request's key cannot be reused now."""
    if earlier.body_sha256 != digest:
        raise IdempotencyConflict(
            422, "this Idempotency-Key was used with a different body; use a new key"
        )
    if earlier.state == IdempotencyRecord.State.PROCESSING:
        raise IdempotencyConflict(
            409, "a request with this Idempotency-Key is still being processed"
        )
    return Replay(status_code=earlier.status_code or 200, response=earlier.response or {})
