from django.db import migrations, models

# A stored suppressed cell was primary (too few cases); secondary suppression is new.
TO_TEXT = """
ALTER TABLE chain_indicatorvalue ALTER COLUMN suppressed TYPE varchar(9)
    USING CASE WHEN suppressed THEN 'primary' ELSE '' END
"""
TO_BOOLEAN = """
ALTER TABLE chain_indicatorvalue ALTER COLUMN suppressed TYPE boolean USING suppressed <> ''
"""


class Migration(migrations.Migration):
    dependencies = [
        ("chain", "0007_identifier_collation_and_fewer_casefact_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="indicatorvalue",
            name="n",
            field=models.IntegerField(default=0, null=True),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(TO_TEXT, TO_BOOLEAN)],
            state_operations=[
                migrations.AlterField(
                    model_name="indicatorvalue",
                    name="suppressed",
                    field=models.CharField(
                        blank=True,
                        choices=[("", "shown"), ("primary", "Primary"), ("secondary", "Secondary")],
                        default="",
                        max_length=9,
                    ),
                ),
            ],
        ),
    ]
