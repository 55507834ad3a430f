"""Back-office roles as groups, with exactly the permissions each needs.

The migrations that first created the groups keep their own frozen copies of these lists; a
test checks that both agree.
"""

from django.contrib.auth.models import Group, Permission

EDITORS = "Editors"
EDITOR_PERMISSIONS = frozenset(
    {
        "view_module", "change_module",
        "view_section", "add_section", "change_section", "delete_section",
        "view_edition", "add_edition",
        "view_sectionreplacement", "add_sectionreplacement", "change_sectionreplacement",
        "delete_sectionreplacement",
    }
)  # fmt: skip


def ensure_editors_group() -> Group:
    """The Editors group, created or repaired to hold exactly its permissions."""
    group, _created = Group.objects.get_or_create(name=EDITORS)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="modules", codename__in=EDITOR_PERMISSIONS
        )
    )
    return group
