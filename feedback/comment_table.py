"""The comment table of the review kit: a workbook a workshop or a ministry fills in offline.

Three sheets in the reader's language, made with openpyxl: the comments to fill in, in the
columns of ISO's commenting template (State or organisation, paragraph, type, comment,
proposed change, the secretariat's observations), with drop-down lists for the paragraph and
the type; the paragraphs of the edition (or module) with their identifiers ("B.4.5 ¶3", as
readers' #p3 links number them), titles and first words; and how to fill it in. The
identifiers name a paragraph of one edition: an identifier and the edition number in the
workbook (a custom document property) are what a filled table is read back by
(feedback.table_import).
"""

import io
from dataclasses import dataclass
from typing import cast

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from feedback.models import Kind
from feedback.table_import import EDITION_PROPERTY, LANGUAGE_PROPERTY, MODULE_PROPERTY
from modules import excerpts
from modules import selectors as content
from modules.labels import section_number
from modules.models import Edition, EditionModule

ROWS_OFFERED = 300  # rows formatted and validated for comments
FIRST_WORDS = 120
WRAPPED = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F0")


def paragraph_id(number: str, paragraph: int) -> str:
    """The identifier of a paragraph: the section's number and ¶ with its place, B.4.5 ¶3."""
    return f"{section_number(number)} ¶{paragraph}"


@dataclass(frozen=True)
class Paragraph:
    identifier: str
    section_key: str
    section_title: str
    first_words: str


def paragraphs(edition: Edition, module: EditionModule | None = None) -> list[Paragraph]:
    """Every numbered paragraph of the edition (or one module), in reading order, with its
    text in the active language (the English where the Russian is missing)."""
    sections = content.get_full_sections(edition)
    if module is not None:
        sections = [s for s in sections if s.module_id == module.pk]
    found = []
    for section in sections:
        body = section.body_html  # in the active language, falling back to English
        for place, text in enumerate(excerpts.paragraphs(str(body)), start=1):
            found.append(
                Paragraph(
                    identifier=paragraph_id(section.number, place),
                    section_key=section.key,
                    section_title=section.title,
                    first_words=excerpts.shorten(text, FIRST_WORDS),
                )
            )
    return found


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _printable(sheet) -> None:
    """Printed landscape, as wide as the page, the header row on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"


def _header(sheet, titles: list[str], widths: list[int]) -> None:
    _printable(sheet)
    sheet.append(titles)
    for column, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=column)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, WRAPPED
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"


def kinds() -> list[str]:
    """The types of comment as the table offers them, in the active language."""
    return [str(label) for _value, label in Kind.choices]


def comment_table(edition: Edition, language: str, module: EditionModule | None = None) -> bytes:
    """The workbook for commenting on ``edition`` (or one module), in the active language."""
    listed = paragraphs(edition, module)
    book = Workbook()
    comments = cast(Worksheet, book.active)
    comments.title = _("Comments")[:31]
    _header(
        comments,
        [
            _("State or organisation"),
            pgettext("a numbered paragraph of a section", "Paragraph"),
            _("Type"),
            _("Comment"),
            _("Proposed change"),
            _("Observations of the secretariat"),
        ],
        [28, 16, 14, 60, 50, 40],
    )
    for row in range(2, ROWS_OFFERED + 2):
        for column in range(1, 7):
            comments.cell(row=row, column=column).alignment = WRAPPED
            comments.cell(row=row, column=column).number_format = "@"  # text, never a date

    sheet_name = _("Paragraphs")[:31]
    paragraph_sheet = book.create_sheet(sheet_name)
    _header(
        paragraph_sheet,
        [_("Identifier"), _("Section"), _("First words"), _("Section key")],
        [16, 40, 70, 30],
    )
    for paragraph in listed:
        paragraph_sheet.append(
            [
                paragraph.identifier,
                _text(paragraph.section_title),
                _text(paragraph.first_words),
                paragraph.section_key,
            ]
        )
    last = len(listed) + 1
    choose_paragraph = DataValidation(
        type="list",
        formula1=f"='{sheet_name}'!$A$2:$A${max(last, 2)}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Unknown paragraph"),
        error=_("Choose the paragraph from the list (the sheet “%(sheet)s” lists them).")
        % {"sheet": sheet_name},
    )
    choose_type = DataValidation(
        type="list",
        formula1='"' + ",".join(kinds()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Unknown type"),
        error=_("Choose general, technical or editorial."),
    )
    for validation, letter in ((choose_paragraph, "B"), (choose_type, "C")):
        comments.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{ROWS_OFFERED + 1}")

    guide = book.create_sheet(_("How to fill it in")[:31])
    _printable(guide)
    guide.column_dimensions["A"].width = 110
    scope = module.title if module is not None else _("the whole text")
    lines = [
        _("Comment table"),
        _(
            "Technical guidelines to facilitate the implementation of Security Council resolution 2370 (2017)"
        ),
        _("Edition %(number)s, %(scope)s.") % {"number": edition.number, "scope": scope},
        "",
        _("One comment per row, on the sheet “%(sheet)s”.") % {"sheet": comments.title},
        _(
            "State or organisation: who makes the comment (a State, an organisation or a "
            "person, as it should appear)."
        ),
        _(
            "Paragraph: choose its identifier from the list (for example %(example)s: section "
            "%(section)s, paragraph %(place)s, as the paragraphs are numbered online). Leave it "
            "empty for a "
            "comment on the whole text."
        )
        % {
            "example": listed[0].identifier if listed else "B.4.5 ¶3",
            "section": listed[0].identifier.split(" ")[0] if listed else "B.4.5",
            "place": listed[0].identifier.split("¶")[1] if listed else "3",
        },
        _("Type: general, technical or editorial."),
        _("Comment: what should change, and why. Proposed change: the wording you suggest."),
        _("Observations of the secretariat: leave empty; the editors answer there."),
        "",
        _(
            "Return the table to the editors with the workshop or letter it comes with. Each "
            "comment is then recorded, considered and answered, and its answer is published."
        ),
    ]
    for line in lines:
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    for cell in guide["A"]:
        cell.alignment = WRAPPED
        # Spreadsheets do not grow a row to its wrapped text when printing: give it room.
        lines_needed = max(1, -(-len(str(cell.value or "")) // 100))
        guide.row_dimensions[cell.row].height = 16 * lines_needed
    book.properties.title = f"{_('Comment table')}: {edition.number}"
    book.properties.language = language
    # What a filled table is read back by (feedback.table_import).
    for name, value in (
        (EDITION_PROPERTY, edition.number),
        (LANGUAGE_PROPERTY, language),
        (MODULE_PROPERTY, module.slug if module is not None else ""),
    ):
        if value:
            properties = book.custom_doc_props  # type: ignore[attr-defined]  # openpyxl 3.1
            properties.append(StringProperty(name=name, value=value))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
