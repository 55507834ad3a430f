"""What changed between two editions, section by section, and in one section over time.

Published editions never change, so comparisons and diffs are computed once and cached. The
same functions compare the working draft with an edition (staff preview): they take lists of
EditionSection objects, saved or not.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from modules.diff import Diff, diff_blocks, diff_text, text_blocks
from modules.models import Edition, EditionModule, EditionSection

CACHE_SECONDS = 60 * 60 * 24 * 30
CACHE_VERSION = 2  # 2: with the reasons given for the changes

ADDED, REMOVED, CHANGED, MOVED, RENUMBERED = "added", "removed", "changed", "moved", "renumbered"
STATUS_LABELS = {
    ADDED: _("Added"),
    REMOVED: _("Removed"),
    CHANGED: _("Changed"),
    MOVED: _("Moved"),
    RENUMBERED: _("Renumbered"),
}


@dataclass
class SectionChange:
    """One section that differs between two editions."""

    key: str
    module: EditionModule
    old: EditionSection | None
    new: EditionSection | None
    statuses: list[str]
    old_module: EditionModule | None = None

    @property
    def current(self) -> EditionSection:
        return self.new or self.old  # type: ignore[return-value]

    @property
    def labels(self) -> list[tuple[str, str]]:
        """(status, translated label) pairs, for badges."""
        return [(status, str(STATUS_LABELS[status])) for status in self.statuses]

    @property
    def text_changed(self) -> bool:
        return bool({ADDED, REMOVED, CHANGED} & set(self.statuses))


@dataclass
class ModuleChanges:
    module: EditionModule
    changes: list[SectionChange] = field(default_factory=list)


@dataclass
class Comparison:
    older_number: str
    newer_number: str
    modules: list[ModuleChanges]
    unchanged: int

    def count(self, status: str) -> int:
        return sum(status in c.statuses for m in self.modules for c in m.changes)

    def counts(self) -> dict[str, int]:
        return {status: self.count(status) for status in STATUS_LABELS}

    def changes(self) -> Iterable[SectionChange]:
        for module in self.modules:
            yield from module.changes

    def get(self, key: str) -> SectionChange | None:
        return next((c for c in self.changes() if c.key == key), None)


def compare_sections(
    *,
    old: list[EditionSection],
    new: list[EditionSection],
    old_modules: list[EditionModule],
    new_modules: list[EditionModule],
    older_number: str,
    newer_number: str,
) -> Comparison:
    """Classify every section of two outlines (bodies not needed: hashes tell changes)."""
    old_by_key = {s.key: s for s in old}
    new_by_key = {s.key: s for s in new}
    old_module = {m.pk: m for m in old_modules}
    new_module = {m.pk: m for m in new_modules}
    slug_order = {m.slug: m.order for m in [*old_modules, *new_modules]}
    groups: dict[str, ModuleChanges] = {}
    unchanged = 0

    def place(section: EditionSection, module: EditionModule) -> tuple[int, str, str]:
        return (slug_order.get(module.slug, 0), module.slug, section.sort_key)

    entries = []
    for key in old_by_key.keys() | new_by_key.keys():
        before, after = old_by_key.get(key), new_by_key.get(key)
        module = new_module[after.module_id] if after else old_module[before.module_id]  # type: ignore[union-attr]
        statuses = _statuses(before, after, old_module, new_module)
        if not statuses:
            unchanged += 1
            continue
        entries.append((place(after or before, module), key, module, before, after, statuses))  # type: ignore[arg-type]

    for _place, key, module, before, after, statuses in sorted(entries, key=lambda e: e[0]):
        group = groups.setdefault(module.slug, ModuleChanges(module=module))
        was_in = old_module[before.module_id] if before else None
        group.changes.append(SectionChange(key, module, before, after, statuses, was_in))
    return Comparison(older_number, newer_number, list(groups.values()), unchanged)


def _statuses(
    before: EditionSection | None,
    after: EditionSection | None,
    old_module: dict[int, EditionModule],
    new_module: dict[int, EditionModule],
) -> list[str]:
    if before is None:
        return [ADDED]
    if after is None:
        return [REMOVED]
    statuses = []
    if before.text_hash != after.text_hash:
        statuses.append(CHANGED)
    moved_module = old_module[before.module_id].slug != new_module[after.module_id].slug
    if moved_module or before.parent_key != after.parent_key:
        statuses.append(MOVED)
    if before.number != after.number:
        statuses.append(RENUMBERED)
    return statuses


def compare_editions(older: Edition, newer: Edition) -> Comparison:
    """The changes from ``older`` to ``newer`` (two queries, then cached)."""
    key = f"comparison:{older.pk}:{newer.pk}"
    result = cache.get(key, version=CACHE_VERSION)
    if result is None:
        modules = list(EditionModule.objects.filter(edition__in=[older, newer]))
        sections = list(
            EditionSection.objects.filter(edition__in=[older, newer]).outline(
                "change_reason_en", "change_reason_ru"
            )
        )
        result = compare_sections(
            old=[s for s in sections if s.edition_id == older.pk],
            new=[s for s in sections if s.edition_id == newer.pk],
            old_modules=[m for m in modules if m.edition_id == older.pk],
            new_modules=[m for m in modules if m.edition_id == newer.pk],
            older_number=older.number,
            newer_number=newer.number,
        )
        cache.set(key, result, CACHE_SECONDS, version=CACHE_VERSION)
    return result


@dataclass
class SectionDiff:
    """A section's title and body compared in one language."""

    title: Diff
    body: Diff
    other_language_only: bool = False


def diff_section(old: EditionSection | None, new: EditionSection | None, lang: str) -> SectionDiff:
    """Compare one section in ``lang``; English stands in where Russian is missing."""

    def text(section: EditionSection | None, name: str) -> str:
        if section is None:
            return ""
        return getattr(section, f"{name}_{lang}") or getattr(section, f"{name}_en")

    title = diff_text(text(old, "title"), text(new, "title"))
    body = diff_blocks(text_blocks(text(old, "body_html")), text_blocks(text(new, "body_html")))
    other_only = (
        old is not None
        and new is not None
        and not (title.changed or body.changed)
        and old.text_hash != new.text_hash
    )
    return SectionDiff(title=title, body=body, other_language_only=other_only)


def section_diffs(
    older: Edition, newer: Edition, changes: list[SectionChange], langs: Iterable[str]
) -> dict[str, dict[str, SectionDiff]]:
    """Diffs, per section key and language, of the sections whose text changed (cached)."""
    langs = tuple(langs)
    wanted = [c for c in changes if c.text_changed]
    cache_keys = {
        c.key: f"section-diff:{older.pk}:{newer.pk}:{c.key}:{'-'.join(langs)}" for c in wanted
    }
    found = cache.get_many(list(cache_keys.values()), version=CACHE_VERSION)
    missing = [c for c in wanted if cache_keys[c.key] not in found]
    if missing:
        fields = ["key", "edition_id", "text_hash"] + [
            f"{name}_{lang}" for name in ("title", "body_html") for lang in {*langs, "en"}
        ]
        bodies = {
            (s.edition_id, s.key): s
            for s in EditionSection.objects.filter(
                edition__in=[older, newer], key__in=[c.key for c in missing]
            ).only(*fields)
        }
        computed = {
            cache_keys[c.key]: {
                lang: diff_section(
                    bodies.get((older.pk, c.key)), bodies.get((newer.pk, c.key)), lang
                )
                for lang in langs
            }
            for c in missing
        }
        cache.set_many(computed, CACHE_SECONDS, version=CACHE_VERSION)
        found.update(computed)
    return {key: found[cache_key] for key, cache_key in cache_keys.items()}


@dataclass
class TimelineEntry:
    """An edition in which a section appeared, changed or disappeared."""

    edition_number: str
    published_on: object
    status: str
    previous_number: str | None
    number: str
    title: str
    # The section as this edition has it (as the edition before had it when removed here).
    section: EditionSection

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])


def section_timeline(key: str, editions: list[Edition]) -> list[TimelineEntry]:
    """The editions in which this section was added, changed, moved or removed, oldest first
    (one query). ``editions`` are all published editions, newest first.
    """
    rows = {
        s.edition_id: s
        for s in EditionSection.objects.filter(key=key).only(
            "edition_id",
            "key",
            "parent_key",
            "number",
            "title_en",
            "title_ru",
            "text_hash",
            "change_reason_en",
            "change_reason_ru",
            "module_id",
        )
    }
    entries: list[TimelineEntry] = []
    previous: EditionSection | None = None
    previous_edition: Edition | None = None
    for edition in reversed(editions):
        current = rows.get(edition.pk)
        status = None
        if current is not None and previous is None:
            status = ADDED
        elif current is None and previous is not None:
            status = REMOVED
        elif current is not None and previous is not None:
            if current.text_hash != previous.text_hash:
                status = CHANGED
            elif current.parent_key != previous.parent_key:
                status = MOVED
            elif current.number != previous.number:
                status = RENUMBERED
        if status:
            shown = current or previous
            entries.append(
                TimelineEntry(
                    edition_number=edition.number,
                    published_on=edition.published_on,
                    status=status,
                    previous_number=previous_edition.number if previous_edition else None,
                    number=shown.number,  # type: ignore[union-attr]
                    title=shown.title,  # type: ignore[union-attr]
                    section=shown,  # type: ignore[arg-type]
                )
            )
        previous, previous_edition = current, edition
    return entries
