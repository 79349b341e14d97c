"""Key the identities of IND and DVZ file events with the deployment's secret.

Earlier versions stored ``sha256_hex(natural key)``, which trying every V- or SP-number reverses;
now the identity is ``HMAC-SHA256(secret, sha256_hex(natural key))`` (``ingest/pseudonymize.py``),
so re-delivered extracts still count once. PostgreSQL has SHA-256 but no HMAC without pgcrypto
(which the embedded server lacks), so HMAC is spelled out: ``H(K ^ opad || H(K ^ ipad || m))``
with the padded keys of ``hmac_pads``, in one set-based UPDATE (about 20 s per million events
on a busy laptop; ``VACUUM ANALYZE chain_statusevent`` afterwards gives the space back).

A partner's own id (COA, DT&V, Fedasil, push) is kept, unless it holds the person's number:
such ids are now keyed (``ingest/adapters/base.py``, ``given_event_id``). The stored ones are
found without raw numbers: a run of digits in the id is the person's number when its person key
is the case's. Only ids with seven digits in a row are read, through a server-side cursor.
It cannot be reversed: the raw lines are gone.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import migrations
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from ingest.adapters.base import PERSON_REF
from ingest.pseudonymize import event_identity, hmac_pads, key_fingerprint, person_key

KEY_IDENTITIES = """
UPDATE chain_statusevent e
SET source_event_id = encode(
    sha256(%(outer)s::bytea || sha256(%(inner)s::bytea || convert_to(e.source_event_id, 'UTF8'))),
    'hex')
FROM ingest_extract x
WHERE x.id = e.extract_id AND x.channel = 'file' AND e.organisation_id IN ('IND', 'DVZ')
"""

GIVEN_IDS_WITH_NUMBERS = """
SELECT e.id, e.source_event_id, e.chain_id, c.person_key
FROM chain_statusevent e
JOIN chain_case c ON c.id = e.case_id
JOIN ingest_extract x ON x.id = e.extract_id
WHERE NOT (x.channel = 'file' AND e.organisation_id IN ('IND', 'DVZ'))
  AND e.source_event_id ~ '[0-9]{7}'
"""
REKEY = """
UPDATE chain_statusevent e SET source_event_id = v.source_event_id
FROM unnest(%s::bigint[], %s::text[]) AS v(id, source_event_id)
WHERE e.id = v.id
"""
DIGIT_RUN = re.compile(r"[0-9]{7,}")
FETCH_ROWS = 10_000


def holds_person_number(given: str, chain: str, key: str) -> bool:
    """Whether a stretch of digits in ``given`` is the number whose person key is ``key``."""
    for run in DIGIT_RUN.findall(given):
        for length in range(7, min(len(run), 10) + 1):
            for start in range(len(run) - length + 1):
                number = run[start : start + length]
                if PERSON_REF[chain].fullmatch(number) and person_key(chain, number) == key:
                    return True
    return False


def key_given_ids_with_numbers(connection: BaseDatabaseWrapper) -> None:
    """Key the partner ids stored in clear that hold their person's number."""
    ids: list[int] = []
    keyed: list[str] = []
    with connection.connection.cursor(name="given_ids_with_numbers") as rows:
        rows.itersize = FETCH_ROWS
        rows.execute(GIVEN_IDS_WITH_NUMBERS)
        for pk, given, chain, key in rows:
            if holds_person_number(given, chain, key):
                ids.append(pk)
                keyed.append(event_identity(given))
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(REKEY, [ids, keyed])


def key_identities(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Key every stored IND and DVZ file identity and every partner id that holds the person's
    number; record the key they now depend on."""
    inner, outer = hmac_pads(settings.PSI_PSEUDONYM_KEY)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(KEY_IDENTITIES, {"inner": inner, "outer": outer})
    key_given_ids_with_numbers(schema_editor.connection)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM chain_case)")
        has_cases = cursor.fetchone()[0]
    pseudonym_key = apps.get_model("ingest", "PseudonymKey")
    # Stored person keys were made with this key: a later ingest with another must be refused.
    if has_cases and not pseudonym_key.objects.exists():
        pseudonym_key.objects.create(fingerprint=key_fingerprint(settings.PSI_PSEUDONYM_KEY))


class Migration(migrations.Migration):
    dependencies = [
        ("chain", "0007_identifier_collation_and_fewer_casefact_indexes"),
        ("ingest", "0003_pseudonym_key_fingerprint"),
    ]

    operations = [migrations.RunPython(key_identities, elidable=False)]
