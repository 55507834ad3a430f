"""A consultation round's disposition report: what became of each comment sent in it (and the
same table for the comments received at a workshop).

The ISO-style comment resolution table, by module and section (comments from States first
within a section), with each decision, the response, the contributor's answer and the link
to the change; the counts by module, by category of submitter and by decision; the bars of
the charts. Read in a fixed number of queries whatever the number of comments.

A comment is listed once its decision has been published with an edition (its response
then stands) and only if its contributor allowed publication; the others are counted, never
shown. Decisions taken but not yet published count as awaiting one, as readers see them.
Spam is neither listed nor counted.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from feedback.models import (
    ACCEPTED_STATUSES,
    Category,
    ConsultationRound,
    Feedback,
    Status,
    Workshop,
)
from feedback.selectors import change_url
from modules import selectors as content
from modules.labels import section_number
from modules.models import Edition, EditionModule, EditionSection

# What readers are told became of a comment, in the order the report counts them.
OUTCOMES: dict[str, object] = {
    "incorporated": gettext_lazy("Incorporated in an edition"),
    "accepted": gettext_lazy("Accepted, change to come"),
    "not_accepted": gettext_lazy("Not accepted"),
    "out_of_scope": gettext_lazy("Out of scope"),
    "duplicate": gettext_lazy("Duplicate"),
    "awaiting": gettext_lazy("Decision not yet published"),
}
WHOLE = "whole"  # the group of comments on the guidelines as a whole

ITEM_FIELDS = (
    "reference", "section_key", "section_number", "paragraph", "module__code", "kind",
    "comment", "proposed_wording", "summary_en", "summary_ru", "response_en", "response_ru",
    "category", "country", "name", "organisation", "may_name", "publishable", "status",
    "late", "answer", "created_at", "responded_in_id", "incorporated_in__number",
    "incorporated_in__major", "incorporated_in__minor", "duplicate_of__reference",
    "duplicate_of__confidentiality",
    "language", "round_id", "module_id", "incorporated_in_id", "duplicate_of_id",
    "confidentiality", "redacted_comment", "redacted_proposed_wording",
)  # fmt: skip


def outcome(item: Feedback) -> str:
    """The key in OUTCOMES of what readers are told became of ``item``."""
    if item.responded_in_id is None:
        return "awaiting"
    if item.incorporated_in_id is not None:
        return "incorporated"
    if item.status in ACCEPTED_STATUSES:
        return "accepted"
    if item.status in (Status.NOT_ACCEPTED, Status.OUT_OF_SCOPE, Status.DUPLICATE):
        return str(item.status)
    return "awaiting"  # a published decision reopened since: under review again


@dataclass
class Row:
    """One line of the table."""

    feedback: Feedback
    group: str  # module code, or WHOLE
    group_title: str
    section: EditionSection | None
    change_url: str
    section_url: str = ""  # the paragraph (or section) in the edition under consultation

    @property
    def section_label(self) -> str:
        if self.section is not None:
            return f"{section_number(self.section.number)} {self.section.title}"
        return section_number(self.feedback.section_number)

    @property
    def paragraph_label(self) -> str:
        paragraph = self.feedback.paragraph
        return _("paragraph %(number)s") % {"number": paragraph} if paragraph else ""

    @property
    def comment_text(self) -> str:
        """The editors' public summary, else the redacted form, else the comment itself."""
        return self.feedback.public_comment

    @property
    def proposed_text(self) -> str:
        """The proposed wording as published (none when a summary stands for the whole)."""
        return self.feedback.public_proposed_wording

    @property
    def outcome(self) -> str:
        return outcome(self.feedback)


@dataclass
class Bar:
    """One bar of a chart: a label, its total, and a segment per outcome (x and width as a
    percentage of the longest bar)."""

    label: str
    counts: dict[str, int]
    total: int = 0
    segments: list[tuple[str, float, float, int]] = field(default_factory=list)


@dataclass
class Chart:
    bars: list[Bar]
    totals: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def _chart(labelled: list[tuple[str, Counter]]) -> Chart:
    bars = [Bar(label, {key: counts.get(key, 0) for key in OUTCOMES}) for label, counts in labelled]
    longest = max((sum(b.counts.values()) for b in bars), default=0) or 1
    totals = dict.fromkeys(OUTCOMES, 0)
    for bar in bars:
        x = 0.0
        for key, count in bar.counts.items():
            if count:
                width = 100 * count / longest
                bar.segments.append((key, round(x, 3), round(width, 3), count))
                x += width
            totals[key] += count
        bar.total = sum(bar.counts.values())
    return Chart(bars, totals)


@dataclass
class ModuleGroup:
    code: str
    title: str
    rows: list[Row]


@dataclass
class Report:
    """What became of a set of comments (a round's, a workshop's), as the table shows it."""

    modules: list[EditionModule]  # the modules of the edition the comments were read in
    groups: list[ModuleGroup]  # only groups with listed rows
    by_module: Chart
    by_category: Chart
    counted: int  # every comment but spam
    late: int
    unlisted: int  # decision published, the comment not (its contributor's or editors' choice)

    @property
    def rows(self) -> list[Row]:
        return [row for group in self.groups for row in group.rows]

    @property
    def listed(self) -> int:
        return sum(len(group.rows) for group in self.groups)

    @property
    def awaiting(self) -> int:
        return self.by_module.totals["awaiting"]


@dataclass
class Disposition(Report):
    """A consultation round's disposition report."""

    consultation: ConsultationRound

    @property
    def address(self) -> str:
        return reverse("feedback:disposition", kwargs={"pk": self.consultation.pk})


@dataclass
class WorkshopReport(Report):
    """What became of the comments made at a workshop."""

    workshop: Workshop


def workshop_report(workshop: Workshop, editions: list[Edition]) -> WorkshopReport:
    """The comments made at ``workshop`` (its edition loaded), as a round's are reported."""
    found = report(Feedback.objects.filter(workshop=workshop), workshop.edition, editions)
    return WorkshopReport(**vars(found), workshop=workshop)


def round_with_edition(pk: int) -> ConsultationRound | None:
    """The round and its edition (one query), or None."""
    return ConsultationRound.objects.select_related("edition").filter(pk=pk).first()


def round_disposition(consultation: ConsultationRound, editions: list[Edition]) -> Disposition:
    """The report of ``consultation`` (its edition loaded). ``editions``: every published
    edition, newest first. Three queries: the comments, the edition's modules and the
    sections they are about."""
    found = report(Feedback.objects.filter(round=consultation), consultation.edition, editions)
    return Disposition(**vars(found), consultation=consultation)


def report(items_wanted, edition: Edition, editions: list[Edition]) -> Report:
    """What became of the comments of ``items_wanted`` (a Feedback queryset), read in
    ``edition``. ``editions``: every published edition, newest first. Three queries."""
    items = list(
        items_wanted.exclude(status=Status.SPAM)
        .select_related("module", "incorporated_in", "duplicate_of")
        .only(*ITEM_FIELDS)
        .order_by()
    )
    modules: list[EditionModule] = content.get_edition_modules(edition)
    by_code = {m.code: m for m in modules}
    keys = {item.section_key for item in items if item.section_key}
    sections = _sections(edition, keys)
    previous = content.previous_editions(editions)
    published = {e.pk: e for e in editions}
    order = [WHOLE, *(m.code for m in modules)]
    titles = {WHOLE: _("The guidelines as a whole"), **{m.code: m.title for m in modules}}

    rows: dict[str, list[Row]] = {}
    by_module: dict[str, Counter] = {}
    by_category: dict[str, Counter] = {}
    unlisted = 0
    for item in items:
        section = sections.get(item.section_key)
        if section is not None:
            code = section.module.code
        elif item.module is not None and item.module.code in by_code:
            code = item.module.code
        else:
            code = WHOLE
        kind = outcome(item)
        by_module.setdefault(code, Counter())[kind] += 1
        by_category.setdefault(item.category, Counter())[kind] += 1
        if kind == "awaiting":
            continue
        if not item.is_published:
            unlisted += 1
            continue
        if item.incorporated_in_id in published:
            item.incorporated_in = published[item.incorporated_in_id]
        row = Row(item, code, titles[code], section, change_url(item, previous))
        if section is not None:
            row.section_url = _section_url(edition, section, item.paragraph)
        rows.setdefault(code, []).append(row)

    groups = [
        ModuleGroup(code, titles[code], sorted(rows[code], key=_row_order))
        for code in order
        if code in rows
    ]
    module_bars = [(titles[code], by_module[code]) for code in order if code in by_module]
    category_bars = [
        (str(label), by_category[value])
        for value, label in Category.choices
        if value in by_category
    ]
    return Report(
        modules=modules,
        groups=groups,
        by_module=_chart(module_bars),
        by_category=_chart(category_bars),
        counted=len(items),
        late=sum(1 for item in items if item.late),
        unlisted=unlisted,
    )


def _sections(edition: Edition, keys: set[str]) -> dict[str, EditionSection]:
    if not keys:
        return {}
    fields = ("key", "number", "sort_key", "title_en", "title_ru", "module__code",
              "module__slug")  # fmt: skip
    found = EditionSection.objects.filter(edition=edition, key__in=keys).select_related("module")
    return {s.key: s for s in found.only(*fields)}


def _section_url(edition: Edition, section: EditionSection, paragraph: int | None) -> str:
    kwargs = {"edition": edition.number, "module": section.module.slug, "key": section.key}
    url = reverse("modules:edition_section", kwargs=kwargs)
    return f"{url}#p{paragraph}" if paragraph else url


def _row_order(row: Row) -> tuple:
    item = row.feedback
    section_order = row.section.sort_key if row.section is not None else ""
    return (
        section_order,
        item.section_number if row.section is None else "",
        item.category != Category.STATE,  # States first
        item.paragraph or 0,
        item.created_at,
        item.reference,
    )


# The columns of the table, as the XLSX and the page name them (gettext_lazy by its own name:
# makemessages finds no string marked through another alias).
COLUMNS = [
    gettext_lazy("Reference"),
    gettext_lazy("Module"),
    gettext_lazy("Section"),
    pgettext_lazy("a numbered paragraph of a section", "Paragraph"),
    gettext_lazy("Type"),
    gettext_lazy("Contributor"),
    gettext_lazy("Comment"),
    gettext_lazy("Proposed change"),
    gettext_lazy("Decision"),
    gettext_lazy("Response"),
    gettext_lazy("The contributor's answer"),
    gettext_lazy("Link to the change"),
    gettext_lazy("Sent after the deadline"),
]
