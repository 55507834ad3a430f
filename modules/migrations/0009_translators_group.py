"""Editors may edit the English text; the new Translators group only the Russian text."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TRANSLATOR_PERMISSIONS = [
    "view_module",
    "change_module",
    "view_section",
    "change_section",
    "view_edition",
]


def _permissions(apps, codenames):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="modules", codename__in=codenames)


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    editors, _created = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*_permissions(apps, ["edit_source_text"]))
    translators, _created = Group.objects.get_or_create(name="Translators")
    translators.permissions.set(_permissions(apps, TRANSLATOR_PERMISSIONS))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Translators").delete()


class Migration(migrations.Migration):
    dependencies = [("modules", "0008_source_text_permission")]

    operations = [migrations.RunPython(create_groups, remove_groups)]
