"""Writes to the guidelines content: keyword-only, atomic, validated, versioned.

Every change to the working draft goes through a django-reversion revision, so changes made
here (by the admin, management commands or data migrations) all appear in the history.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reversion.models import Version

from modules import pdf_services, search, signals, snapshots, versioning, xliff
from modules.markdown import render_markdown
from modules.models import (
    LANGS,
    Edition,
    EditionCorrection,
    EditionModule,
    EditionSection,
    Module,
    Section,
    parse_edition_number,
)
from modules.versioning import revision

SECTION_TEXT_FIELDS = [f"{name}_{lang}" for name in ("title", "body") for lang in LANGS]


# --- Numbering -------------------------------------------------------------------------


def module_renumber(*, module: Module) -> int:
    """Recompute number, depth, sort key and dense positions of every section of a module.

    Returns how many rows changed. One read and at most one bulk write, whatever the size.
    Sections whose position changed are recorded in the revision (number, sort key and
    depth are derived, and not versioned).
    """
    sections = list(Section.objects.filter(module=module).order_by("position", "pk"))
    children: dict[int | None, list[Section]] = defaultdict(list)
    for section in sections:
        children[section.parent_id].append(section)

    changed: list[Section] = []
    moved: list[Section] = []

    def walk(parent_id: int | None, prefix: list[int], depth: int) -> None:
        for index, section in enumerate(children.get(parent_id, []), start=1):
            path = [*prefix, index]
            values = {
                "position": index,
                "depth": depth,
                "number": module.number_prefix + ".".join(str(n) for n in path),
                "sort_key": ".".join(f"{n:04d}" for n in path),
            }
            if section.position != index:
                moved.append(section)
            if any(getattr(section, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(section, field, value)
                changed.append(section)
            walk(section.pk, path, depth + 1)

    walk(None, [], 1)
    if changed:
        Section.objects.bulk_update(changed, ["position", "depth", "number", "sort_key"])
        versioning.record(moved, comment=_("Sections renumbered"))
    return len(changed)


def stamp_text_changes(section: Section, changed_fields: set[str]) -> None:
    """Record when each language's text changed (call before saving the section)."""
    now = timezone.now()
    for lang in LANGS:
        if {f"title_{lang}", f"body_{lang}"} & changed_fields:
            setattr(section, f"{lang}_changed_at", now)


def _append_position(*, module: Module, parent: Section | None) -> int:
    last = Section.objects.siblings_of(module=module, parent=parent).last()
    return (last.position if last else 0) + 1


# --- Working draft ---------------------------------------------------------------------


@transaction.atomic
def module_create(
    *, user: AbstractBaseUser | None = None, comment: str = "", **fields: Any
) -> Module:
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
    user: AbstractBaseUser | None = None,
    comment: str = "",
    **texts: str,
) -> Section:
    """Add a section to the working draft, after its siblings (section_move places it)."""
    section = Section(module=module, parent=parent, key=key, **texts)
    stamp_text_changes(section, {field for field, value in texts.items() if value})
    section.position = _append_position(module=module, parent=parent)
    section.full_clean(exclude=["position"])
    with revision(user=user, comment=comment or _("Section created")):
        section.save()
        module_renumber(module=module)
    section.refresh_from_db()
    return section


@transaction.atomic
def section_update(
    *, section: Section, user: AbstractBaseUser | None = None, comment: str = "", **texts: str
) -> Section:
    """Change the titles and bodies of a section (any of title_en, body_ru, ...)."""
    unknown = set(texts) - set(SECTION_TEXT_FIELDS)
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
    user: AbstractBaseUser | None = None,
    comment: str = "",
) -> Section:
    """Move a section (with its sub-sections) under ``parent`` at ``position`` (1-based).

    The key never changes; numbers of every affected section are recomputed.
    """
    section = Section.objects.select_for_update().get(pk=section.pk)
    section.parent = parent
    section.full_clean()
    with revision(user=user, comment=comment or _("Section moved")):
        _place(section, parent=parent, position=position)
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
    user: AbstractBaseUser | None = None,
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
def module_update(
    *, module: Module, changed_fields: set[str], user: AbstractBaseUser | None = None
) -> Module:
    """Save a module of the working draft as edited in the back office; a new number prefix
    renumbers its sections (their numbers start with it)."""
    with revision(user=user, comment=""):
        module.save()
    if "number_prefix" in changed_fields:
        module_renumber(module=module)
    return module


def section_shift(
    *, section: Section, offset: int, user: AbstractBaseUser | None = None
) -> Section:
    """Move a section up (offset -1) or down (+1) among its siblings."""
    return section_move(
        section=section,
        parent=section.parent,
        position=max(1, section.position + offset),
        user=user,
        comment=_("Section moved up") if offset < 0 else _("Section moved down"),
    )


def _place(section: Section, *, parent: Section | None, position: int) -> None:
    siblings = [
        s
        for s in Section.objects.siblings_of(module=section.module, parent=parent)
        if s.pk != section.pk
    ]
    index = min(max(position, 1), len(siblings) + 1) - 1
    siblings.insert(index, section)
    shifted = []
    for number, sibling in enumerate(siblings, start=1):
        if sibling.position != number:
            sibling.position = number
            shifted.append(sibling)
    section.save()
    Section.objects.bulk_update(shifted, ["position"])
    versioning.record(shifted, comment=_("Section moved"))


# --- Editions --------------------------------------------------------------------------


def _validate_new_edition_number(number: str) -> tuple[int, int]:
    major, minor = parse_edition_number(number)
    latest = Edition.objects.current()
    if latest is not None and (major, minor) <= (latest.major, latest.minor):
        raise ValidationError(
            _("The edition number must be greater than the latest edition, %(latest)s.")
            % {"latest": latest.number},
            code="not_greater",
        )
    return major, minor


# Security Council resolution 2370 was adopted on 2 August 2017: no edition is older.
EARLIEST_PUBLICATION_DATE = datetime.date(2017, 8, 2)
# A date a day ahead is allowed: publishing late in the evening for the next morning, or
# from a time zone ahead of the server's.
PUBLICATION_DATE_ALLOWANCE = datetime.timedelta(days=1)


def _validate_publication_date(
    published_on: datetime.date, *, previous: Edition | None, following: Edition | None = None
) -> None:
    """Refuse a date before the previous edition's (or before resolution 2370), after the
    following edition's, or in the future beyond a day."""
    date = formats.date_format
    error = None
    latest_allowed = timezone.localdate() + PUBLICATION_DATE_ALLOWANCE
    if previous is not None and published_on < previous.published_on:
        error = _("The publication date cannot be before that of edition %(number)s (%(date)s).")
        error %= {"number": previous.number, "date": date(previous.published_on)}
    elif published_on < EARLIEST_PUBLICATION_DATE:
        error = _(
            "The publication date cannot be before the adoption of resolution 2370 (%(date)s)."
        ) % {"date": date(EARLIEST_PUBLICATION_DATE)}
    elif following is not None and published_on > following.published_on:
        error = _("The publication date cannot be after that of edition %(number)s (%(date)s).")
        error %= {"number": following.number, "date": date(following.published_on)}
    elif published_on > latest_allowed:
        error = _("The publication date cannot be later than %(date)s.") % {
            "date": date(latest_allowed)
        }
    if error:
        raise ValidationError({"published_on": error}, code="date")


def edition_number_suggestion() -> str:
    """The next minor number after the latest edition (1.0 when there is none)."""
    latest = Edition.objects.current()
    return f"{latest.major}.{latest.minor + 1}" if latest else "1.0"


@transaction.atomic
def edition_publish(
    *,
    number: str,
    published_on: datetime.date,
    change_summary_en: str,
    change_summary_ru: str = "",
    user: AbstractBaseUser | None = None,
    notify: bool = True,
) -> Edition:
    """Publish the working draft as edition ``number``: freeze every module and section.

    Accepted feedback that the edition's changes address becomes "incorporated" in it, and
    its contributors are told (unless ``notify`` is False, as for demonstration data).

    Refuses a number that is malformed or not greater than the latest edition, an empty
    change summary and an empty draft. Sections are written with bulk inserts: the number of
    queries grows with insert batches (SQLite allows about 60 rows a batch), never per section.
    """
    # Serialise concurrent publications: lock the latest edition row, if any.
    list(Edition.objects.select_for_update().order_by("-major", "-minor")[:1])
    major, minor = _validate_new_edition_number(number)
    _validate_publication_date(published_on, previous=Edition.objects.current())
    if not change_summary_en.strip():
        raise ValidationError(_("Write a change summary in English."), code="required")
    modules = list(Module.objects.in_order())
    sections = list(Section.objects.select_related("parent").order_by("module_id", "sort_key"))
    if not sections:
        raise ValidationError(
            _("The working draft has no sections: there is nothing to publish."), code="empty"
        )

    # The fingerprint is part of the edition's row: computed from the draft before inserting.
    fingerprint = snapshots.edition_fingerprint(*snapshots.freeze_draft(modules, sections))
    previous = Edition.objects.current()
    before = dict(previous.sections.values_list("key", "text_hash")) if previous else {}
    after = {s.key: snapshots.text_hash(s) for s in sections}
    edition = Edition(
        number=number,
        major=major,
        minor=minor,
        published_on=published_on,
        published_by=user if user is not None and user.is_authenticated else None,
        change_summary_en=change_summary_en,
        change_summary_ru=change_summary_ru,
        change_summary_html_en=render_markdown(change_summary_en, id_prefix="changes"),
        change_summary_html_ru=render_markdown(change_summary_ru, id_prefix="changes"),
        sections_added=len(after.keys() - before.keys()),
        sections_removed=len(before.keys() - after.keys()),
        sections_changed=sum(1 for k in after.keys() & before.keys() if after[k] != before[k]),
        text_fingerprint=fingerprint,
    )
    edition.save()

    frozen_modules = EditionModule.objects.bulk_create(
        [snapshots.freeze_module(edition, module) for module in modules]
    )
    by_module_id = {m.pk: fm for m, fm in zip(modules, frozen_modules, strict=True)}
    EditionSection.objects.bulk_create(
        [snapshots.freeze_section(edition, by_module_id[s.module_id], s) for s in sections],
        batch_size=500,
    )
    search.index_sections(EditionSection.objects.filter(edition=edition))
    # The apps above content follow (feedback: items this edition answers are incorporated).
    changed = {k for k in after if before.get(k) != after[k]}
    signals.edition_published.send(
        sender=Edition, edition=edition, changed_keys=changed, notify=notify
    )
    # Its PDFs are built in the background, once the edition is committed.
    pdf_services.pdfs_queue_edition(edition=edition)
    return edition


@transaction.atomic
def edition_correct_date(
    *,
    edition: Edition,
    published_on: datetime.date,
    reason_en: str,
    reason_ru: str = "",
    user: AbstractBaseUser | None = None,
) -> EditionCorrection:
    """Correct the publication date of a published edition; its text stays as it is.

    The date must fit between the neighbouring editions' dates and a reason is required;
    the correction (date before and after, reason, who, when) is kept beside the edition and
    shown to readers. The edition's PDFs, which print the date, are built again (all but one
    being built at this moment, which keeps the date it started with: build it again).
    """
    # Every edition is locked: two corrections of neighbours at once cannot each pass against
    # the other's old date.
    ordered = list(Edition.objects.select_for_update().order_by("-major", "-minor"))
    index = next(i for i, e in enumerate(ordered) if e.pk == edition.pk)
    locked = ordered[index]
    if not reason_en.strip():
        raise ValidationError({"reason_en": _("Say in English why the date is corrected.")})
    if published_on == locked.published_on:
        raise ValidationError({"published_on": _("That is already the edition's date.")})
    _validate_publication_date(
        published_on,
        previous=ordered[index + 1] if index + 1 < len(ordered) else None,
        following=ordered[index - 1] if index > 0 else None,
    )
    correction = EditionCorrection.objects.create(
        edition=locked,
        published_on_before=locked.published_on,
        published_on=published_on,
        reason_en=reason_en.strip(),
        reason_ru=reason_ru.strip(),
        corrected_by=user if user is not None and user.is_authenticated else None,
    )
    Edition.objects.set_publication_date(locked, published_on)
    edition.published_on = published_on
    pdf_services.pdfs_rebuild(pdfs=locked.pdfs.all())
    return correction


def _deleted(sections: list[Section]) -> str:
    labels = ", ".join(f"{section.number} ({section.key})" for section in sections)
    return ngettext(
        "Section deleted: %(sections)s", "Sections deleted: %(sections)s", len(sections)
    ) % {"sections": labels}


@transaction.atomic
def section_delete(
    *, section: Section, user: AbstractBaseUser | None = None, comment: str = ""
) -> None:
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
def sections_delete(*, sections: list[Section], user: AbstractBaseUser | None = None) -> None:
    """Remove several sections, sub-sections before their parents, as one revision."""
    with revision(user=user, comment=_deleted(sections)):
        for section in sorted(sections, key=lambda s: s.depth, reverse=True):
            section_delete(section=section, user=user)


@transaction.atomic
def module_delete(
    *, module: Module, user: AbstractBaseUser | None = None, comment: str = ""
) -> None:
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


def section_revert(*, version, user: AbstractBaseUser | None = None) -> Section:
    """Bring a section back to an earlier version (both languages), then renumber."""
    when = f"{version.revision.date_created:%Y-%m-%d %H:%M}"
    with revision(user=user, comment=_("Reverted to the version of %(date)s") % {"date": when}):
        version_restore(version)
        section = Section.objects.get(pk=version.object_id)
        section.save()  # re-render the HTML from the restored Markdown
        module_renumber(module=section.module)
    section.refresh_from_db()
    return section


@dataclass
class TranslationImportReport:
    """What an XLIFF import did, unit by unit (section number, field)."""

    updated: list[tuple[str, str]] = dataclass_field(default_factory=list)
    unchanged: list[tuple[str, str]] = dataclass_field(default_factory=list)
    skipped: list[tuple[str, str, str]] = dataclass_field(default_factory=list)


@transaction.atomic
def translation_import(
    *, module: Module, units, user: AbstractBaseUser | None = None
) -> TranslationImportReport:
    """Write the Russian texts rebuilt from XLIFF units into the working draft (Russian only).

    A title or body is refused, with the reason for each unit at fault, when its section is
    unknown, its English changed since the export, or a target would break its Markdown; a
    text equal to the current one is reported unchanged, never updated. Each changed section
    is saved once, as a revision by ``user``.
    """
    report = TranslationImportReport()
    sections = {s.key: s for s in Section.objects.filter(module=module)}
    grouped: dict[tuple[str, str], list] = defaultdict(list)
    for unit in units:
        grouped[(unit.key, unit.field)].append(unit)
    changes: dict[str, dict[str, str]] = defaultdict(dict)
    for (key, field), field_units in grouped.items():
        section = sections.get(key)
        if section is None:
            report.skipped.append((key, field, _("no such section in this module")))
            continue
        outcome = xliff.russian_text(section=section, field=field, units=field_units)
        for problem in outcome.problems or ():
            report.skipped.append((section.number, field, problem))
        if outcome.text is None and not outcome.problems:
            report.skipped.append((section.number, field, _("the file has no Russian text for it")))
        if outcome.problems or outcome.text is None:
            continue
        text = outcome.text.rstrip()
        if text == (getattr(section, f"{field}_ru") or "").replace("\r\n", "\n").rstrip():
            report.unchanged.append((section.number, field))
            continue
        limit = Section._meta.get_field(f"{field}_ru").max_length
        if limit is not None and len(text) > limit:
            reason = _("the Russian text is longer than %(limit)d characters") % {"limit": limit}
            report.skipped.append((section.number, field, reason))
            continue
        changes[key][f"{field}_ru"] = text
        report.updated.append((section.number, field))
    comment = _("Russian text imported from XLIFF")
    with revision(user=user, comment=comment):
        for key, texts in changes.items():
            section_update(section=sections[key], user=user, comment=comment, **texts)
    return report
