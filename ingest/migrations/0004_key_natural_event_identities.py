"""Key the identities of IND and DVZ file events with the deployment's secret.

Earlier versions stored ``sha256_hex(natural key)``, which trying every V- or SP-number reverses;
now the identity is ``HMAC-SHA256(secret, sha256_hex(natural key))`` (``ingest/pseudonymize.py``),
so re-delivered extracts still count once. PostgreSQL has SHA-256 but no HMAC without pgcrypto
(which the embedded server lacks), so HMAC is spelled out: ``H(K ^ opad || H(K ^ ipad || m))``
with the padded keys of ``hmac_pads``, in one set-based UPDATE. Pushed events keep the partner's
own ids. It cannot be reversed: the raw lines are gone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from ingest.pseudonymize import hmac_pads, key_fingerprint

KEY_IDENTITIES = """
UPDATE chain_statusevent e
SET source_event_id = encode(
    sha256(%(outer)s::bytea || sha256(%(inner)s::bytea || convert_to(e.source_event_id, 'UTF8'))),
    'hex')
FROM ingest_extract x
WHERE x.id = e.extract_id AND x.channel = 'file' AND e.organisation_id IN ('IND', 'DVZ')
"""


def key_identities(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Key every stored IND and DVZ file identity; record the key they now depend on."""
    inner, outer = hmac_pads(settings.PSI_PSEUDONYM_KEY)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(KEY_IDENTITIES, {"inner": inner, "outer": outer})
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
