"""What an alert says: the changes an edition made, line by line, in both languages, and
which of them each subscriber follows."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import translation

from alerts.models import Follow, Scope
from guidelines_portal.public_address import absolute_url
from modules import labels
from modules.comparison import STATUS_LABELS, compare_editions
from modules.models import LANGS, Edition, EditionModule, EditionSection


def _in(row: object, name: str, lang: str) -> str:
    """A field in ``lang``, English standing in where the Russian is not written."""
    return getattr(row, f"{name}_{lang}", "") or getattr(row, f"{name}_en", "") or ""


@dataclass(frozen=True)
class ChangeLine:
    """One section an edition changed, as every language's message shows it."""

    key: str
    module: str  # the module it is in now (or was in, if removed)
    earlier_module: str  # the module it was in before (the same unless moved)
    number: dict[str, str]
    statuses: tuple[str, ...]
    title: dict[str, str]
    module_title: dict[str, str]
    reason: dict[str, str]
    url: dict[str, str]

    def follows(self, scope: str, target: str) -> bool:
        if scope == Scope.WHOLE:
            return True
        if scope == Scope.MODULE:
            return target in (self.module, self.earlier_module)
        return target == self.key

    def labels(self, lang: str) -> list[str]:
        with translation.override(lang):
            return [str(STATUS_LABELS[status]) for status in self.statuses]


@dataclass
class EditionChanges:
    edition: Edition
    previous: Edition
    lines: list[ChangeLine]


def edition_changes(edition: Edition, previous: Edition) -> EditionChanges:
    """Every section ``edition`` added, changed, moved, renumbered or removed since
    ``previous`` (the comparison is cached: one computation for every subscriber)."""
    comparison = compare_editions(previous, edition)
    lines = []
    for change in comparison.changes():
        section = change.current
        was_in = change.old_module or change.module
        urls, numbers = {}, {}
        for lang in LANGS:
            with translation.override(lang):
                numbers[lang] = labels.section_number(section.number)
                path = reverse(
                    "modules:section_change",
                    kwargs={"older": previous.number, "newer": edition.number, "key": change.key},
                )
            urls[lang] = absolute_url(path)
        lines.append(
            ChangeLine(
                key=change.key,
                module=change.module.slug,
                earlier_module=was_in.slug,
                number=numbers,
                statuses=tuple(change.statuses),
                title={lang: _in(section, "title", lang) for lang in LANGS},
                module_title={lang: _in(change.module, "title", lang) for lang in LANGS},
                reason={lang: getattr(section, f"change_reason_{lang}", "") for lang in LANGS},
                url=urls,
            )
        )
    return EditionChanges(edition, previous, lines)


def followed_lines(lines: Iterable[ChangeLine], follows: Iterable[tuple[str, str]]) -> list:
    follows = list(follows)
    return [line for line in lines if any(line.follows(s, t) for s, t in follows)]


@dataclass
class ModuleGroup:
    title: str
    lines: list[ChangeLine] = field(default_factory=list)


def by_module(lines: Iterable[ChangeLine], lang: str) -> list[ModuleGroup]:
    groups: dict[str, ModuleGroup] = {}
    for line in lines:
        groups.setdefault(line.module, ModuleGroup(line.module_title[lang])).lines.append(line)
    return list(groups.values())


def confirmed_follows(subscriber_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """The confirmed follows of these subscribers, in one query."""
    follows: dict[int, list[tuple[str, str]]] = {}
    rows = Follow.objects.filter(
        subscriber_id__in=list(subscriber_ids), confirmed_at__isnull=False
    ).values_list("subscriber_id", "scope", "target")
    for subscriber_id, scope, target in rows:
        follows.setdefault(subscriber_id, []).append((scope, target))
    return follows


@dataclass
class FollowLabel:
    follow: Follow
    label: str
    gone: bool = False


def follow_labels(follows: Iterable[Follow], edition: Edition | None) -> list[FollowLabel]:
    """What each follow is called in the reader's language, from the current edition (two
    queries): "1.2 Marking", "Module: Small arms", "The whole guidelines"."""
    follows = list(follows)
    modules = {m.slug: m for m in EditionModule.objects.filter(edition=edition)}
    keys = [f.target for f in follows if f.scope == Scope.SECTION]
    sections = {
        s.key: s
        for s in EditionSection.objects.filter(edition=edition, key__in=keys).only(
            "key", "number", "title_en", "title_ru"
        )
    }
    lang = translation.get_language() or LANGS[0]
    names = []
    for follow in follows:
        if follow.scope == Scope.WHOLE:
            names.append(FollowLabel(follow, str(Scope.WHOLE.label)))
        elif follow.scope == Scope.MODULE and follow.target in modules:
            names.append(FollowLabel(follow, _in(modules[follow.target], "title", lang)))
        elif follow.scope == Scope.SECTION and follow.target in sections:
            section = sections[follow.target]
            number = labels.section_number(section.number)
            names.append(FollowLabel(follow, f"{number} {_in(section, 'title', lang)}"))
        else:
            names.append(FollowLabel(follow, follow.target, gone=True))
    return names
