"""Editors see the edition PDFs (and their build errors) in the back office."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def add_permission(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    editors, _created = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="modules", codename="view_editionpdf")
    )


class Migration(migrations.Migration):
    dependencies = [("modules", "0010_edition_pdfs")]

    operations = [migrations.RunPython(add_permission, migrations.RunPython.noop)]
