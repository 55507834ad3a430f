"""Reads for the public pages: each helper fetches what a page shows, or raises Http404.

Public pages only ever read published editions; the working draft is for staff.
"""

from dataclasses import dataclass, field

from django.http import Http404
from django.utils.translation import gettext as _

from modules.models import Edition, EditionModule, EditionSection


def get_edition(number: str | None) -> Edition:
    """The edition with ``number``, or the current edition when ``number`` is None."""
    edition = Edition.objects.current() if number is None else Edition.objects.by_number(number)
    if edition is None:
        if number is None:
            raise Http404(_("No edition of the guidelines has been published yet."))
        raise Http404(_("There is no edition %(number)s.") % {"number": number})
    return edition


def get_edition_modules(edition: Edition) -> list[EditionModule]:
    return list(edition.modules.order_by("order", "code"))


def get_module(modules: list[EditionModule], slug: str) -> EditionModule:
    for module in modules:
        if module.slug == slug:
            return module
    raise Http404(_("This edition has no module “%(slug)s”.") % {"slug": slug})


@dataclass
class TocEntry:
    section: EditionSection
    children: list["TocEntry"] = field(default_factory=list)


@dataclass
class Outline:
    """A module's sections in reading order, with tree look-ups done in memory."""

    sections: list[EditionSection]
    by_key: dict[str, EditionSection] = field(init=False)

    def __post_init__(self) -> None:
        self.by_key = {s.key: s for s in self.sections}

    def tree(self) -> list[TocEntry]:
        entries = {s.key: TocEntry(s) for s in self.sections}
        roots: list[TocEntry] = []
        for section in self.sections:
            parent = entries.get(section.parent_key)
            (parent.children if parent else roots).append(entries[section.key])
        return roots

    def ancestors(self, section: EditionSection) -> list[EditionSection]:
        chain: list[EditionSection] = []
        node = self.by_key.get(section.parent_key)
        while node is not None and node not in chain:
            chain.insert(0, node)
            node = self.by_key.get(node.parent_key)
        return chain

    def children(self, section: EditionSection) -> list[EditionSection]:
        return [s for s in self.sections if s.parent_key == section.key]

    def neighbours(
        self, section: EditionSection
    ) -> tuple[EditionSection | None, EditionSection | None]:
        index = next(i for i, s in enumerate(self.sections) if s.key == section.key)
        previous = self.sections[index - 1] if index > 0 else None
        following = self.sections[index + 1] if index + 1 < len(self.sections) else None
        return previous, following


def get_outline(module: EditionModule) -> Outline:
    return Outline(list(EditionSection.objects.filter(module=module).outline()))


def get_section(module: EditionModule, key: str) -> EditionSection:
    section = EditionSection.objects.filter(module=module, key=key).first()
    if section is None:
        raise Http404(_("This module has no section “%(key)s” in this edition.") % {"key": key})
    return section


@dataclass
class DraftOverview:
    """What publishing now would change, for the editor about to publish."""

    latest: Edition | None
    modules: int
    sections: int
    missing_russian: list[str]
    added: list[str]
    removed: list[str]
    changed: list[str]


def draft_overview() -> DraftOverview:
    """Compare the working draft with the latest edition (three queries)."""
    from modules.models import Module, Section

    latest = Edition.objects.current()
    fields = ("key", "number", "title_en", "title_ru", "body_en", "body_ru")
    draft = {s["key"]: s for s in Section.objects.order_by("sort_key").values(*fields)}
    published = {s["key"]: s for s in latest.sections.values(*fields)} if latest is not None else {}
    texts = fields[2:]
    return DraftOverview(
        latest=latest,
        modules=Module.objects.count(),
        sections=len(draft),
        missing_russian=[
            s["number"]
            for s in draft.values()
            if not s["title_ru"] or (s["body_en"] and not s["body_ru"])
        ],
        added=[s["number"] for k, s in draft.items() if k not in published],
        removed=[s["number"] for k, s in published.items() if k not in draft],
        changed=[
            s["number"]
            for k, s in draft.items()
            if k in published and any((s[f] or "") != published[k][f] for f in texts)
        ],
    )
