"""Editors triage feedback too; the new Feedback reviewers group does only that."""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q

FEEDBACK = ["feedback.view_feedback", "feedback.add_feedback", "feedback.change_feedback"]
REVIEWERS = ["modules.view_module", "modules.view_section", "modules.view_edition", *FEEDBACK]


def _permissions(apps, names):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    query = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    editors, _created = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*_permissions(apps, FEEDBACK))
    reviewers, _created = Group.objects.get_or_create(name="Feedback reviewers")
    reviewers.permissions.set(_permissions(apps, REVIEWERS))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Feedback reviewers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("modules", "0009_translators_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
