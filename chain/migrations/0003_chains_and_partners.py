"""The two chains and five partners of docs/reference/events.md: fixed reference data."""

from datetime import timedelta

from django.db import migrations

CHAINS = [("NL", "Nederland", "Europe/Amsterdam"), ("BE", "België", "Europe/Brussels")]
PARTNERS = [
    ("IND", "Immigratie- en Naturalisatiedienst", "NL", timedelta(days=2)),
    ("COA", "Centraal Orgaan opvang asielzoekers", "NL", timedelta(days=2)),
    ("DTV", "Dienst Terugkeer en Vertrek", "NL", timedelta(days=2)),
    ("DVZ", "Dienst Vreemdelingenzaken / Office des Étrangers", "BE", timedelta(days=2)),
    ("FEDASIL", "Fedasil", "BE", timedelta(hours=1)),
]


def seed(apps, schema_editor):
    Chain = apps.get_model("chain", "Chain")
    Organisation = apps.get_model("chain", "Organisation")
    for code, name, tz in CHAINS:
        Chain.objects.update_or_create(code=code, defaults={"name": name, "timezone": tz})
    for code, name, chain, interval in PARTNERS:
        Organisation.objects.update_or_create(
            code=code, defaults={"name": name, "chain_id": chain, "expected_interval": interval}
        )


class Migration(migrations.Migration):
    dependencies = [("chain", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
