"""Published half-year reports and their PDFs can be neither changed nor deleted, by anyone.

The database refuses it, so that no code path, admin action or hand-typed statement changes
what was published: a revision is a new version. The administrator group may view the reports
and publish them (the admin shows them read-only, with an action that publishes a revision
from the live figures); Django creates the permissions only after all migrations, so this
creates them first.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

IMMUTABLE = """
CREATE FUNCTION reports_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'published half-year reports are immutable (% of %): publish a revision',
        TG_OP, TG_TABLE_NAME;
END $$;
CREATE TRIGGER half_year_report_immutable BEFORE UPDATE OR DELETE ON reports_halfyearreport
    FOR EACH ROW EXECUTE FUNCTION reports_refuse_change();
CREATE TRIGGER half_year_pdf_immutable BEFORE UPDATE OR DELETE ON reports_halfyearreportpdf
    FOR EACH ROW EXECUTE FUNCTION reports_refuse_change();
"""
MUTABLE = """
DROP TRIGGER half_year_pdf_immutable ON reports_halfyearreportpdf;
DROP TRIGGER half_year_report_immutable ON reports_halfyearreport;
DROP FUNCTION reports_refuse_change();
"""
ADMINISTRATOR = "administrator"


def administrators_view_reports(apps, schema_editor):
    app_config = apps.get_app_config("reports")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="reports",
            codename__in=["view_halfyearreport", "add_halfyearreport", "view_halfyearreportpdf"],
        )
    )


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0002_half_year_reports"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunSQL(IMMUTABLE, MUTABLE),
        migrations.RunPython(administrators_view_reports, migrations.RunPython.noop),
    ]
