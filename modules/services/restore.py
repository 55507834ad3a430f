"""Putting back an old version of a module or section (a revert, a recovery)."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from reversion.models import Version

from modules.models import (
    LANGS,
    Section,
)
from modules.services.numbering import SECTION_TEXT_FIELDS, module_renumber, stamp_text_changes
from modules.versioning import revision


@transaction.atomic
def version_restore(version) -> None:
    """Put back one object's version, and nothing else of its revision.

    A version holds no change stamps (they are bookkeeping), so reversion would blank them and
    hide a "Russian text outdated" flag: a section keeps its stamps, and the languages whose
    text the old version changes are stamped now.
    """
    stamps = ("en_changed_at", "ru_changed_at")
    is_section = version.content_type.model_class() is Section
    before = (
        Section.objects.filter(pk=version.object_id).values(*SECTION_TEXT_FIELDS, *stamps).first()
        if is_section
        else None
    )
    version.revert()
    if not is_section:
        return
    section = Section.objects.get(pk=version.object_id)
    if before is None:  # recovered after deletion: its history says when each language changed
        _stamp_from_history(section, upto=version)
    else:
        for stamp in stamps:
            setattr(section, stamp, before[stamp])
        stamp_text_changes(
            section, {f for f in SECTION_TEXT_FIELDS if before[f] != getattr(section, f)}
        )
    Section.objects.filter(pk=section.pk).update(**{s: getattr(section, s) for s in stamps})


def _stamp_from_history(section: Section, *, upto) -> None:
    """Set when each language's text last changed, from the section's versions up to ``upto``
    (the one being recovered), so an outdated Russian text is still flagged as such."""
    versions = (
        Version.objects.get_for_object_reference(Section, section.pk)
        .filter(revision__date_created__lte=upto.revision.date_created)
        .select_related("revision")
        .order_by("revision__date_created", "pk")
    )
    previous: dict = {}
    for old in versions:
        fields = old.field_dict
        for lang in LANGS:
            names = (f"title_{lang}", f"body_{lang}")
            if not previous or any(fields.get(n) != previous.get(n) for n in names):
                setattr(section, f"{lang}_changed_at", old.revision.date_created)
        previous = fields


def section_revert(*, version, user: User | None = None) -> Section:
    """Bring a section back to an earlier version (both languages), then renumber."""
    when = f"{version.revision.date_created:%Y-%m-%d %H:%M}"
    with revision(user=user, comment=_("Reverted to the version of %(date)s") % {"date": when}):
        version_restore(version)
        section = Section.objects.get(pk=version.object_id)
        section.save()  # re-render the HTML from the restored Markdown
        module_renumber(module=section.module)
    section.refresh_from_db()
    return section
