"""An edition (whole or one module) as an EPUB 3 book, in one language.

The contents follow the section tree with the section numbers readers see; footnotes become
EPUB notes (``epub:type="noteref"`` and ``aside epub:type="footnote"``), which reading
systems open as pop-ups; the language is set on the book and on every page, and a section
not yet translated is marked as English. The same edition gives the same bytes (fixed times
in the archive), so a stored copy and a rebuilt one are alike. Checked with epubcheck in the
suite (tests/modules/test_epub.py).
"""

import uuid
import zipfile
from datetime import UTC
from html import escape as html_escape
from io import BytesIO

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from lxml import etree
from lxml import html as lxml_html

from modules import selectors, takeaway
from modules.labels import section_number
from modules.models import Edition, EditionModule, EditionSection

XHTML = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
STYLE = """body { font-family: serif; line-height: 1.5; }
h1, h2, h3, h4, h5, h6 { font-family: sans-serif; line-height: 1.25; }
.number { color: #00507a; margin-right: 0.4em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #999; padding: 0.25em 0.5em; vertical-align: top; }
aside.note { font-size: 0.9em; border-top: 1px solid #999; margin-top: 1em; }
.title-page p { margin: 0.4em 0; }
.demo { font-weight: bold; }
"""


def escape(text: str) -> str:
    """Text as XHTML: escaped, without the characters XML refuses."""
    return html_escape(takeaway.xml_safe(text))


def render_epub(*, edition: Edition, language: str, module_slug: str = "") -> takeaway.Rendered:
    parts = selectors.book_parts(edition, module_slug)
    with translation.override(language):
        book = _Book(edition, language, module_slug)
        book.add("title.xhtml", _("Title page"), book.title_page())
        for module, sections in parts:
            book.add_module(module, sections)
        content = book.archive()
    code = parts[0][0].code if module_slug else ""
    return takeaway.Rendered(takeaway.filename(edition.number, language, code, "epub"), content)


class _Book:
    def __init__(self, edition: Edition, language: str, module_slug: str) -> None:
        self.edition, self.language = edition, language
        self.pages: list[tuple[str, str, str]] = []  # (file name, title, xhtml)
        self.outline: list[tuple[str, str, list[tuple[int, str, str]]]] = []
        self.address = takeaway.address(edition, language, module_slug)
        self.title = takeaway.title()

    def add(self, name: str, title: str, body: str) -> None:
        self.pages.append((name, title, _page(title, body, self.language)))

    def title_page(self) -> str:
        edition = self.edition
        lines = [
            f'<section class="title-page" epub:type="titlepage"><h1>{escape(self.title)}</h1>',
            "<p>"
            + escape(_("Edition %(number)s") % {"number": edition.number})
            + f' · <time datetime="{edition.published_on.isoformat()}">'
            + f"{escape(takeaway.edition_date(edition))}</time></p>",
            f'<p><a href="{escape(self.address)}">{escape(self.address)}</a></p>',
        ]
        if edition.text_fingerprint:
            lines.append(
                "<p>"
                + escape(_("Text fingerprint (SHA-256): %(fingerprint)s"))
                % {"fingerprint": edition.text_fingerprint}
                + "</p>"
            )
        if settings.PORTAL_DEMO_CONTENT:
            lines.append(
                '<p class="demo">'
                + escape(
                    _(
                        "Demonstration content: the text was written to demonstrate the "
                        "portal. It is not the official text of the guidelines."
                    )
                )
                + "</p>"
            )
        summary = getattr(edition, f"change_summary_html_{self.language}") or ""
        if summary:
            changes = escape(_("Changes in this edition"))
            lines.append(f"<h2>{changes}</h2>{_xhtml(summary)}")
        return "\n".join(lines) + "</section>"

    def add_module(self, module: EditionModule, sections: list[EditionSection]) -> None:
        name = f"module-{module.slug}.xhtml"
        heading = escape(module.title)
        parts = [f'<section epub:type="chapter"><h1>{heading}</h1>']
        summary = str(module.summary_html or "")
        if summary:
            parts.append(_xhtml(summary))
        entries: list[tuple[int, str, str]] = []
        for section in sections:
            level = min(section.depth + 1, 6)
            number = escape(section_number(section.number))
            title = escape(section.title)
            english = self.language != "en" and not section.is_translated
            lang = ' lang="en" xml:lang="en"' if english else ""
            parts.append(
                f'<section id="s-{section.key}"{lang}><h{level}><span class="number">{number}'
                f"</span> {title}</h{level}>{_xhtml(str(section.body_html), notes=True)}"
                "</section>"
            )
            entries.append((section.depth, f"{name}#s-{section.key}", f"{number} {title}"))
        parts.append("</section>")
        self.pages.append((name, module.title, _page(module.title, "".join(parts), self.language)))
        self.outline.append((name, heading, entries))

    def navigation(self) -> str:
        title_page, text = escape(_("Title page")), escape(_("Text"))
        items = [f'<li><a href="title.xhtml">{title_page}</a></li>']
        for name, heading, entries in self.outline:
            items.append(f'<li><a href="{name}">{heading}</a>{_nested(entries)}</li>')
        contents = escape(_("Contents"))
        body = (
            f'<nav epub:type="toc" id="toc" role="doc-toc"><h1>{contents}</h1>'
            f"<ol>{''.join(items)}</ol></nav>"
            '<nav epub:type="landmarks" hidden="hidden"><ol>'
            f'<li><a epub:type="titlepage" href="title.xhtml">{title_page}</a></li>'
            f'<li><a epub:type="bodymatter" href="{self.outline[0][0] if self.outline else "title.xhtml"}">'
            f"{text}</a></li></ol></nav>"
        )
        return _page(_("Contents"), body, self.language)

    def package(self) -> str:
        edition = self.edition
        identifier = uuid.uuid5(uuid.NAMESPACE_URL, self.address)
        modified = edition.published_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        title = f"{self.title}. " + _("Edition %(number)s") % {"number": edition.number}
        items = [
            '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
            '<item id="css" href="style.css" media-type="text/css"/>',
        ]
        spine = []
        for index, (name, _title, _body) in enumerate(self.pages):
            items.append(f'<item id="p{index}" href="{name}" media-type="application/xhtml+xml"/>')
            spine.append(f'<itemref idref="p{index}"/>')
        spine.insert(1, '<itemref idref="nav"/>')
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
            f'unique-identifier="uid" xml:lang="{self.language}">'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:identifier id="uid">urn:uuid:{identifier}</dc:identifier>'
            f"<dc:title>{escape(title)}</dc:title>"
            f"<dc:language>{self.language}</dc:language>"
            f"<dc:date>{edition.published_on.isoformat()}</dc:date>"
            f"<dc:source>{escape(self.address)}</dc:source>"
            f'<meta property="dcterms:modified">{modified}</meta>'
            "</metadata>"
            f"<manifest>{''.join(items)}</manifest>"
            f"<spine>{''.join(spine)}</spine>"
            "</package>"
        )

    def archive(self) -> bytes:
        moment = self.edition.published_on.timetuple()[:6]
        buffer = BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:

            def put(name: str, data: str, method: int = zipfile.ZIP_DEFLATED) -> None:
                info = zipfile.ZipInfo(name, date_time=moment)
                info.compress_type = method
                archive.writestr(info, data.encode("utf-8"))

            put("mimetype", "application/epub+zip", zipfile.ZIP_STORED)  # first, uncompressed
            put(
                "META-INF/container.xml",
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
                '<rootfiles><rootfile full-path="EPUB/package.opf" '
                'media-type="application/oebps-package+xml"/></rootfiles></container>',
            )
            put("EPUB/package.opf", self.package())
            put("EPUB/nav.xhtml", self.navigation())
            put("EPUB/style.css", STYLE)
            for name, _title, page in self.pages:
                put(f"EPUB/{name}", page)
        return buffer.getvalue()


def _page(title: str, body: str, language: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="{XHTML}" xmlns:epub="{EPUB_NS}" lang="{language}" xml:lang="{language}">'
        f'<head><meta charset="utf-8"/><title>{escape(title)}</title>'
        '<link rel="stylesheet" type="text/css" href="style.css"/></head>'
        f"<body>{body}</body></html>"
    )


def _nested(entries: list[tuple[int, str, str]]) -> str:
    """Nested <ol>s from (depth, href, label) in reading order (a child is one level deeper
    than its parent)."""
    if not entries:
        return ""
    base = entries[0][0]
    out, previous, open_lists = ["<ol>"], base, 1
    for index, (depth, href, label) in enumerate(entries):
        level = max(depth, base)
        if index and level > previous:
            out.append("<ol>")
            open_lists += 1
            level = previous + 1
        elif index:
            out.append("</li>" + "</ol></li>" * (previous - level))
            open_lists -= previous - level
        out.append(f'<li><a href="{href}">{label}</a>')
        previous = level
    out.append("</li>" + "</ol></li>" * (open_lists - 1) + "</ol>")
    return "".join(out)


def _xhtml(fragment: str, *, notes: bool = False) -> str:
    """Sanitised HTML as well-formed XHTML; with ``notes``, Markdown's footnotes as EPUB
    notes (the call a noteref, each note an aside, the way back dropped)."""
    if not fragment.strip():
        return ""
    wrapper = lxml_html.fragment_fromstring(fragment, create_parent="div")
    if notes:
        for call in wrapper.xpath('.//a[@class="footnote-ref"]'):
            call.set("data-noteref", "")
        for block in wrapper.xpath('.//div[@class="footnote"]'):
            parent = block.getparent()
            position = parent.index(block)
            for item in block.xpath("./ol/li"):
                for back in item.xpath('.//a[@class="footnote-backref"]'):
                    back.drop_tree()
                aside = etree.Element("aside", {"id": item.get("id") or "", "class": "note"})
                aside.extend(list(item))
                aside.text = item.text
                parent.insert(position, aside)
                position += 1
            block.drop_tree()
    text = escape(wrapper.text or "")
    inner = "".join(etree.tostring(child, method="xml", encoding="unicode") for child in wrapper)
    return (
        (text + inner)
        .replace(' data-noteref=""', ' epub:type="noteref" role="doc-noteref"')
        .replace('<aside id="" ', "<aside ")
        .replace('<aside id="', '<aside epub:type="footnote" role="doc-footnote" id="')
        .replace(
            '<aside class="note"', '<aside epub:type="footnote" role="doc-footnote" class="note"'
        )
    )
