"""Russian texts from a translation tool (XLIFF) written into the working draft."""

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Field
from django.utils.translation import gettext as _

from modules import xliff
from modules.models import (
    Module,
    Section,
)
from modules.services.draft import section_update
from modules.versioning import revision


@dataclass
class TranslationImportReport:
    """What an XLIFF import did, unit by unit (section number, field)."""

    updated: list[tuple[str, str]] = dataclass_field(default_factory=list)
    unchanged: list[tuple[str, str]] = dataclass_field(default_factory=list)
    skipped: list[tuple[str, str, str]] = dataclass_field(default_factory=list)


@transaction.atomic
def translation_import(
    *, module: Module, units, user: User | None = None
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
        column = Section._meta.get_field(f"{field}_ru")
        limit = column.max_length if isinstance(column, Field) else None
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
