"""Back-office roles as groups, with exactly the permissions each needs.

The migrations that first created the groups keep their own frozen copies of these lists; a
test checks that both agree.
"""

from django.contrib.auth.models import Group, Permission

EDITORS = "Editors"
TRANSLATORS = "Translators"
EDITOR_PERMISSIONS = frozenset(
    {
        "view_module", "change_module",
        "view_section", "add_section", "change_section", "delete_section",
        "view_edition", "add_edition",
        "view_sectionreplacement", "add_sectionreplacement", "change_sectionreplacement",
        "delete_sectionreplacement", "edit_source_text",
    }
)  # fmt: skip
# Translators change sections and modules, but the admin lets them touch only the Russian
# fields (they lack edit_source_text); they cannot publish, move or delete anything.
TRANSLATOR_PERMISSIONS = frozenset(
    {"view_module", "change_module", "view_section", "change_section", "view_edition"}
)


def _ensure(name: str, codenames: frozenset[str]) -> Group:
    group, _created = Group.objects.get_or_create(name=name)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="modules", codename__in=codenames)
    )
    return group


def ensure_editors_group() -> Group:
    """The Editors group, created or repaired to hold exactly its permissions."""
    return _ensure(EDITORS, EDITOR_PERMISSIONS)


def ensure_translators_group() -> Group:
    """The Translators group, created or repaired to hold exactly its permissions."""
    return _ensure(TRANSLATORS, TRANSLATOR_PERMISSIONS)
