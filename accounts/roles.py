"""Back-office roles as groups, with exactly the permissions each needs.

Permissions are named "app_label.codename". The migrations that first created the groups keep
their own frozen copies of these lists; a test checks that both agree.
"""

from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest

EDITORS = "Editors"
TRANSLATORS = "Translators"
FEEDBACK_REVIEWERS = "Feedback reviewers"

# Triage, decide on and record feedback; read the draft and editions it is about.
FEEDBACK_PERMISSIONS = frozenset(
    {"feedback.view_feedback", "feedback.add_feedback", "feedback.change_feedback"}
)
EDITOR_PERMISSIONS = frozenset(
    {
        "modules.view_module", "modules.change_module",
        "modules.view_section", "modules.add_section", "modules.change_section",
        "modules.delete_section",
        "modules.view_edition", "modules.add_edition",
        "modules.view_sectionreplacement", "modules.add_sectionreplacement",
        "modules.change_sectionreplacement", "modules.delete_sectionreplacement",
        "modules.edit_source_text", "modules.view_editionpdf", "modules.review_change",
        "feedback.view_consultationround", "feedback.add_consultationround",
        "feedback.change_consultationround",
        "feedback.view_responsetemplate", "feedback.add_responsetemplate",
        "feedback.change_responsetemplate",
        "feedback.view_workshop", "feedback.add_workshop", "feedback.change_workshop",
        # The original text of redacted and secretariat-only comments (reviewers do not).
        "feedback.view_restricted_text",
        *FEEDBACK_PERMISSIONS,
    }
)  # fmt: skip
# Translators change sections and modules, but the admin lets them touch only the Russian
# fields (they lack edit_source_text); they cannot publish, move or delete anything.
TRANSLATOR_PERMISSIONS = frozenset(
    {
        "modules.view_module", "modules.change_module", "modules.view_section",
        "modules.change_section", "modules.view_edition",
    }
)  # fmt: skip
FEEDBACK_REVIEWER_PERMISSIONS = frozenset(
    {
        "modules.view_module", "modules.view_section", "modules.view_edition",
        *FEEDBACK_PERMISSIONS,
    }
)  # fmt: skip


def permissions(names: frozenset[str]):
    """The Permission rows for "app_label.codename" names."""
    query = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


def _ensure(name: str, names: frozenset[str]) -> Group:
    group, _created = Group.objects.get_or_create(name=name)
    group.permissions.set(permissions(names))
    return group


def ensure_editors_group() -> Group:
    """The Editors group, created or repaired to hold exactly its permissions."""
    return _ensure(EDITORS, EDITOR_PERMISSIONS)


def ensure_translators_group() -> Group:
    """The Translators group, created or repaired to hold exactly its permissions."""
    return _ensure(TRANSLATORS, TRANSLATOR_PERMISSIONS)


def ensure_feedback_reviewers_group() -> Group:
    """The Feedback reviewers group, created or repaired to hold exactly its permissions."""
    return _ensure(FEEDBACK_REVIEWERS, FEEDBACK_REVIEWER_PERMISSIONS)


def staff_with_permission(name: str):
    """Active staff who hold "app_label.codename" through a group, and superusers."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    app_label, codename = name.split(".")
    holds = Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | holds)
        .distinct()
    )


def acting_user(request: HttpRequest) -> User:
    """The signed-in person a back-office request acts for, as services record them.

    Staff views are reached only signed in (the admin's own check, ``login_required``), so an
    anonymous visitor here means a view lost its guard: refused, never recorded as nobody.
    """
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user
