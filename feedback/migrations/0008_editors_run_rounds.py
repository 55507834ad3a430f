"""Editors open, change and extend consultation rounds in the back office."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROUND_PERMISSIONS = ["view_consultationround", "add_consultationround", "change_consultationround"]


def add_permissions(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    editors, _created = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="feedback", codename__in=ROUND_PERMISSIONS
        )
    )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0007_consultation_rounds")]

    operations = [migrations.RunPython(add_permissions, migrations.RunPython.noop)]
