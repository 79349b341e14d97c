"""Report subscriptions and deliveries, moved from ``dashboard``: the tables keep their names."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from accounts.content_types import move_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('dashboard', '0004_subscription_preview_requested_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Subscription',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('chain', models.CharField(choices=[('NL', 'Nederland'), ('BE', 'België'), ('ALL', 'NL + BE')], default='ALL', max_length=3)),
                        ('language', models.CharField(choices=[('nl', 'Nederlands'), ('en', 'English')], default='nl', max_length=2)),
                        ('active', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('preview_requested_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='report_subscription', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'dashboard_subscription',
                    },
                ),
                migrations.CreateModel(
                    name='ReportDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('week', models.CharField(help_text='The ISO week the report is about.', max_length=8)),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=8)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('last_error', models.TextField(blank=True)),
                        ('claimed_at', models.DateTimeField(blank=True, null=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('subscription', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='reports.subscription')),
                    ],
                    options={
                        'db_table': 'dashboard_reportdelivery',
                        'ordering': ['-created_at'],
                        'constraints': [models.UniqueConstraint(fields=('subscription', 'week'), name='one_report_per_week')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(*move_content_types("dashboard", "reports", ['subscription', 'reportdelivery'])),
    ]
