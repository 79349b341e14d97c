"""Published releases and their files can be neither changed nor deleted, by anyone.

The database refuses it, so that no code path, admin action or hand-typed statement changes a
file whose checksum is in the catalogue. The administrator group may view releases (the admin
shows them read-only); Django creates the permissions only after all migrations, so this
creates them first.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

IMMUTABLE = """
CREATE FUNCTION opendata_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'open-data releases are immutable (% of %): publish a correction instead',
        TG_OP, TG_TABLE_NAME;
END $$;
CREATE TRIGGER release_immutable BEFORE UPDATE OR DELETE ON opendata_release
    FOR EACH ROW EXECUTE FUNCTION opendata_refuse_change();
CREATE TRIGGER release_file_immutable BEFORE UPDATE OR DELETE ON opendata_releasefile
    FOR EACH ROW EXECUTE FUNCTION opendata_refuse_change();
"""
MUTABLE = """
DROP TRIGGER release_file_immutable ON opendata_releasefile;
DROP TRIGGER release_immutable ON opendata_release;
DROP FUNCTION opendata_refuse_change();
"""
ADMINISTRATOR = "administrator"


def administrators_view_releases(apps, schema_editor):
    app_config = apps.get_app_config("opendata")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="opendata", codename__startswith="view_")
    )


class Migration(migrations.Migration):

    dependencies = [
        ("opendata", "0001_open_data_releases"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunSQL(IMMUTABLE, MUTABLE),
        migrations.RunPython(administrators_view_releases, migrations.RunPython.noop),
    ]
