"""Reading a filled comment table back: the file, its rows, and what each row will become.

Two steps, so that nothing becomes feedback before an editor has seen every row:

- ``read_table`` opens the file (the kit's XLSX, any XLSX in its columns, or a CSV) and takes
  its rows as found: each cell's text, or what is wrong with the cell (a formula, a date, a
  merged range). A file that cannot be read (not a spreadsheet, protected by a password, with
  macros, too big) raises ``TableError`` with the reason; nothing is kept of it.
- ``check_rows`` resolves every row against the edition the table was made for: its paragraph
  identifier (with the closest one suggested when it is unknown), type, submitter, lengths,
  and whether the same comment is already recorded. Its messages are in the active language,
  so it runs at every preview, and again on confirming, in a fixed number of queries.

Columns are found by their header, in English or Russian (and the usual names of ISO's
commenting template), wherever they stand. The kit's workbook names its edition, language and
module in custom document properties (feedback.comment_table).
"""

import csv
import datetime
import difflib
import io
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_countries import countries

from feedback.models import (
    COMMENT_MAX_LENGTH,
    NAME_MAX_LENGTH,
    Category,
    Feedback,
    Kind,
    submission_fingerprint,
)
from modules import excerpts
from modules.labels import NUMBER_WORDS, section_number
from modules.models import Edition, EditionSection

MAX_FILE_BYTES = 2 * 1024 * 1024  # within the site's UPLOAD_MAX_BYTES, with room for the form
MAX_UNPACKED_BYTES = 80 * 1024 * 1024  # a workbook's parts once unzipped (zip bombs)
MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 10
KEPT_CHARS = COMMENT_MAX_LENGTH + 1  # what is kept of a cell: enough to say it is too long
OBSERVATIONS_MAX_LENGTH = COMMENT_MAX_LENGTH

# Custom document properties of the kit's workbook.
EDITION_PROPERTY = "guidelines-edition"
LANGUAGE_PROPERTY = "guidelines-language"
MODULE_PROPERTY = "guidelines-module"

SUBMITTER, PERSON, PARAGRAPH, KIND, COMMENT, PROPOSED, OBSERVATIONS, EDITION = (
    "submitter", "person", "paragraph", "kind", "comment", "proposed", "observations", "edition",
)  # fmt: skip
REQUIRED = (PARAGRAPH, COMMENT)

# Other names the columns go by (ISO's commenting template, and what people type).
ALIASES = {
    SUBMITTER: ["MB/NC", "member body", "state", "country", "organisation", "organization",
                "contributor", "государство", "страна", "организация"],
    # Optional: the person who made the comment, as the rapporteur wrote it down.
    PERSON: ["name", "person", "contact person", "delegate", "имя", "фио", "контактное лицо",
             "представитель"],
    PARAGRAPH: ["paragraph identifier", "identifier", "clause", "clause/subclause",
                "paragraph/figure/table", "paragraph/figure/table/note", "пункт", "абзац"],
    KIND: ["type of comment", "comment type", "тип замечания", "вид замечания"],
    COMMENT: ["comments", "замечание", "замечания", "комментарий", "комментарии"],
    PROPOSED: ["proposed wording", "proposed changes", "предлагаемое изменение"],
    OBSERVATIONS: ["observations", "secretariat observations", "observations of the secretariat"],
    EDITION: ["edition number"],
}  # fmt: skip
KIND_ALIASES = {"ge": Kind.GENERAL, "te": Kind.TECHNICAL, "ed": Kind.EDITORIAL}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_WORDS = re.compile(r"[^\w]+")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_PLACE = re.compile(
    r"^(?P<section>.*?)[\s,]*(?:¶|§|#\s*p|p\.?|para(?:graph)?\.?|абз(?:ац)?\.?|п\.)\s*"
    r"(?P<place>\d{1,4})$",
    re.IGNORECASE,
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class TableError(Exception):
    """The file cannot be read as a comment table; the message says why."""


@dataclass
class RawTable:
    """A table's rows as found, and what the file says of itself."""

    rows: list[dict]  # {"row": n, field: {"t": text} or {"problem": ..., "shown": ...}}
    headers: dict[str, str]  # field: the header as written in the file
    edition: str = ""
    language: str = ""
    module: str = ""
    header_language: str = ""


def clean_text(value: str) -> str:
    """Text as a comment keeps it: one kind of line break, no control or direction
    characters, no surrounding space."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()


def _normal(text: str) -> str:
    return " ".join(_WORDS.sub(" ", str(text).casefold().replace("ё", "е")).split())


@lru_cache(maxsize=1)
def _header_names() -> dict[str, tuple[str, str]]:
    """Every header a column is known by: normalised header -> (field, language)."""
    names: dict[str, tuple[str, str]] = {}
    for language in ("en", "ru"):
        with translation.override(language):
            own = {
                SUBMITTER: [_("State or organisation")],
                PERSON: [_("Name")],
                PARAGRAPH: [pgettext("a numbered paragraph of a section", "Paragraph")],
                KIND: [_("Type")],
                COMMENT: [_("Comment")],
                PROPOSED: [_("Proposed change")],
                OBSERVATIONS: [_("Observations of the secretariat")],
                EDITION: [_("Edition")],
            }
        for name, headers in own.items():
            for header in headers:
                names.setdefault(_normal(header), (name, language))
    for name, aliases in ALIASES.items():
        for alias in aliases:
            names.setdefault(_normal(alias), (name, "ru" if _CYRILLIC.search(alias) else ""))
    return names


def _columns(values: list) -> tuple[dict[str, int], dict[str, str], str]:
    """The fields a header row names: field -> column index, field -> header, language."""
    known = _header_names()
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    languages = set()
    for index, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            continue
        found = known.get(_normal(value))
        if found is None:
            continue
        name, language = found
        if name in columns:
            raise TableError(
                _("Two columns are headed “%(header)s”: keep one, so that each row says one thing.")
                % {"header": value.strip()}
            )
        columns[name], headers[name] = index, value.strip()
        if language:
            languages.add(language)
    return columns, headers, languages.pop() if len(languages) == 1 else ""


def _find_header(rows: list[list]) -> tuple[int, dict[str, int], dict[str, str], str]:
    """The first of the leading rows that heads at least two known columns."""
    for number, values in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns, headers, language = _columns(values)
        if len(columns) >= 2:
            missing = [name for name in REQUIRED if name not in columns]
            if missing:
                raise TableError(
                    _("The table has no column headed “%(header)s”. Its headers are: %(found)s.")
                    % {
                        "header": _required_header(missing[0]),
                        "found": ", ".join(f"“{v}”" for v in values if str(v or "").strip()),
                    }
                )
            return number, columns, headers, language
    raise TableError(
        _(
            "No header row was found: the first rows of the table must name its columns "
            "(“%(paragraph)s”, “%(comment)s” and the others of the comment table)."
        )
        % {"paragraph": _required_header(PARAGRAPH), "comment": _required_header(COMMENT)}
    )


def _required_header(name: str) -> str:
    if name == PARAGRAPH:
        return pgettext("a numbered paragraph of a section", "Paragraph")
    return _("Comment")


# --- Opening the file ---------------------------------------------------------------------


def read_table(data: bytes) -> RawTable:
    """The rows of a filled comment table, XLSX or CSV; TableError when it cannot be read."""
    if not data:
        raise TableError(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise TableError(
            _("The file is larger than %(size)s MB: split the table into smaller files.")
            % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if data.startswith(_OLE):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise TableError(
                _(
                    "The workbook is protected with a password: open it, remove the password "
                    "and upload it again."
                )
            )
        raise TableError(
            _(
                "This is a workbook in the old Excel 97–2003 format (.xls): save it as an "
                "Excel workbook (.xlsx) and upload it again."
            )
        )
    if data.startswith(b"PK"):
        return _read_xlsx(data)
    return _read_csv(data)


def _zip_check(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
        types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
        mimetype = archive.read("mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError) as error:
        raise TableError(_("The file is damaged or not a spreadsheet.")) from error
    if b"opendocument.spreadsheet" in mimetype:
        raise TableError(
            _(
                "This is an OpenDocument spreadsheet (.ods): save it as an Excel workbook "
                "(.xlsx) or as CSV and upload it again."
            )
        )
    if "xl/workbook.xml" not in names:
        raise TableError(
            _("The file is not a spreadsheet: upload the comment table as .xlsx or .csv.")
        )
    if "xl/vbaProject.bin" in names or b"macroEnabled" in types:
        raise TableError(
            _(
                "The workbook contains macros, which are never opened here: save it as an "
                "Excel workbook (.xlsx) without macros and upload it again."
            )
        )
    if unpacked > MAX_UNPACKED_BYTES:
        raise TableError(
            _("The workbook is too large once unpacked: split the table into smaller files.")
        )


def _read_xlsx(data: bytes) -> RawTable:
    from openpyxl import load_workbook
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    _zip_check(data)
    try:
        book = load_workbook(io.BytesIO(data), data_only=False)
    except Exception as error:  # openpyxl raises many kinds on damaged files
        raise TableError(_("The file is damaged or not a spreadsheet.")) from error
    properties = book.custom_doc_props.props  # type: ignore[attr-defined]  # openpyxl 3.1
    declared = {prop.name: str(prop.value or "") for prop in properties}
    first_problem: TableError | None = None
    for sheet in book.worksheets:  # the first sheet headed as a comment table
        leading = [
            [cell.value for cell in row]
            for row in sheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS)
        ]
        try:
            header_at, columns, headers, language = _find_header(leading)
        except TableError as problem:
            first_problem = first_problem or problem
            continue
        first_data = header_at + 2  # 1-based rows, after the header
        merged: dict[int, str] = {}
        wanted = set(columns.values())
        for merged_range in sheet.merged_cells.ranges:
            spans_fields = any(merged_range.min_col - 1 <= c <= merged_range.max_col - 1
                               for c in wanted)  # fmt: skip
            if spans_fields and merged_range.max_row >= first_data:
                for row in range(max(merged_range.min_row, first_data), merged_range.max_row + 1):
                    merged[row] = merged_range.coord
        rows = []
        for cells in sheet.iter_rows(min_row=first_data):
            number = cells[0].row if cells else 0
            found: dict = {"row": number}
            for name, index in columns.items():
                cell = cells[index] if index < len(cells) else None
                if cell is None or cell.value is None:
                    continue
                value = cell.value
                if cell.data_type == "f" or isinstance(value, ArrayFormula | DataTableFormula):
                    found[name] = {"problem": "formula"}
                elif isinstance(value, datetime.datetime | datetime.date | datetime.time):
                    found[name] = {"problem": "date", "shown": _date_shown(value)}
                elif isinstance(value, bool):
                    found[name] = {"t": str(value).upper()}
                elif isinstance(value, int | float):
                    shown = str(int(value)) if float(value).is_integer() else str(value)
                    found[name] = {"t": shown, "number": True}
                else:
                    text = clean_text(str(value))
                    if text:
                        found[name] = {"t": text[:KEPT_CHARS], "n": len(text)}
            if number in merged:
                found["merged"] = merged[number]
            if len(found) > 1:
                rows.append(found)
                if len(rows) > MAX_ROWS:
                    raise _too_many()
        return RawTable(
            rows=rows,
            headers=headers,
            edition=declared.get(EDITION_PROPERTY, ""),
            language=declared.get(LANGUAGE_PROPERTY, ""),
            module=declared.get(MODULE_PROPERTY, ""),
            header_language=language,
        )
    raise first_problem or TableError(_("The workbook has no sheets."))


def _date_shown(value: datetime.datetime | datetime.date | datetime.time) -> str:
    """A date, time or moment as a message shows it (the date alone at midnight)."""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.time):
        return value.isoformat(timespec="minutes")
    return value.isoformat()


def _too_many() -> TableError:
    return TableError(
        _("The table has more than %(count)s rows: split it into smaller files.")
        % {"count": f"{MAX_ROWS:,}".replace(",", "\u00a0")}
    )


def _read_csv(data: bytes) -> RawTable:
    if b"\x00" in data[:4096]:
        raise TableError(
            _("The file is not a spreadsheet: upload the comment table as .xlsx or .csv.")
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251", errors="replace")  # Russian Excel's own CSV
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise TableError(
            _("The file could not be read as CSV (%(reason)s).") % {"reason": error}
        ) from error
    header_at, columns, headers, language = _find_header(records)
    rows = []
    for offset, record in enumerate(records[header_at + 1 :], start=header_at + 2):
        found: dict = {"row": offset}
        for name, index in columns.items():
            text_value = clean_text(record[index]) if index < len(record) else ""
            if not text_value:
                continue
            if text_value.startswith("="):
                found[name] = {"problem": "formula"}
            else:
                found[name] = {"t": text_value[:KEPT_CHARS], "n": len(text_value)}
        if len(found) > 1:
            rows.append(found)
            if len(rows) > MAX_ROWS:
                raise _too_many()
    return RawTable(rows=rows, headers=headers, header_language=language)


# --- Checking the rows against an edition -------------------------------------------------


@dataclass
class CheckedRow:
    """One row and what it will become: an item, nothing (``skip`` says why), or errors."""

    row: int
    errors: list[str] = field(default_factory=list)
    skip: str = ""
    identifier: str = ""
    section: EditionSection | None = None
    paragraph: int | None = None
    kind: str = Kind.GENERAL
    kind_given: bool = True
    submitter: str = ""
    person: str = ""
    country: str = ""
    comment: str = ""
    proposed: str = ""
    observations: str = ""
    fingerprint: str = ""

    @property
    def will_record(self) -> bool:
        return not self.errors and not self.skip

    @property
    def category(self) -> str:
        if self.country:
            return Category.STATE
        return Category.ORGANISATION if self.submitter else Category.OTHER

    @property
    def place(self) -> str:
        """The paragraph as the preview names it, in the active language."""
        if self.section is None:
            return ""
        number = section_number(self.section.number)
        return f"{number} ¶{self.paragraph}" if self.paragraph else number


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Normalised country names in both languages, and codes, -> ISO code."""
    names: dict[str, str] = {}
    for language in ("en", "ru"):
        with translation.override(language):
            for code, name in countries:
                names.setdefault(_normal(name), code)
    for code, _name in countries:
        names.setdefault(code.casefold(), code)
    return names


@lru_cache(maxsize=1)
def _kinds() -> dict[str, str]:
    """Normalised names of the types of comment in both languages (and ISO's ge/te/ed)."""
    names = {_normal(alias): str(kind) for alias, kind in KIND_ALIASES.items()}
    for kind in Kind:
        names[kind.value] = kind.value
        for language in ("en", "ru"):
            with translation.override(language):
                names[_normal(str(kind.label))] = kind.value
    return names


_NUMBER_WORD_CANONICAL: dict[str, str] = {}


def _canonical_number(text: str) -> str:
    """A section number as typed (any case, Russian number words) in the edition's form."""
    if not _NUMBER_WORD_CANONICAL:
        for word, label in NUMBER_WORDS.items():
            for language in ("en", "ru"):
                with translation.override(language):
                    _NUMBER_WORD_CANONICAL[str(label).casefold()] = word
    text = " ".join(text.replace("\u00a0", " ").split()).rstrip(".")
    word, space, rest = text.partition(" ")
    if space and word.casefold() in _NUMBER_WORD_CANONICAL:
        text = f"{_NUMBER_WORD_CANONICAL[word.casefold()]} {rest}"
    return text.replace(" .", ".").replace(". ", ".").casefold()


class Resolver:
    """The paragraphs of one edition, as a table made for it names them."""

    def __init__(self, edition: Edition, language: str):
        self.edition = edition
        self.language = language
        self.sections = list(EditionSection.objects.filter(edition=edition).order_by("sort_key"))
        self.by_number = {s.number.casefold(): s for s in self.sections}
        self._counts: dict[int, int] = {}
        self._all: list[str] | None = None

    def count(self, section: EditionSection) -> int:
        if section.pk not in self._counts:
            with translation.override(self.language):
                self._counts[section.pk] = len(excerpts.paragraphs(str(section.body_html)))
        return self._counts[section.pk]

    def identifiers(self) -> list[str]:
        """Every identifier of the edition, as the table's language writes them."""
        if self._all is None:
            with translation.override(self.language):
                self._all = [
                    f"{section_number(s.number)} ¶{place}"
                    for s in self.sections
                    for place in range(1, self.count(s) + 1)
                ]
        return self._all

    def suggestion(self, given: str) -> str:
        close = difflib.get_close_matches(given, self.identifiers(), n=1, cutoff=0.6)
        return close[0] if close else ""

    def resolve(self, given: str) -> tuple[EditionSection | None, int | None, str]:
        """(section, paragraph, error) for an identifier as written in a row."""
        text = given.strip()
        match = _PLACE.match(text)
        number, place = (match["section"], int(match["place"])) if match else (text, None)
        section = self.by_number.get(_canonical_number(number))
        if section is None:
            suggestion = self.suggestion(given)
            if suggestion:
                return (
                    None,
                    None,
                    _(
                        "There is no paragraph “%(given)s” in edition %(edition)s. Did you mean "
                        "“%(suggestion)s”?"
                    )
                    % {"given": given, "edition": self.edition.number, "suggestion": suggestion},
                )
            return (
                None,
                None,
                _(
                    "There is no paragraph “%(given)s” in edition %(edition)s: choose one from the "
                    "sheet of paragraphs of the comment table made for it."
                )
                % {"given": given, "edition": self.edition.number},
            )
        if place is not None:
            count = self.count(section)
            if not 1 <= place <= count:
                with translation.override(self.language):
                    shown = section_number(section.number)
                return (
                    None,
                    None,
                    _(
                        "Section %(section)s has %(count)s paragraphs in edition %(edition)s: "
                        "there is no ¶%(place)s."
                    )
                    % {
                        "section": shown,
                        "count": count,
                        "edition": self.edition.number,
                        "place": place,
                    },
                )
        return section, place, ""


def _cell_error(cell: dict, header: str) -> str:
    if cell.get("problem") == "formula":
        return _("“%(column)s” holds a formula: type or paste its value as plain text.") % {
            "column": header
        }
    return _(
        "“%(column)s” holds a date (%(date)s) where text is expected: format the column as "
        "text and type it again."
    ) % {"column": header, "date": cell.get("shown", "")}


def _too_long(header: str, length: int, limit: int) -> str:
    return _("“%(column)s” is %(length)s characters long; at most %(limit)s are kept.") % {
        "column": header,
        "length": f"{length:,}".replace(",", "\u00a0"),
        "limit": f"{limit:,}".replace(",", "\u00a0"),
    }


def check_rows(
    rows: list[dict], headers: dict[str, str], edition: Edition, language: str
) -> list[CheckedRow]:
    """What each row becomes, with its errors in the active language (a fixed number of
    queries: the edition's sections, and the comments already recorded)."""
    resolver = Resolver(edition, language)
    limits = {
        SUBMITTER: NAME_MAX_LENGTH,
        PERSON: NAME_MAX_LENGTH,
        COMMENT: COMMENT_MAX_LENGTH,
        PROPOSED: COMMENT_MAX_LENGTH,
        OBSERVATIONS: OBSERVATIONS_MAX_LENGTH,
    }
    checked: list[CheckedRow] = []
    for raw in rows:
        result = CheckedRow(row=raw["row"])
        values: dict[str, str] = {}
        for name, header in headers.items():
            cell = raw.get(name)
            if not cell:
                continue
            if "problem" in cell:
                result.errors.append(_cell_error(cell, header))
                continue
            if cell.get("number") and name in (PARAGRAPH, KIND):
                result.errors.append(
                    _(
                        "“%(column)s” holds a number (%(number)s) where text is expected: "
                        "format the column as text and type it again."
                    )
                    % {"column": header, "number": cell["t"]}
                )
                continue
            length = cell.get("n", len(cell["t"]))
            if name in limits and length > limits[name]:
                result.errors.append(_too_long(header, length, limits[name]))
            values[name] = cell["t"]
        if "merged" in raw:
            result.errors.append(
                _(
                    "Cells %(cells)s are merged: unmerge them, so that each row holds its own comment."
                )
                % {"cells": raw["merged"]}
            )
        result.submitter = values.get(SUBMITTER, "")
        result.person = values.get(PERSON, "")
        result.country = _country_names().get(_normal(result.submitter), "")
        result.comment = values.get(COMMENT, "")
        result.proposed = values.get(PROPOSED, "")
        result.observations = values.get(OBSERVATIONS, "")
        if COMMENT not in raw:
            result.errors.append(_("The comment is empty."))
        row_edition = values.get(EDITION, "")
        if row_edition and row_edition != edition.number:
            result.errors.append(
                _(
                    "This row is about edition %(row)s, and the table is for edition %(table)s: "
                    "send it in a table made for edition %(row)s."
                )
                % {"row": row_edition, "table": edition.number}
            )
        if values.get(KIND):
            kind = _kinds().get(_normal(values[KIND]))
            if kind is None:
                result.errors.append(
                    _("Unknown type “%(given)s”: write general, technical or editorial.")
                    % {"given": values[KIND]}
                )
            else:
                result.kind = kind
        elif KIND not in raw:
            result.kind_given = False  # general, as the preview says
        result.identifier = values.get(PARAGRAPH, "")
        if result.identifier:
            section, place, error = resolver.resolve(result.identifier)
            if error:
                result.errors.append(error)
            result.section, result.paragraph = section, place
        if not result.errors:
            result.fingerprint = submission_fingerprint(
                section_key=result.section.key if result.section else "",
                paragraph=result.paragraph,
                data={
                    "kind": result.kind,
                    "comment": result.comment,
                    "proposed_wording": result.proposed,
                },
                who=f"table:{result.submitter}:{result.person}",
            )
        checked.append(result)
    _mark_repeated(checked)
    return checked


def _mark_repeated(checked: list[CheckedRow]) -> None:
    """Rows that repeat an earlier row, or a comment already recorded, create nothing."""
    first: dict[str, int] = {}
    for result in checked:
        if not result.fingerprint:
            continue
        if result.fingerprint in first:
            result.skip = _("The same comment as row %(row)s.") % {"row": first[result.fingerprint]}
        else:
            first[result.fingerprint] = result.row
    recorded = dict(
        Feedback.objects.filter(fingerprint__in=list(first)).values_list("fingerprint", "reference")
    )
    for result in checked:
        if not result.skip and result.fingerprint in recorded:
            result.skip = _("Already recorded as %(reference)s.") % {
                "reference": recorded[result.fingerprint]
            }
