"""The dashboard's models now live in ``accounts`` and ``reports``; no table changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0004_subscription_preview_requested_at"),
        ("accounts", "0001_moved_from_dashboard_and_ingest"),
        ("reports", "0001_moved_from_dashboard"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="subscription",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="userprofile",
                    name="organisation",
                ),
                migrations.RemoveField(
                    model_name="userprofile",
                    name="user",
                ),
                migrations.DeleteModel(
                    name="ReportDelivery",
                ),
                migrations.DeleteModel(
                    name="Subscription",
                ),
                migrations.DeleteModel(
                    name="UserProfile",
                ),
            ],
            database_operations=[],
        ),
    ]
