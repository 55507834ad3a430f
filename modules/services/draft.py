"""Writes to the working draft: modules and sections created, changed, moved, deleted."""

from typing import Any

import reversion
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from modules import versioning
from modules.models import (
    LANGS,
    Module,
    Section,
)
from modules.services.numbering import (
    SECTION_TEXT_FIELDS,
    append_position,
    module_renumber,
    place_among_siblings,
    stamp_text_changes,
)
from modules.versioning import revision


@transaction.atomic
def module_create(*, user: User | None = None, comment: str = "", **fields: Any) -> Module:
    """Create a module of the working draft."""
    module = Module(**fields)
    module.full_clean()
    with revision(user=user, comment=comment or _("Module created")):
        module.save()
    return module


@transaction.atomic
def section_create(
    *,
    module: Module,
    key: str,
    parent: Section | None = None,
    user: User | None = None,
    comment: str = "",
    **texts: str,
) -> Section:
    """Add a section to the working draft, after its siblings (section_move places it)."""
    section = Section(module=module, parent=parent, key=key, **texts)
    stamp_text_changes(section, {field for field, value in texts.items() if value})
    section.position = append_position(module=module, parent=parent)
    section.full_clean(exclude=["position"])
    with revision(user=user, comment=comment or _("Section created")):
        section.save()
        module_renumber(module=module)
    section.refresh_from_db()
    return section


CHANGE_REASON_FIELDS = [f"change_reason_{lang}" for lang in LANGS]


@transaction.atomic
def section_update(
    *, section: Section, user: User | None = None, comment: str = "", **texts: str
) -> Section:
    """Change the titles and bodies of a section (any of title_en, body_ru, ...) and the
    reason given for its change (change_reason_en, change_reason_ru)."""
    unknown = set(texts) - {*SECTION_TEXT_FIELDS, *CHANGE_REASON_FIELDS}
    if unknown:
        raise ValueError(f"Not section text fields: {sorted(unknown)}")
    changed = {field for field, value in texts.items() if getattr(section, field) != value}
    for field, value in texts.items():
        setattr(section, field, value)
    stamp_text_changes(section, changed)
    section.full_clean()
    with revision(user=user, comment=comment or _("Section text changed")):
        section.save()
    return section


@transaction.atomic
def section_move(
    *,
    section: Section,
    parent: Section | None,
    position: int,
    user: User | None = None,
    comment: str = "",
) -> Section:
    """Move a section (with its sub-sections) under ``parent`` at ``position`` (1-based).

    The key never changes; numbers of every affected section are recomputed.
    """
    section = Section.objects.select_for_update().get(pk=section.pk)
    section.parent = parent
    section.full_clean()
    with revision(user=user, comment=comment or _("Section moved")):
        place_among_siblings(section, parent=parent, position=position)
        module_renumber(module=section.module)
    section.refresh_from_db()
    return section


@transaction.atomic
def section_save(
    *,
    section: Section,
    changed_fields: set[str],
    position: int | None = None,
    restoring: bool = False,
    user: User | None = None,
) -> Section:
    """Save a section as edited in the back office (new, changed, or an old version put back).

    The languages whose title or body is among ``changed_fields`` are stamped. A new section,
    one whose parent or position changed, and a restored one (its old place may be another
    section's now) is placed again at ``position`` (last when none), and its module
    renumbered. The caller's revision (the admin's) records it; the user and a comment are
    added only when none is set.
    """
    is_new = section._state.adding
    moved = is_new or restoring or bool({"parent", "position"} & changed_fields)
    stamp_text_changes(section, changed_fields)
    if is_new:
        section.position = 10**6  # placed properly below
    with revision(user=user, comment=""):
        section.save()
    if moved:
        section_move(section=section, parent=section.parent, position=position or 10**6, user=user)
    return section


@transaction.atomic
def module_update(*, module: Module, changed_fields: set[str], user: User | None = None) -> Module:
    """Save a module of the working draft as edited in the back office; a new number prefix
    renumbers its sections (their numbers start with it)."""
    with revision(user=user, comment=""):
        module.save()
    if "number_prefix" in changed_fields:
        module_renumber(module=module)
    return module


def section_shift(*, section: Section, offset: int, user: User | None = None) -> Section:
    """Move a section up (offset -1) or down (+1) among its siblings."""
    return section_move(
        section=section,
        parent=section.parent,
        position=max(1, section.position + offset),
        user=user,
        comment=_("Section moved up") if offset < 0 else _("Section moved down"),
    )


def _deleted(sections: list[Section]) -> str:
    labels = ", ".join(f"{section.number} ({section.key})" for section in sections)
    return ngettext(
        "Section deleted: %(sections)s", "Sections deleted: %(sections)s", len(sections)
    ) % {"sections": labels}


@transaction.atomic
def section_delete(*, section: Section, user: User | None = None, comment: str = "") -> None:
    """Remove a section without sub-sections from the working draft.

    Its versions stay in the history, so it can be recovered; published editions keep it.
    reversion cannot version a row that no longer exists, so the revision that records the
    deletion (who, when, comment) holds its module, and the siblings that moved up.
    """
    if section.children.exists():
        raise ValidationError(
            _("Move or delete the sub-sections of this section first."), code="has_children"
        )
    module = section.module
    with revision(user=user, comment=comment or _deleted([section])):
        section.delete()
        reversion.add_to_revision(module)
        module_renumber(module=module)


@transaction.atomic
def sections_delete(*, sections: list[Section], user: User | None = None) -> None:
    """Remove several sections, sub-sections before their parents, as one revision."""
    with revision(user=user, comment=_deleted(sections)):
        for section in sorted(sections, key=lambda s: s.depth, reverse=True):
            section_delete(section=section, user=user)


@transaction.atomic
def module_delete(*, module: Module, user: User | None = None, comment: str = "") -> None:
    """Remove a module without sections or feedback from the working draft.

    Its last state is recorded first, so the admin's recover list can bring it back.
    """
    if module.sections.exists():
        raise ValidationError(_("Delete the sections of this module first."), code="has_sections")
    if module.feedback.exists():
        raise ValidationError(
            _("Feedback is about this module: it cannot be deleted (feedback is never lost)."),
            code="has_feedback",
        )
    versioning.record_before_deletion(
        module, user=user, comment=comment or _("Module %(code)s deleted") % {"code": module.code}
    )
    module.delete()
