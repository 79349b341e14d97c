"""User profiles (from ``dashboard``) and API keys (from ``ingest``): the tables keep their names."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from accounts.content_types import move_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('chain', '0010_extract_moved_from_ingest'),
        ('dashboard', '0004_subscription_preview_requested_at'),
        ('ingest', '0006_source_failure'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='UserProfile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('organisation', models.ForeignKey(blank=True, help_text='The partner whose deliveries this user may follow on the ingest status page.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='chain.organisation')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='dashboard_profile', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'dashboard_userprofile',
                        'permissions': [('view_dashboards', 'Can view the dashboards'), ('view_own_ingest_status', 'Can view the ingest status of the own organisation'), ('view_all_ingest_status', 'Can view the ingest status of every partner')],
                    },
                ),
                migrations.CreateModel(
                    name='OrganisationAPIKey',
                    fields=[
                        ('id', models.CharField(editable=False, max_length=150, primary_key=True, serialize=False, unique=True)),
                        ('prefix', models.CharField(editable=False, max_length=8, unique=True)),
                        ('hashed_key', models.CharField(editable=False, max_length=150)),
                        ('created', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('name', models.CharField(default=None, help_text='A free-form name for the API key. Need not be unique. 50 characters max.', max_length=50)),
                        ('revoked', models.BooleanField(blank=True, default=False, help_text='If the API key is revoked, clients cannot use it anymore. (This cannot be undone.)')),
                        ('expiry_date', models.DateTimeField(blank=True, help_text='Once API key expires, clients cannot use it anymore.', null=True, verbose_name='Expires')),
                        ('scope', models.CharField(choices=[('push', 'Push'), ('read', 'Read')], max_length=8)),
                        ('chain_wide', models.BooleanField(default=False, help_text='Reads the deliveries of every partner. Only for a read key without an organisation; without it such a key reads no deliveries.')),
                        ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='api_keys', to='chain.organisation')),
                    ],
                    options={
                        'verbose_name': 'API key',
                        'verbose_name_plural': 'API keys',
                        'db_table': 'ingest_organisationapikey',
                        'ordering': ('-created',),
                        'abstract': False,
                        'constraints': [models.CheckConstraint(condition=models.Q(('chain_wide', False), models.Q(('organisation__isnull', True), ('scope', 'read')), _connector='OR'), name='chain_wide_only_for_read_keys_without_organisation')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(*move_content_types("dashboard", "accounts", ['userprofile'])),
        migrations.RunPython(*move_content_types("ingest", "accounts", ['organisationapikey'])),
    ]
