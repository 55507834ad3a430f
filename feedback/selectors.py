"""Reads for the feedback pages: what a comment can be about, and where decisions led."""

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from feedback.models import (
    ACCEPTED_STATUSES,
    PUBLIC_EVENT_KINDS,
    ConsultationRound,
    Feedback,
    FeedbackEvent,
    Status,
    Workshop,
    submission_fingerprint,
)
from modules import excerpts
from modules import selectors as content
from modules.labels import section_number
from modules.models import Edition, EditionSection, Module
from modules.snapshots import text_hash


def already_submitted(*, section_key: str, paragraph: int | None, data: dict) -> bool:
    """Whether this very comment (same address, place and words) is already stored."""
    fingerprint = submission_fingerprint(section_key=section_key, paragraph=paragraph, data=data)
    return Feedback.objects.filter(fingerprint=fingerprint).exists()


# Receipts one item may give out (a form sent again gets a tracking link of its own each time):
# beyond this, replaying the form stores nothing more.
MAX_RECEIPT_LINKS = 20


def receipt_links_exhausted(feedback: Feedback) -> bool:
    """Whether the item already has as many live tracking links as a receipt may add."""
    live = feedback.tracking_links.filter(expires_at__gt=timezone.now())
    return live.count() >= MAX_RECEIPT_LINKS


def tracked_item(token: str, editions: list[Edition]) -> Feedback | None:
    """The item behind a tracking link (None: unknown or expired) in one query: the editions
    it names (read, incorporated in) are taken from ``editions``, every published edition,
    which its page reads anyway. A token names one link: the query needs no ordering."""
    feedback = Feedback.objects.order_by().tracked_by(token)
    if feedback is not None:
        by_id = {edition.pk: edition for edition in editions}
        if feedback.edition_id in by_id:
            feedback.edition = by_id[feedback.edition_id]
        if feedback.incorporated_in_id in by_id:
            feedback.incorporated_in = by_id[feedback.incorporated_in_id]
    return feedback


def change_url(feedback: Feedback, previous: dict[int, Edition]) -> str:
    """The section's change in the edition that incorporated the item ("" when none)."""
    newer_id = feedback.incorporated_in_id
    older = previous.get(newer_id) if newer_id is not None else None
    if older is None or not feedback.section_key:
        return ""
    newer = feedback.incorporated_in
    if newer is None:  # its id was found among the editions: it is there
        return ""
    return reverse(
        "modules:section_change",
        kwargs={
            "older": older.number,
            "newer": newer.number,
            "key": feedback.section_key,
        },
    )


def public_history(feedback: Feedback) -> QuerySet[FeedbackEvent]:
    """What the contributor may see of an item's history: no notes, people or e-mail."""
    return feedback.events.filter(kind__in=PUBLIC_EVENT_KINDS).only(
        "at", "kind", "new_status", "text", "feedback_id"
    )


def response_items(edition: Edition) -> list[Feedback]:
    """The publishable items whose decision this edition's response to comments gives."""
    return list(
        Feedback.objects.publishable()
        .filter(responded_in=edition)
        .select_related("incorporated_in", "duplicate_of")
        .order_by("section_key", "created_at", "pk")
    )


def section_numbers(edition: Edition, keys: set[str]) -> dict[str, EditionSection]:
    """The sections with these keys as they stand in ``edition``, with their modules."""
    sections = EditionSection.objects.filter(edition=edition, key__in=keys).select_related("module")
    fields = ("key", "number", "sort_key", "title_en", "title_ru", "module__order",
              "module__title_en", "module__title_ru")  # fmt: skip
    return {s.key: s for s in sections.only(*fields)}


def incorporated_between(
    older: Edition, newer: Edition, editions: list[Edition], keys: set[str] | None = None
) -> dict[str, list[Feedback]]:
    """{section key: [publishable items incorporated after ``older``, up to ``newer``]}."""
    span = [
        e.pk
        for e in editions
        if (older.major, older.minor) < (e.major, e.minor) <= (newer.major, newer.minor)
    ]
    items = (
        Feedback.objects.publishable()
        .filter(incorporated_in__in=span)
        .select_related("incorporated_in")
        .only("reference", "section_key", "incorporated_in__number")
        .order_by("reference")
    )
    if keys is not None:
        items = items.filter(section_key__in=keys)
    by_key: dict[str, list[Feedback]] = {}
    for item in items:
        by_key.setdefault(item.section_key, []).append(item)
    return by_key


@dataclass
class ResponseRow:
    """One line of an edition's response to comments."""

    feedback: Feedback
    section: EditionSection | None
    change_url: str

    @property
    def group(self) -> str:
        """The module the row is listed under (comments on the whole text come first)."""
        if self.section is not None:
            return self.section.module.title
        return _("The guidelines as a whole")

    @property
    def order(self) -> tuple:
        if self.section is None:
            return (-1, "", self.feedback.reference)
        return (self.section.module.order, self.section.sort_key, self.feedback.reference)

    @property
    def section_label(self) -> str:
        if self.section is not None:
            return f"{section_number(self.section.number)} {self.section.title}"
        return self.feedback.section_number or _("The guidelines as a whole")

    @property
    def comment_text(self) -> str:
        """The editors' public summary, else the redacted form, else the comment itself."""
        return self.feedback.public_comment

    def as_csv(self, base_url: str) -> list[str]:
        item = self.feedback
        return [
            item.reference,
            self.section_label,
            item.get_kind_display(),
            self.comment_text,
            item.public_contributor,
            item.public_decision,
            item.response,
            base_url + self.change_url if self.change_url else "",
            item.get_answer_display() if item.answer else "",
        ]


# gettext_lazy by its own name: makemessages finds no string marked through another alias.
RESPONSE_COLUMNS = [
    gettext_lazy("Reference"),
    gettext_lazy("Section"),
    gettext_lazy("Type"),
    gettext_lazy("Comment"),
    gettext_lazy("Contributor"),
    gettext_lazy("Decision"),
    gettext_lazy("Response"),
    gettext_lazy("Link to the change"),
    gettext_lazy("The contributor's answer"),
]


def response_rows(
    edition: Edition, items: list[Feedback], editions: list[Edition]
) -> list[ResponseRow]:
    previous = content.previous_editions(editions)
    sections = section_numbers(edition, {i.section_key for i in items if i.section_key})
    rows = [
        ResponseRow(item, sections.get(item.section_key), change_url(item, previous))
        for item in items
    ]
    return sorted(rows, key=lambda row: row.order)


def decision_counts(rows: list[ResponseRow]) -> dict[str, int]:
    counts = {"total": len(rows), "incorporated": 0, "accepted": 0, "other": 0}
    for row in rows:
        if row.feedback.is_incorporated:
            counts["incorporated"] += 1
        elif row.feedback.status in ACCEPTED_STATUSES:
            counts["accepted"] += 1
        else:
            counts["other"] += 1
    return counts


@dataclass
class IncorporationPreview:
    """What publishing the draft now would do to feedback recorded as addressed."""

    incorporated: list[Feedback]
    unchanged: list[Feedback]


def incorporation_preview() -> IncorporationPreview:
    """Split addressed items: their section changed since the latest edition, or not."""
    items = list(
        Feedback.objects.awaiting_change()
        .filter(addressed_at__isnull=False)
        .select_related("section")
        .order_by("section_key", "reference")
    )
    latest = Edition.objects.current()
    published = (
        dict(
            latest.sections.filter(key__in={i.section_key for i in items}).values_list(
                "key", "text_hash"
            )
        )
        if latest and items
        else {}
    )
    preview = IncorporationPreview([], [])
    for item in items:
        changed = item.section is not None and published.get(item.section_key) != text_hash(
            item.section
        )
        (preview.incorporated if changed else preview.unchanged).append(item)
    return preview


def response_counts() -> dict[int, int]:
    """{edition id: number of publishable items in its response to comments} (one query)."""
    rows = (
        Feedback.objects.publishable()
        .filter(responded_in__isnull=False)
        .values("responded_in")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["responded_in"]: row["count"] for row in rows}


# --- Consultation rounds -----------------------------------------------------------------


# The form page names the open rounds from a list kept this long (a new round or a later
# deadline shows within it); whether a comment belongs to a round is always read afresh.
ROUNDS_SHOWN_SECONDS = 30


def open_rounds(edition: Edition, at: datetime.datetime) -> list[ConsultationRound]:
    """The rounds open on ``edition`` at ``at``, soonest deadline first, with their modules,
    for the form page: no query while the edition's list of rounds not yet closed is kept
    (see ROUNDS_SHOWN_SECONDS); a round leaves it at its deadline to the second."""
    key = f"feedback:rounds-shown:{edition.pk}"
    kept = cache.get(key)
    if kept is None:
        kept = rounds_ahead(edition, at)
        cache.set(key, kept, ROUNDS_SHOWN_SECONDS)
    return [r for r in kept if r.is_open_at(at)]


def rounds_ahead(edition: Edition, at: datetime.datetime) -> list[ConsultationRound]:
    """The rounds on ``edition`` not closed at ``at`` (open or upcoming), soonest deadline
    first, with their modules, read afresh (one query; two when there is one)."""
    return list(
        ConsultationRound.objects.filter(edition=edition, closes_at__gt=at)
        .prefetch_related("modules")
        .order_by("closes_at", "pk")
    )


@dataclass(frozen=True)
class RoundVerdict:
    """What becomes of a comment on a part of an edition, sent at a moment."""

    consultation: ConsultationRound | None = None  # the round it belongs to
    late: bool = False
    refused_by: ConsultationRound | None = None  # closed, refusing late comments


def round_for_comment(
    *,
    edition: Edition | None,
    module: Module | None,
    at: datetime.datetime,
    shown: dict[int, datetime.datetime],
) -> RoundVerdict:
    """The round a comment belongs to: one open on its edition and part; else, among the
    rounds its form named as open when it was rendered (``shown``: id -> that moment, as the
    site signed it), one that covers it and has closed since: the comment is late, or
    refused if that round refuses late comments."""
    if edition is None:
        return RoundVerdict()
    covering = ConsultationRound.objects.covering(edition, module)
    consultation = covering.open_at(at).order_by("closes_at", "pk").first()
    if consultation is not None:
        return RoundVerdict(consultation)
    closed = covering.closed_at(at).filter(pk__in=shown).order_by("-closes_at", "pk").first()
    if closed is None or shown[closed.pk] >= closed.closes_at:
        return RoundVerdict()
    if closed.accepts_late:
        return RoundVerdict(closed, late=True)
    return RoundVerdict(refused_by=closed)


@dataclass(frozen=True)
class PublicRounds:
    open: list[ConsultationRound]
    upcoming: list[ConsultationRound]
    closed: list[ConsultationRound]


def public_rounds(at: datetime.datetime) -> PublicRounds:
    """Every round, sorted into open, upcoming and closed at ``at`` (three queries at most:
    the rounds, their modules, their editions)."""
    rounds = list(
        ConsultationRound.objects.select_related("edition")
        .prefetch_related("modules")
        .order_by("closes_at", "pk")
    )
    return PublicRounds(
        open=[r for r in rounds if r.is_open_at(at)],
        upcoming=sorted((r for r in rounds if r.opens_at > at), key=lambda r: r.opens_at),
        closed=[r for r in reversed(rounds) if r.closes_at <= at],
    )


def public_round(pk: int) -> ConsultationRound | None:
    """One round with its edition, modules, extensions and the number of comments in it."""
    return (
        ConsultationRound.objects.select_related("edition")
        .prefetch_related("modules", "extensions")
        .annotate(comment_count=Count("items", filter=~Q(items__status=Status.SPAM)))
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class AsRead:
    """The text an item is about, as its contributor read it: the edition, the language, the
    section (and paragraph) and, where the item names a paragraph, its text."""

    edition: Edition
    section: EditionSection
    language: str
    paragraph: int | None
    paragraph_text: str | None

    @property
    def url(self) -> str:
        """The section in that edition and language, at the paragraph."""
        with translation.override(self.language):
            path = reverse(
                "modules:edition_section",
                kwargs={
                    "edition": self.edition.number,
                    "module": self.section.module.slug,
                    "key": self.section.key,
                },
            )
        return path + (f"#p{self.paragraph}" if self.paragraph else "")


def _read_in(item: Feedback, section: EditionSection | None) -> AsRead | None:
    if section is None:
        return None
    language = item.language if item.language in ("en", "ru") else "en"
    body = getattr(section, f"body_html_{language}")
    if not body:  # no Russian text in that edition: readers were shown the English
        language, body = "en", section.body_html_en
    text = excerpts.paragraph(body, item.paragraph) if item.paragraph else None
    return AsRead(
        edition=section.edition,
        section=section,
        language=language,
        paragraph=item.paragraph,
        paragraph_text=text,
    )


def _placed(items) -> list[Feedback]:
    return [i for i in items if i.section_key and i.edition_id is not None]


def as_read(item: Feedback) -> AsRead | None:
    """What ``item`` was written about, from the edition it was read in (one query); None for a
    comment on a module or the whole text, or one recorded without its edition."""
    return as_read_many([item])[item.pk]


def as_read_many(items: list[Feedback]) -> dict[int, AsRead | None]:
    """``as_read`` for a page of items, in one query: item pk -> what it was written about."""
    placed = _placed(items)
    found: dict[tuple[int, str], EditionSection] = {}
    if placed:
        pairs = Q(pk__in=[])
        for item in placed:
            pairs |= Q(edition_id=item.edition_id, key=item.section_key)
        for section in EditionSection.objects.select_related("edition", "module").filter(pairs):
            found[(section.edition_id, section.key)] = section
    return {
        item.pk: _read_in(item, found.get((item.edition_id, item.section_key)))  # type: ignore[arg-type]
        for item in items
    }


def same_place(item: Feedback, limit: int = 20) -> list[Feedback]:
    """Other items on the same paragraph (or, for an item on a whole section, the same
    section), newest first: what a reviewer weighs together. Paragraph numbers differ between
    editions and languages, so a paragraph is the same only in the same edition and language."""
    if not item.section_key:
        return []
    others = Feedback.objects.filter(section_key=item.section_key).exclude(pk=item.pk)
    if item.paragraph:
        others = others.filter(
            paragraph=item.paragraph, edition_id=item.edition_id, language=item.language
        )
    return list(
        others.exclude(status=Status.SPAM)
        .select_related("incorporated_in")
        .order_by("-created_at", "-pk")[:limit]
    )


def public_workshops() -> list[Workshop]:
    """Every recorded workshop, latest first, with how many comments were made there."""
    return list(
        Workshop.objects.annotate(
            comment_count=Count("items", filter=~Q(items__status=Status.SPAM))
        ).order_by("-starts_on", "-pk")
    )


def workshop_slugs() -> list[str]:
    """The address names of every recorded workshop, latest first (for the sitemap)."""
    return list(Workshop.objects.order_by("-starts_on", "-pk").values_list("slug", flat=True))


def public_workshop(slug: str) -> Workshop | None:
    return Workshop.objects.select_related("edition").filter(slug=slug).first()
