"""The administrator group edits the scenario presets and may look at and delete saved
scenarios; Django creates the permissions only after all migrations, so this creates them first."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMINISTRATOR = "administrator"
CODENAMES = [
    "view_preset", "add_preset", "change_preset", "delete_preset",
    "view_savedscenario", "delete_savedscenario",
]  # fmt: skip


def administrators_manage_presets(apps, schema_editor):
    app_config = apps.get_app_config("scenarios")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="scenarios", codename__in=CODENAMES)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("scenarios", "0001_presets_and_saved_scenarios"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(administrators_manage_presets, migrations.RunPython.noop),
    ]
