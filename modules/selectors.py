"""Reads for the public pages: each helper fetches what a page shows, or raises Http404.

Public pages only ever read published editions; the working draft is for staff.
"""

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from reversion.models import Version

from modules import snapshots
from modules.comparison import diff_section
from modules.diff import diff_blocks, diff_text, text_blocks
from modules.markdown import render_markdown
from modules.models import (
    LANGS,
    SOURCE_LANGUAGE,
    Edition,
    EditionModule,
    EditionSection,
    Module,
    ReviewStatus,
    Section,
    SectionReplacement,
    SectionReview,
    active_language,
)
from modules.search import NUMBER

# --- The edition being read -------------------------------------------------------------
# Lists of editions run newest first everywhere: [0] is the current edition.


def get_editions() -> list[Edition]:
    """Every published edition, newest first (one query)."""
    return list(Edition.objects.published())


def previous_editions(editions: list[Edition]) -> dict[int, Edition]:
    """{edition id: the edition before it}, from ``editions`` newest first."""
    return {newer.pk: older for newer, older in itertools.pairwise(editions)}


@dataclass(frozen=True)
class Reading:
    """The edition a page shows, among all published editions, with its modules."""

    edition: Edition
    editions: list[Edition]  # newest first
    modules: list[EditionModule]
    edition_in_url: bool  # /editions/<n>/...: the page names its edition

    @property
    def current(self) -> Edition:
        return self.editions[0]

    @property
    def is_current(self) -> bool:
        return self.edition.pk == self.current.pk

    def context(self) -> dict:
        """What every reading page's template reads (navigation, edition banner)."""
        return {
            "edition": self.edition,
            "current_edition": self.current,
            "is_current": self.is_current,
            "edition_in_url": self.edition_in_url,
            "modules": self.modules,
        }


def get_reading(
    number: str | None,
    *,
    fallback: bool = False,
    modules: Callable[[Edition], list[EditionModule]] | None = None,
) -> Reading:
    """The edition numbered ``number`` (the current one when None) with the site's editions
    and its modules, in two queries; Http404 when there is none. With ``fallback`` (a number
    from a query string, not from the address) an unknown number reads the current edition,
    and the page names its edition only when it is not the current one. ``modules`` gives an
    edition's modules instead of the second query (a caller that keeps them: they never
    change once published)."""
    editions = get_editions()
    if not editions:
        raise Http404(_("No edition of the guidelines has been published yet."))
    named = next((e for e in editions if e.number == number), None) if number else None
    if number is not None and named is None and not fallback:
        raise Http404(_("There is no edition %(number)s.") % {"number": number})
    edition = named or editions[0]
    in_url = edition.pk != editions[0].pk if fallback else number is not None
    return Reading(edition, editions, (modules or get_edition_modules)(edition), in_url)


def navigation(
    current: Edition | None, *, modules: Callable[[Edition], list[EditionModule]] | None = None
) -> dict:
    """The site navigation on pages outside any edition: the current edition and its
    modules (nothing before the first edition); ``modules`` as for get_reading()."""
    return {
        "current_edition": current,
        "modules": (modules or get_edition_modules)(current) if current else [],
    }


def get_navigation() -> dict:
    """navigation() for the current edition, fetched here."""
    return navigation(Edition.objects.current())


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

    def around(self, section: EditionSection) -> dict:
        """What a section page shows around its text: breadcrumbs, sub-sections, contents,
        previous and next."""
        previous, following = self.neighbours(section)
        return {
            "section": section,
            "ancestors": self.ancestors(section),
            "children": self.children(section),
            "toc": self.tree(),
            "previous": previous,
            "next": following,
        }

    def neighbours(
        self, section: EditionSection
    ) -> tuple[EditionSection | None, EditionSection | None]:
        index = next(i for i, s in enumerate(self.sections) if s.key == section.key)
        previous = self.sections[index - 1] if index > 0 else None
        following = self.sections[index + 1] if index + 1 < len(self.sections) else None
        return previous, following


def get_outline(module: EditionModule) -> Outline:
    return Outline(list(EditionSection.objects.filter(module=module).outline()))


# How the publish form names the language of each PDF it will build.
PDF_LANGUAGES = {"en": gettext_lazy("in English"), "ru": gettext_lazy("in Russian")}


REVIEW_LABELS = {
    "": gettext_lazy("not submitted for review"),
    ReviewStatus.SUBMITTED: gettext_lazy("awaiting review"),
    ReviewStatus.APPROVED: gettext_lazy("approved"),
    ReviewStatus.RETURNED: gettext_lazy("sent back"),
    "lapsed": gettext_lazy("changed since it was submitted"),
}


@dataclass(frozen=True)
class DraftSection:
    """A section named on the publish form: its number and its title in the editor's
    language (the English one where the Russian is missing)."""

    key: str
    number: str
    title: str
    # Its clearance, for a section added or changed since the latest edition: "" (never
    # submitted), or "submitted", "approved", "returned" for its text as it is now, or
    # "lapsed" (the text changed after it was submitted or approved).
    review: str = ""
    pk: int = 0

    def __str__(self) -> str:
        return self.number

    @property
    def approved(self) -> bool:
        return self.review == ReviewStatus.APPROVED

    @property
    def review_label(self) -> str:
        return str(REVIEW_LABELS[self.review])


@dataclass
class DraftOverview:
    """What publishing now would change, for the editor about to publish."""

    latest: Edition | None
    modules: list[Module]
    sections: int
    missing_russian: list[DraftSection]
    outdated_russian: list[DraftSection]
    added: list[DraftSection]
    removed: list[DraftSection]
    changed: list[DraftSection]

    @property
    def not_approved(self) -> list[DraftSection]:
        """The sections added or changed whose text as it is now is not approved."""
        return [s for s in [*self.added, *self.changed] if not s.approved]

    @property
    def russian_gaps(self) -> list[DraftSection]:
        """The sections without an up-to-date Russian text (missing or older than English)."""
        seen = {s.key for s in self.missing_russian}
        return [*self.missing_russian, *(s for s in self.outdated_russian if s.key not in seen)]

    @property
    def unchanged(self) -> bool:
        return self.latest is not None and not (self.added or self.changed or self.removed)

    @property
    def changes(self) -> list[tuple[str, list[DraftSection]]]:
        """(heading, sections) for the sections added, changed and removed."""
        return [
            (_("Sections added"), self.added),
            (_("Sections changed"), self.changed),
            (_("Sections removed"), self.removed),
        ]

    @property
    def pdfs(self) -> list[tuple[str, str]]:
        """The PDFs that publishing queues (modules.pdf_services.pdfs_queue_edition), as
        (what, language name) pairs: the whole text, then each module, in each language."""
        parts = [_("The whole guidelines"), *(str(m.title) for m in self.modules)]
        languages = [str(PDF_LANGUAGES[code]) for code, _name in settings.LANGUAGES]
        return [(part, language) for part in parts for language in languages]


def draft_overview() -> DraftOverview:
    """Compare the working draft with the latest edition, with the clearance of each change
    (five queries)."""
    latest = Edition.objects.current()
    fields = ("key", "number", "title_en", "title_ru", "body_en", "body_ru", "pk")
    stamps = ("en_changed_at", "ru_changed_at")
    draft = {s["key"]: s for s in Section.objects.order_by("sort_key").values(*fields, *stamps)}
    published = (
        {s["key"]: s for s in latest.sections.values(*fields[:-1])} if latest is not None else {}
    )
    texts = fields[2:-1]
    russian = get_language() == "ru"
    changed_keys = [
        k for k, s in draft.items()
        if k not in published or any((s[f] or "") != published[k][f] for f in texts)
    ]  # fmt: skip
    reviews: dict[int, tuple[str, str]] = {}  # section pk: (status, text hash), the latest
    for section_id, status, text_hash in SectionReview.objects.filter(
        section_id__in=[draft[k]["pk"] for k in changed_keys]
    ).values_list("section_id", "status", "text_hash"):  # newest first
        reviews.setdefault(section_id, (status, text_hash))

    def review_of(s: dict) -> str:
        status, text_hash = reviews.get(s["pk"], ("", ""))
        now = EditionSection.compute_text_hash(**{f: s[f] or "" for f in texts})
        return review_standing(status, text_hash, now)

    def named(s: dict, *, review: bool = False) -> DraftSection:
        title = (russian and s["title_ru"]) or s["title_en"]
        return DraftSection(
            key=s["key"], number=s["number"], title=title, pk=s.get("pk", 0),
            review=review_of(s) if review else "",
        )  # fmt: skip

    return DraftOverview(
        latest=latest,
        modules=list(Module.objects.in_order()),
        sections=len(draft),
        missing_russian=[
            named(s)
            for s in draft.values()
            if not s["title_ru"] or (s["body_en"] and not s["body_ru"])
        ],
        outdated_russian=[
            named(s)
            for s in draft.values()
            if s["ru_changed_at"] and s["en_changed_at"] and s["ru_changed_at"] < s["en_changed_at"]
        ],
        added=[named(draft[k], review=True) for k in changed_keys if k not in published],
        removed=[named(s) for k, s in published.items() if k not in draft],
        changed=[named(draft[k], review=True) for k in changed_keys if k in published],
    )


def review_standing(status: str, reviewed_hash: str, current_hash: str) -> str:
    """Where a section's latest review leaves its text as it is now: the review's status while
    it is about that very text, "lapsed" once the text changed after it was submitted, ""
    without a review."""
    if not status:
        return ""
    return status if reviewed_hash == current_hash else "lapsed"


@dataclass
class SectionClearance:
    """Where a section's change stands in review (see DraftSection.review), with the latest
    submission; "unchanged" when the draft's text is the latest edition's."""

    status: str
    review: SectionReview | None

    @property
    def label(self) -> str:
        if self.status == "unchanged":
            return str(_("no change since the latest edition"))
        return str(REVIEW_LABELS[self.status])


def section_clearance(section: Section) -> SectionClearance:
    """The clearance of ``section``'s text as it is now (two queries)."""
    current = snapshots.text_hash(section)
    latest = Edition.objects.current()
    published = (
        latest.sections.filter(key=section.key).values_list("text_hash", flat=True).first()
        if latest is not None
        else None
    )
    review = section.reviews.select_related("submitted_by", "decided_by").first()
    if published == current:
        return SectionClearance("unchanged", review)
    if review is None:
        return SectionClearance("", None)
    return SectionClearance(review_standing(review.status, review.text_hash, current), review)


def draft_section_diffs(section: Section) -> list[tuple[str, object]]:
    """[(language, SectionDiff)]: ``section`` in the draft against the latest edition."""
    latest = Edition.objects.current()
    old = latest.sections.filter(key=section.key).first() if latest is not None else None
    new = snapshots.freeze_section(None, snapshots.freeze_module(None, section.module), section)
    return [(lang, diff_section(old, new, lang)) for lang in LANGS]


@dataclass(frozen=True)
class ChangeReason:
    """Why a section changed in an edition, in the reader's language where it was given."""

    text: str
    lang: str


def reasons_of(sections: Iterable[EditionSection]) -> dict[str, ChangeReason]:
    """{key: reason} of the sections that give one (English where no Russian was given)."""
    lang = active_language()
    found = {}
    for section in sections:
        own = getattr(section, f"change_reason_{lang}", "")
        text, shown = (own, lang) if own else (section.change_reason_en, SOURCE_LANGUAGE)
        if text:
            found[section.key] = ChangeReason(text=text, lang=shown)
    return found


def get_section_in_any(key: str, editions: list[Edition]) -> EditionSection:
    """The section with ``key`` in the newest of ``editions`` that has it, or Http404."""
    section = EditionSection.objects.filter(key=key, edition__in=editions).newest_first().first()
    if section is None:
        raise Http404(_("There is no section “%(key)s” in these editions.") % {"key": key})
    return section


def find_section(module: EditionModule, key: str) -> EditionSection | None:
    section = EditionSection.objects.filter(module=module, key=key).first()
    if section is not None:
        section.module = module
    return section


def find_section_elsewhere(edition: Edition, key: str) -> EditionSection | None:
    """The section with ``key`` in another module of the same edition (it moved)."""
    return (
        EditionSection.objects.filter(edition=edition, key=key)
        .select_related("module")
        .only("key", "module__slug")
        .first()
    )


@dataclass
class RemovedSection:
    """A section that readers may still link to, though the current edition dropped it."""

    last: EditionSection
    removed_in: Edition | None
    replacement: EditionSection | None
    note: str


def get_removed_section(module_slug: str, key: str, current: Edition) -> RemovedSection | None:
    """Where a section the current edition lacks was last published, and its successor."""
    last = EditionSection.objects.filter(key=key, module__slug=module_slug).newest_first().first()
    if last is None:
        return None
    major, minor = last.edition.major, last.edition.minor
    removed_in = (
        Edition.objects.filter(Q(major__gt=major) | Q(major=major, minor__gt=minor))
        .order_by("major", "minor")
        .first()
    )
    note = SectionReplacement.objects.filter(removed_key=key).select_related("replaced_by").first()
    replacement = None
    if note is not None:
        replacement = (
            current.sections.filter(key=note.replaced_by.key).select_related("module").first()
        )
    return RemovedSection(last, removed_in, replacement, note.note if note else "")


@dataclass(frozen=True)
class SectionLookup:
    """What a section key in a module of the edition being read resolves to: the section
    (found), the same key in another module (moved), where it was last published when the
    current edition dropped it (removed), or nothing (unknown)."""

    found: EditionSection | None = None
    moved: EditionSection | None = None
    removed: RemovedSection | None = None


def resolve_section(reading: Reading, module: EditionModule, key: str) -> SectionLookup:
    """``key`` in ``module`` of the edition being read (one query when found). A removed
    section is looked for only on the current edition's own address: an old edition's
    address shows that edition as it was."""
    section = find_section(module, key)
    if section is not None:
        return SectionLookup(found=section)
    moved = find_section_elsewhere(reading.edition, key)
    if moved is not None:
        return SectionLookup(moved=moved)
    if reading.is_current and not reading.edition_in_url:
        removed = get_removed_section(module.slug, key, reading.edition)
        if removed is not None:
            return SectionLookup(removed=removed)
    return SectionLookup()


@dataclass
class Draft:
    """The working draft as unsaved snapshot objects, shaped like a published edition."""

    current: Edition | None
    modules: list[EditionModule]
    sections: list[EditionSection]

    def outline(self, module: EditionModule) -> Outline:
        return Outline([s for s in self.sections if s.module_id == module.pk])


def get_draft() -> Draft:
    """Freeze the working draft in memory (three queries), as publishing it would."""
    modules, sections = snapshots.freeze_draft(
        list(Module.objects.in_order()),
        list(Section.objects.select_related("parent").order_by("module__order", "sort_key")),
    )
    return Draft(current=Edition.objects.current(), modules=modules, sections=sections)


def get_full_sections(edition: Edition) -> list[EditionSection]:
    """Every section of an edition with its texts (for comparing with the draft)."""
    return list(edition.sections.order_by("sort_key"))


def book_parts(
    edition: Edition, module_slug: str = ""
) -> list[tuple[EditionModule, list[EditionSection]]]:
    """An edition's modules (or the one named) with their sections in reading order, for the
    files readers take away (EPUB, DOCX): two queries; 404 for a module it lacks."""
    modules = get_edition_modules(edition)
    if module_slug:
        modules = [get_module(modules, module_slug)]
    by_module: dict[int, list[EditionSection]] = {}
    for section in sorted(get_full_sections(edition), key=lambda s: s.sort_key):
        by_module.setdefault(section.module_id, []).append(section)
    return [(module, by_module.get(module.pk, [])) for module in modules]


def find_by_number_or_key(edition: Edition, query: str) -> list[EditionSection]:
    """Sections a query names directly: a key, a full number (B.4.5) or a bare one (4.5)."""

    text = query.strip()
    if len(text) > 80 or " " in text:
        return []
    condition = Q(key=text.lower())
    if NUMBER.match(text):
        condition |= Q(number__iexact=text.replace(" ", "")) | Q(number__iendswith=f".{text}")
    return list(
        edition.sections.filter(condition)
        .select_related("module")
        .order_by("module__order", "sort_key")[:10]
    )


@dataclass
class TranslationRow:
    section: object
    status: str


def _translation_status(section) -> str:
    if not section.title_ru or (section.body_en and not section.body_ru):
        return "missing"
    return "outdated" if section.russian_outdated else "current"


def translation_statuses(*, module_slug: str | None = None) -> list[TranslationRow]:
    """Every draft section with the state of its Russian text (one query)."""
    sections = Section.objects.select_related("module").order_by("module__order", "sort_key")
    if module_slug:
        sections = sections.filter(module__slug=module_slug)
    return [TranslationRow(s, _translation_status(s)) for s in sections]


def count_statuses(rows: list[TranslationRow]) -> dict[str, int]:
    counts = {"missing": 0, "outdated": 0, "current": 0}
    for row in rows:
        counts[row.status] += 1
    return counts


@dataclass
class TranslationDetail:
    section: object
    status: str
    since: object  # when the Russian text was last changed (None: never)
    title_diff: object
    body_diff: object


def english_as_translated(section) -> dict[str, str]:
    """The English title and body that the section's current Russian text translates: those of
    the oldest version, in the latest run of versions, whose Russian equals the current one
    (one query; empty texts when there is no Russian text)."""
    translated_from = {"title_en": "", "body_en": ""}
    if section.title_ru or section.body_ru:
        for version in Version.objects.get_for_object(section).only("serialized_data", "format"):
            fields = version.field_dict
            if (fields.get("title_ru"), fields.get("body_ru")) != (
                section.title_ru,
                section.body_ru,
            ):
                break
            translated_from = {
                "title_en": fields.get("title_en") or "",
                "body_en": fields.get("body_en") or "",
            }
    return translated_from


def translation_detail(key: str) -> TranslationDetail | None:
    """A draft section with the English changes its Russian text has not caught up with.

    The English "as translated" is taken from the oldest version, in the latest run of
    versions, whose Russian text equals the current one (two queries).
    """

    section = Section.objects.select_related("module").filter(key=key).first()
    if section is None:
        return None
    translated_from = english_as_translated(section)
    return TranslationDetail(
        section=section,
        status=_translation_status(section),
        since=section.ru_changed_at,
        title_diff=diff_text(translated_from["title_en"], section.title_en),
        body_diff=diff_blocks(
            text_blocks(render_markdown(translated_from["body_en"])),
            text_blocks(section.body_html_en),
        ),
    )


def get_citable(
    edition_number: str, module_slug: str = "", key: str = ""
) -> tuple[Edition, EditionModule | None, EditionSection | None]:
    """A published edition, or a module or a section in it, to cite (one query), or Http404."""
    if key:
        section = (
            EditionSection.objects.outline()
            .select_related("edition", "module")
            .filter(edition__number=edition_number, module__slug=module_slug, key=key)
            .first()
        )
        if section is None:
            raise Http404(_("This module has no section “%(key)s” in this edition.") % {"key": key})
        return section.edition, section.module, section
    if module_slug:
        module = (
            EditionModule.objects.select_related("edition")
            .filter(edition__number=edition_number, slug=module_slug)
            .first()
        )
        if module is None:
            raise Http404(_("This edition has no module “%(slug)s”.") % {"slug": module_slug})
        return module.edition, module, None
    edition = Edition.objects.by_number(edition_number)
    if edition is None:
        raise Http404(_("There is no edition %(number)s.") % {"number": edition_number})
    return edition, None, None
