"""The three roles of the dashboard as groups with their permissions (see dashboard.access).

- chain director: every dashboard page;
- partner analyst: every dashboard page, and the ingest status of the own organisation;
- administrator: every permission there is when this runs (the admin, every ingest status).

Django creates permissions only after all migrations ran, so this creates them first for every
model migrated so far; a model added by a later migration needs its permissions granted to the
administrator group by that migration (or in the admin).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_DASHBOARDS = "view_dashboards"
VIEW_OWN_INGEST_STATUS = "view_own_ingest_status"
VIEW_ALL_INGEST_STATUS = "view_all_ingest_status"
ROLES = {
    "chain director": [VIEW_DASHBOARDS],
    "partner analyst": [VIEW_DASHBOARDS, VIEW_OWN_INGEST_STATUS],
}
ADMINISTRATOR = "administrator"


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        # create_permissions skips an app without a models module; the historical apps have none.
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="dashboard", codename__in=codenames)
        )
    administrator, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    administrator.permissions.add(*Permission.objects.all())


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[*ROLES, ADMINISTRATOR]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("dashboard", "0002_userprofile"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("sessions", "0001_initial"),
        ("axes", "0010_accessattemptexpiration"),
        ("rest_framework_api_key", "0005_auto_20220110_1102"),
        ("chain", "0004_event_references_without_constraints"),
        ("ingest", "0002_idempotency_records"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
