"""An edition (whole or one module) as a Word document (DOCX), in one language, for officials
who quote the text in national documents.

Modules and sections are real headings (Heading 1 for a module, Heading 2 and below for the
section tree) that start with the section numbers readers see; paragraphs, bulleted and
numbered lists (numbers written out, so that every list counts from its own start), tables
(Table Grid, header row repeated on each page), bold, italics and links are kept, and the
Markdown footnotes become Word footnotes at the foot of the page. The document's language
is set on its styles and properties. python-docx writes it; footnotes, which it does not
know, are added as their own part. Read back with python-docx and converted by LibreOffice
in the suite (tests/modules/test_word.py).
"""

import re
from html import escape
from io import BytesIO

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from lxml import html as lxml_html

from modules import selectors, takeaway
from modules.labels import section_number
from modules.models import Edition, EditionSection

FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
LOCALES = {"en": "en-GB", "ru": "ru-RU"}
SPACES = re.compile(r"\s+")
BLOCKS = {"p", "ul", "ol", "table", "blockquote", "div", "pre", "hr", "h3", "h4", "h5", "h6"}


def render_docx(*, edition: Edition, language: str, module_slug: str = "") -> takeaway.Rendered:
    parts = selectors.book_parts(edition, module_slug)
    with translation.override(language):
        writer = _Writer(edition, language, module_slug)
        writer.title_page()
        for module, sections in parts:
            writer.heading(module.title, 1)
            writer.blocks(str(module.summary_html or ""))
            for section in sections:
                writer.section(section)
        content = writer.save()
    code = parts[0][0].code if module_slug else ""
    return takeaway.Rendered(takeaway.filename(edition.number, language, code, "docx"), content)


_text = takeaway.xml_safe


class _Writer:
    def __init__(self, edition: Edition, language: str, module_slug: str) -> None:
        self.edition, self.language = edition, language
        self.document = Document()
        self.notes: list[str] = []  # <w:footnote> elements, ids from 1
        self.address = takeaway.address(edition, language, module_slug)
        self.title = takeaway.title()
        self._language_everywhere()
        self._body = self.document._body
        self._end = self.document.element.body.sectPr  # paragraphs go before it
        self._style_ids = {style.name: style.style_id for style in self.document.styles}

    def _language_everywhere(self) -> None:
        locale = LOCALES.get(self.language, self.language)
        for style in self.document.styles:
            element = style.element
            properties = element.get_or_add_rPr()
            for old in properties.findall(qn("w:lang")):
                properties.remove(old)
            lang = OxmlElement("w:lang")
            lang.set(qn("w:val"), locale)
            lang.set(qn("w:eastAsia"), locale)
            lang.set(qn("w:bidi"), locale)
            properties.append(lang)
        core = self.document.core_properties
        core.language = locale
        core.title = f"{self.title}. " + _("Edition %(number)s") % {"number": self.edition.number}
        core.identifier = self.address
        core.author = ""
        core.comments = self.address
        moment = self.edition.published_at
        core.created = core.modified = moment
        core.last_printed = moment

    # --- Structure -------------------------------------------------------------------

    def title_page(self) -> None:
        edition = self.edition
        self.paragraph("Title", _text(self.title))
        self.paragraph(
            "Subtitle",
            _("Edition %(number)s") % {"number": edition.number}
            + " · "
            + takeaway.edition_date(edition),
        )
        self._link(self.paragraph(), self.address, self.address)
        if edition.text_fingerprint:
            self.paragraph(
                None,
                _("Text fingerprint (SHA-256): %(fingerprint)s")
                % {"fingerprint": edition.text_fingerprint},
            )
        if settings.PORTAL_DEMO_CONTENT:
            note = self.paragraph()
            note.add_run(
                _(
                    "Demonstration content: the text was written to demonstrate the "
                    "portal. It is not the official text of the guidelines."
                )
            ).bold = True
        summary = getattr(edition, f"change_summary_html_{self.language}") or ""
        if summary:
            self.heading(_("Changes in this edition"), 2)
            self.blocks(summary)
        self.document.add_page_break()

    def heading(self, text: str, level: int) -> Paragraph:
        return self.paragraph(f"Heading {level}", _text(SPACES.sub(" ", text).strip()))

    def paragraph(self, style: str | None = None, text: str = "") -> Paragraph:
        """A new paragraph at the end of the body, in ``style`` (by name). python-docx's own
        add_paragraph looks for the body's last element and the style by name on every call,
        which made a long edition quadratic (20 s at ten times the demonstration text)."""
        element = OxmlElement("w:p")
        self._end.addprevious(element)
        paragraph = Paragraph(element, self._body)
        if style:
            element.style = self._style_ids[style]
        if text:
            paragraph.add_run(text)
        return paragraph

    def section(self, section: EditionSection) -> None:
        number = section_number(section.number)
        heading = self.heading(f"{number} {section.title}", min(section.depth + 1, 9))
        if self.language != "en" and not section.is_translated:
            _set_language(heading, LOCALES["en"])
        self.blocks(str(section.body_html))

    # --- HTML to Word --------------------------------------------------------------------

    def blocks(self, html: str) -> None:
        if not html.strip():
            return
        root = lxml_html.fragment_fromstring(html, create_parent="div")
        notes: dict[str, object] = {}
        for block in root.xpath('.//div[@class="footnote"]'):
            for item in block.xpath("./ol/li"):
                for back in item.xpath('.//a[@class="footnote-backref"]'):
                    back.drop_tree()
                notes["#" + (item.get("id") or "")] = item
            block.drop_tree()
        self._notes_of_body = notes
        self._container(root)

    def _container(self, element, *, style: str | None = None) -> None:
        loose = SPACES.sub(" ", element.text or "").strip()
        if loose:
            self._inline(self.paragraph(style), element, own_text_only=True)
        for child in element:
            self._block(child, style=style)
            tail = SPACES.sub(" ", child.tail or "").strip()
            if tail:
                self.paragraph(style, _text(tail))

    def _block(self, element, *, style: str | None = None) -> None:
        tag = element.tag
        if tag == "p" or tag == "pre":
            self._inline(self.paragraph(style), element)
        elif tag in ("h3", "h4", "h5", "h6"):
            self.heading(element.text_content(), min(int(tag[1]) + 1, 9))
        elif tag in ("ul", "ol"):
            self._list(element, level=1)
        elif tag == "table":
            self._table(element)
        elif tag == "blockquote":
            self._container(element, style="Quote")
        elif tag == "div":
            self._container(element, style=style)
        elif tag == "hr":
            return
        else:  # inline content where a block was expected
            self._inline(self.paragraph(style), element, wrap=True)

    def _list(self, element, *, level: int) -> None:
        ordered = element.tag == "ol"
        start = int(element.get("start") or 1) if (element.get("start") or "").isdigit() else 1
        for index, item in enumerate(element.xpath("./li")):
            style = ("List" if ordered else "List Bullet") + (
                "" if level == 1 else f" {min(level, 3)}"
            )
            paragraph = self.paragraph(style)
            if ordered:
                paragraph.add_run(f"{start + index}.\t")
            nested = [child for child in item if child.tag in ("ul", "ol")]
            blocks = [child for child in item if child.tag in BLOCKS - {"ul", "ol"}]
            self._inline(paragraph, item, skip=set(nested) | set(blocks))
            for child in blocks:
                self._block(child)
            for child in nested:
                self._list(child, level=level + 1)

    def _table(self, element) -> None:
        rows = element.xpath("./thead/tr|./tbody/tr|./tfoot/tr|./tr")
        if not rows:
            return
        width = max(len(row.xpath("./th|./td")) for row in rows)
        table = self.document.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        cells = table._cells  # row by row (table.cell() works them all out on each call)
        for r, row in enumerate(rows):
            header = row.getparent().tag == "thead"
            if header:  # repeated at the top of each page
                properties = table.rows[r]._tr.get_or_add_trPr()
                repeat = OxmlElement("w:tblHeader")
                properties.append(repeat)
            for c, cell in enumerate(row.xpath("./th|./td")):
                paragraph = cells[r * width + c].paragraphs[0]
                self._inline(paragraph, cell, bold=cell.tag == "th")

    def _inline(
        self, paragraph: Paragraph, element, *, bold: bool = False, italic: bool = False,
        own_text_only: bool = False, skip: set | None = None, wrap: bool = False,
    ) -> None:  # fmt: skip
        """The element's text and inline children as runs of ``paragraph``."""
        if wrap:
            self._run(paragraph, element, bold, italic)
            return
        self._add_text(paragraph, element.text, bold, italic, first=True)
        if own_text_only:
            return
        for child in element:
            if skip and child in skip:
                continue
            self._run(paragraph, child, bold, italic)
            self._add_text(paragraph, child.tail, bold, italic)

    def _run(self, paragraph: Paragraph, child, bold: bool, italic: bool) -> None:
        tag = child.tag
        if tag in ("strong", "b"):
            self._inline(paragraph, child, bold=True, italic=italic)
        elif tag in ("em", "i"):
            self._inline(paragraph, child, bold=bold, italic=True)
        elif tag == "br":
            paragraph.add_run().add_break()
        elif tag == "sup" and child.xpath('./a[@class="footnote-ref"]'):
            note = self._notes_of_body.get(child.xpath("./a")[0].get("href", ""))
            if note is not None:
                self._footnote(paragraph, note)
        elif tag == "a" and (child.get("href") or "").startswith(
            ("http://", "https://", "mailto:")
        ):
            self._link(paragraph, child.get("href"), child.text_content())
        elif tag in ("sup", "sub"):
            run = paragraph.add_run(_text(SPACES.sub(" ", child.text_content())))
            run.font.superscript = tag == "sup"
            run.font.subscript = tag == "sub"
        elif tag == "code":
            run = paragraph.add_run(_text(child.text_content()))
            run.font.name = "Courier New"
        else:
            self._inline(paragraph, child, bold=bold, italic=italic)

    def _add_text(self, paragraph, text, bold, italic, first=False) -> None:
        if not text:
            return
        text = SPACES.sub(" ", text)
        if first and not paragraph.runs:
            text = text.lstrip()
        if text:
            run = paragraph.add_run(_text(text))
            run.bold, run.italic = bold or None, italic or None

    def _link(self, paragraph: Paragraph, url: str, text: str) -> None:
        relation = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), relation)
        run = OxmlElement("w:r")
        properties = OxmlElement("w:rPr")
        colour = OxmlElement("w:color")
        colour.set(qn("w:val"), "005A8C")
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        properties.extend([colour, underline])
        words = OxmlElement("w:t")
        words.text = _text(SPACES.sub(" ", text).strip() or url)
        words.set(qn("xml:space"), "preserve")
        run.extend([properties, words])
        link.append(run)
        paragraph._p.append(link)

    def _footnote(self, paragraph: Paragraph, note) -> None:
        number = len(self.notes) + 1
        text = _text(SPACES.sub(" ", note.text_content()).strip())
        self.notes.append(
            f'<w:footnote w:id="{number}"><w:p><w:pPr><w:spacing w:after="0"/></w:pPr>'
            '<w:r><w:rPr><w:vertAlign w:val="superscript"/><w:sz w:val="18"/></w:rPr>'
            "<w:footnoteRef/></w:r>"
            f'<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve"> {escape(text)}'
            "</w:t></w:r></w:p></w:footnote>"
        )
        run = paragraph.add_run()
        properties = run._r.get_or_add_rPr()
        raised = OxmlElement("w:vertAlign")
        raised.set(qn("w:val"), "superscript")
        properties.append(raised)
        reference = OxmlElement("w:footnoteReference")
        reference.set(qn("w:id"), str(number))
        run._r.append(reference)

    def save(self) -> bytes:
        if self.notes:
            blob = (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<w:footnotes xmlns:w="{W}">'
                '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0"/>'
                "</w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>"
                '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr>'
                '<w:spacing w:after="0"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p>'
                "</w:footnote>" + "".join(self.notes) + "</w:footnotes>"
            ).encode("utf-8")
            document_part = self.document.part
            part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES_TYPE, blob, document_part.package)
            document_part.relate_to(part, RT.FOOTNOTES)
        normal = self.document.styles["Normal"].font
        normal.size = Pt(11)
        buffer = BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def _set_language(paragraph: Paragraph, locale: str) -> None:
    for run in paragraph.runs:
        properties = run._r.get_or_add_rPr()
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), locale)
        properties.append(lang)
