"""The disposition report of a consultation round as a workbook (openpyxl, write-only).

Two sheets in the reader's language: the comments in the columns of an ISO comment
resolution table, and a summary (the round, its counts by module, category and decision).
Every text is written as text, never as a formula, whatever it begins with; characters a
workbook cannot hold (control characters) are left out.
"""

import datetime
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from feedback.disposition import COLUMNS, OUTCOMES, Chart, Disposition, Row

WIDTHS = [14, 24, 30, 11, 12, 28, 60, 45, 24, 60, 24, 40, 12]
WRAPPED = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
BOLD = Font(bold=True)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(sheet: WriteOnlyWorksheet, value, *, bold: bool = False, wrap: bool = False):
    if isinstance(value, str) or value is None:
        value = ILLEGAL_CHARACTERS_RE.sub("", str(value or ""))
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # "=..." stays text
    cell.alignment = WRAPPED if wrap else TOP
    if bold:
        cell.font = BOLD
    return cell


def _row_values(row: Row, base_url: str) -> list:
    item = row.feedback
    return [
        item.reference,
        row.group_title,
        row.section_label,
        item.paragraph or "",
        item.get_kind_display(),
        item.public_contributor,
        row.comment_text,
        row.proposed_text,
        item.public_decision,
        item.response,
        item.get_answer_display() if item.answer else "",
        base_url + row.change_url if row.change_url else "",
        _("yes") if item.late else "",
    ]


def _comments(book: Workbook, report: Disposition, base_url: str) -> None:
    sheet = book.create_sheet(_("Comments")[:31])
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "B2"
    rows = report.rows
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    sheet.append([_cell(sheet, str(title), bold=True, wrap=True) for title in COLUMNS])
    for row in rows:
        sheet.append([_cell(sheet, value, wrap=True) for value in _row_values(row, base_url)])


def _counts(sheet: WriteOnlyWorksheet, title: str, first: str, chart: Chart) -> None:
    sheet.append([])
    sheet.append([_cell(sheet, title, bold=True)])
    labels = [str(label) for label in OUTCOMES.values()]
    sheet.append([_cell(sheet, t, bold=True, wrap=True) for t in [first, *labels, _("Total")]])
    for bar in chart.bars:
        sheet.append([_cell(sheet, bar.label), *bar.counts.values(), bar.total])
    sheet.append([_cell(sheet, _("Total"), bold=True), *chart.totals.values(), chart.total])


def _summary(book: Workbook, report: Disposition, base_url: str) -> None:
    consultation = report.consultation
    sheet = book.create_sheet(_("Summary")[:31])
    sheet.column_dimensions["A"].width = 42
    for letter in "BCDEFGH":
        sheet.column_dimensions[letter].width = 16
    moment = "%Y-%m-%d %H:%M UTC"
    facts = [
        (_("Consultation round"), consultation.title),
        (_("Edition under consultation"), consultation.edition.number),
        (_("Opens"), consultation.opens_at.astimezone(datetime.UTC).strftime(moment)),
        (_("Closes"), consultation.closes_at.astimezone(datetime.UTC).strftime(moment)),
        (_("Comments received"), report.counted),
        (_("Sent after the deadline"), report.late),
        (_("Listed with their decision"), report.listed),
        (_("Decided, not published"), report.unlisted),
        (_("Decision not yet published"), report.awaiting),
        (_("Address of the report"), base_url + report.address),
    ]
    sheet.append([_cell(sheet, _("Disposition of comments"), bold=True)])
    for label, value in facts:
        sheet.append([_cell(sheet, label, bold=True), _cell(sheet, value)])
    _counts(sheet, _("Comments by module and decision"), _("Module"), report.by_module)
    _counts(
        sheet, _("Comments by category of submitter and decision"), _("Submitter category"),
        report.by_category,
    )  # fmt: skip


def disposition_workbook(report: Disposition, *, base_url: str, language: str) -> bytes:
    """The report as XLSX bytes, in the active language."""
    book = Workbook(write_only=True)
    book.properties.title = f"{_('Disposition of comments')}: {report.consultation.title}"
    book.properties.language = language
    book.properties.creator = _("Technical guidelines")
    _comments(book, report, base_url)
    _summary(book, report, base_url)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
