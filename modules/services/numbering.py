"""Section numbers, places among siblings, and when each language's text changed."""

from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from modules import versioning
from modules.models import (
    LANGS,
    Module,
    Section,
)

SECTION_TEXT_FIELDS = [f"{name}_{lang}" for name in ("title", "body") for lang in LANGS]


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


def append_position(*, module: Module, parent: Section | None) -> int:
    last = Section.objects.siblings_of(module=module, parent=parent).last()
    return (last.position if last else 0) + 1


def place_among_siblings(section: Section, *, parent: Section | None, position: int) -> None:
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
