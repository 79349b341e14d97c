"""API keys now live in ``accounts``, extracts in ``chain``; no table changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ingest", "0006_source_failure"),
        ("accounts", "0001_moved_from_dashboard_and_ingest"),
        ("chain", "0010_extract_moved_from_ingest"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="rejectedrow",
                    name="extract",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rejections",
                        to="chain.extract",
                    ),
                ),
                migrations.RemoveField(
                    model_name="organisationapikey",
                    name="organisation",
                ),
                migrations.AlterField(
                    model_name="idempotencyrecord",
                    name="api_key",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        to="accounts.organisationapikey",
                    ),
                ),
                migrations.DeleteModel(
                    name="Extract",
                ),
                migrations.DeleteModel(
                    name="OrganisationAPIKey",
                ),
            ],
            database_operations=[],
        ),
    ]
