"""The extract (a delivery) moves from ``ingest`` to the domain; its table keeps its name."""

import django.db.models.deletion
from django.db import migrations, models

from accounts.content_types import move_content_types


class Migration(migrations.Migration):
    dependencies = [
        ("chain", "0009_case_chain_without_constraints"),
        ("ingest", "0006_source_failure"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Extract",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[("file", "File"), ("feed", "Feed"), ("push", "Push")],
                                max_length=8,
                            ),
                        ),
                        ("name", models.CharField(max_length=300)),
                        ("path", models.CharField(blank=True, max_length=1000)),
                        ("sha256", models.CharField(max_length=64)),
                        ("size", models.BigIntegerField(default=0)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("received", "Received"),
                                    ("processing", "Processing"),
                                    ("accepted", "Accepted"),
                                    ("partially_accepted", "Partially Accepted"),
                                    ("rejected", "Rejected"),
                                    ("duplicate", "Duplicate"),
                                ],
                                default="received",
                                max_length=20,
                            ),
                        ),
                        ("reason", models.TextField(blank=True)),
                        ("received_at", models.DateTimeField(auto_now_add=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("rows_read", models.IntegerField(default=0)),
                        ("accepted", models.IntegerField(default=0)),
                        ("duplicates", models.IntegerField(default=0)),
                        ("rejected", models.IntegerField(default=0)),
                        ("earliest_date", models.DateField(blank=True, null=True)),
                        ("latest_date", models.DateField(blank=True, null=True)),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, to="chain.organisation"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "ingest_extract",
                        "ordering": ["-received_at"],
                    },
                ),
                migrations.AlterField(
                    model_name="measurement",
                    name="extract",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="chain.extract",
                    ),
                ),
                migrations.AlterField(
                    model_name="statusevent",
                    name="extract",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="chain.extract",
                    ),
                ),
                migrations.AddIndex(
                    model_name="extract",
                    index=models.Index(
                        fields=["organisation", "sha256"], name="extract_partner_sha"
                    ),
                ),
                migrations.AddIndex(
                    model_name="extract",
                    index=models.Index(
                        fields=["organisation", "status", "finished_at"], name="extract_freshness"
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(*move_content_types("ingest", "chain", ["extract"])),
    ]
