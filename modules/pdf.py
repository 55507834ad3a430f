"""PDF editions: an edition (or the working draft), whole or one module, in one language.

``render_pdf`` takes what to print and returns (file name, bytes, page count); it renders
under the requested language and never touches the network or the disk beyond the site's
own static files (``SiteOnlyURLFetcher``). Published editions never change, so their PDFs
are built once, in the background (modules.tasks), and served as files (views/pdf.py).
"""

import logging
import mimetypes
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pydyf
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from weasyprint import HTML
from weasyprint.formatting_structure import boxes
from weasyprint.urls import URLFetcher, URLFetcherResponse

from guidelines_portal import public_address
from modules import selectors
from modules.labels import section_number
from modules.models import Edition, EditionSection

log = logging.getLogger(__name__)
DOCUMENT_CODE = "TG-2370"
# Static files are addressed under this made-up origin, which only the fetcher understands.
STATIC_BASE = "https://pdf.invalid/static/"
_FOOTNOTE_REF = re.compile(
    r'<sup id="[^"]*fnref-[^"]*"><a class="footnote-ref" href="#([^"]+)"[^>]*>[^<]*</a></sup>'
)
_FOOTNOTE_ITEM = re.compile(
    r'<li id="([^"]+)">\s*<p>(.*?)(?:&nbsp;)?<a class="footnote-backref".*?</p>\s*</li>', re.DOTALL
)
_FOOTNOTE_BLOCK = re.compile(r'<div class="footnote">.*?</div>', re.DOTALL)


class BlockedURL(ValueError):
    """A resource that a PDF may not load."""


class SiteOnlyURLFetcher(URLFetcher):
    """Lets WeasyPrint read ``data:`` URIs and the site's own static files, nothing else:
    no local file, no network, no redirect, whatever the text asks for."""

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if not url.startswith(STATIC_BASE):
            raise BlockedURL(f"PDFs load only the site's own static files, not {url[:100]}")
        relative = urlsplit(url).path.removeprefix(urlsplit(STATIC_BASE).path)
        path = finders.find(relative) if ".." not in relative.split("/") else None
        if not path:
            raise BlockedURL(f"No such static file: {relative[:100]}")
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        with open(path, "rb") as handle:
            return URLFetcherResponse(url, handle.read(), {"Content-Type": content_type})


@dataclass
class RenderedPDF:
    filename: str
    content: bytes
    pages: int


def pdf_filename(number: str, language: str, module_code: str = "", *, draft: bool = False) -> str:
    """TG-2370_ed1.1_ru_SALW.pdf, TG-2370_ed1.1_en.pdf, TG-2370_draft_en.pdf."""
    part = "draft" if draft else f"ed{number}"
    suffix = f"_{module_code}" if module_code else ""
    return f"{DOCUMENT_CODE}_{part}_{language}{suffix}.pdf"


def footnotes_in_place(html: str) -> str:
    """Move Markdown's end-of-section footnotes to their calls, for CSS page footnotes."""
    notes = {m.group(1): m.group(2).strip() for m in _FOOTNOTE_ITEM.finditer(html)}
    if not notes:
        return html

    def call(match: re.Match) -> str:
        note = notes.get(match.group(1))
        return f'<span class="footnote">{note}</span>' if note else match.group(0)

    return _FOOTNOTE_BLOCK.sub("", _FOOTNOTE_REF.sub(call, html))


def render_pdf(
    *,
    edition: Edition | None,
    language: str,
    module_slug: str = "",
    base_url: str | None = None,
) -> RenderedPDF:
    """The PDF of ``edition`` (None: the working draft, marked DRAFT), whole or one module."""
    draft = edition is None
    if edition is None:
        snapshot = selectors.get_draft()
        modules, sections = snapshot.modules, snapshot.sections
        current = snapshot.current
    else:
        modules = selectors.get_edition_modules(edition)
        sections = selectors.get_full_sections(edition)
        current = edition
    if module_slug:
        module = selectors.get_module(modules, module_slug)
        modules = [module]
        sections = [s for s in sections if s.module_id == module.pk]
    with translation.override(language):
        by_module = _sections_by_module(sections)
        context = {
            "edition": edition,
            "draft": draft,
            "latest": current,
            "language": language,
            "language_name": translation.get_language_info(language)["name_local"],
            "parts": [(m, by_module.get(m.pk, [])) for m in modules],
            "single_module": modules[0] if module_slug else None,
            "fingerprint": edition.text_fingerprint if edition else "",
            "stable_url": _stable_url(edition, module_slug, base_url),
            "demo": settings.PORTAL_DEMO_CONTENT,
            "static_base": STATIC_BASE,
        }
        html = render_to_string("pdf/document.html", context)
        labels = _link_labels(context["parts"])
    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=SiteOnlyURLFetcher())
    rendered = render_with_footnotes_on_call_pages(document)
    content = rendered.write_pdf(
        pdf_variant="pdf/ua-1", finisher=AccessibilityFinisher(labels=labels, language=language)
    )
    code = modules[0].code if module_slug else ""
    return RenderedPDF(
        pdf_filename(edition.number if edition else "", language, code, draft=draft),
        content,
        len(rendered.pages),
    )


# Blocks that a forced page break may move whole (a table row rather than one of its cells).
_MOVABLE_BLOCKS = {"p", "li", "dt", "dd", "blockquote", "pre", "tr"}
FOOTNOTE_PASSES = 3


def render_with_footnotes_on_call_pages(html: HTML):
    """Lay ``html`` out so that every footnote body is on the page of its call.

    WeasyPrint 70 moves footnotes already placed on a page to the next one to make room for
    the second line of a paragraph that would otherwise be an orphan (``_linebox_layout`` in
    weasyprint/layout/block.py), whatever ``footnote-policy`` says, and does not bring them
    back when that paragraph goes to the next page after all. Where a footnote went astray,
    the block that took its room is made to start the next page, and the text laid out again
    (at most ``FOOTNOTE_PASSES`` times; the demonstration editions need one).
    """
    document = html.render()
    for _attempt in range(FOOTNOTE_PASSES):
        blocks = _blocks_pushing_footnotes_away(document)
        if not blocks:
            break
        for element in blocks:
            element.set("style", f"{element.get('style') or ''};break-before: page")
        document = html.render()
    else:
        if _blocks_pushing_footnotes_away(document):
            log.warning("Some footnotes are still not on the page of their call")
    return document


def footnote_pages(document) -> list[tuple[list, list]]:
    """Per page, the elements of the footnotes called there and of those printed there."""
    pages = []
    for page in document.pages:
        calls, bodies = [], []
        for child in page._page_box.children:
            if isinstance(child, boxes.FootnoteAreaBox):
                bodies += [footnote.element for footnote in child.children]
            elif not isinstance(child, boxes.MarginBox):
                calls += [box.footnote.element for box in child.descendants() if box.footnote]
        pages.append((calls, bodies))
    return pages


def _blocks_pushing_footnotes_away(document) -> list:
    """For each page where a footnote is called but not printed, the block that took its room:
    the block split over the page turn, or else the one that starts the next page (WeasyPrint
    tried it on the page, moved the footnote away for it, then moved it over anyway)."""
    blocks = []
    pages = document.pages
    for index, (calls, bodies) in enumerate(footnote_pages(document)[:-1]):
        if all(call in bodies for call in calls):
            continue
        first, last = _edge_block(pages[index], last=False), _edge_block(pages[index], last=True)
        following = _edge_block(pages[index + 1], last=False)
        if last is not None and last is following and last is not first:
            blocks.append(last)
        elif following is not None:
            blocks.append(following)
    return blocks


def _edge_block(page, *, last: bool):
    """The element of the innermost movable block around the first (or last) line of a page."""
    return _edge_line(page._page_box.children[0], None, last)[1]


def _edge_line(box, movable, last: bool) -> tuple[bool, object]:
    """(whether ``box`` holds a line, the innermost movable block around its edge line)."""
    if isinstance(box, boxes.LineBox):
        return True, movable
    if box.element_tag in _MOVABLE_BLOCKS:
        movable = box.element
    children = getattr(box, "children", ())
    for child in reversed(children) if last else children:
        if isinstance(child, boxes.MarginBox) or child.style["position"] in ("absolute", "fixed"):
            continue  # running heads and the DRAFT mark are not in the flow
        has_line, found = _edge_line(child, movable, last)
        if has_line:
            return True, found
    return False, None


class AccessibilityFinisher:
    """Completes WeasyPrint's PDF/UA tagging, once the PDF objects exist (``finisher``):

    - internal links are described by their target's number and title, not its anchor id;
    - table header cells say whether they head a column or a row (``/Scope``), as their
      ``scope`` attribute does (WeasyPrint links data cells to headers the same way);
    - the XMP metadata states the document's language (``dc:language``).
    """

    def __init__(self, *, labels: dict[str, str], language: str) -> None:
        self.labels, self.language = labels, language

    def __call__(self, document, pdf: pydyf.PDF) -> None:
        for page in document.pages:
            for box in page._page_box.descendants():
                annotation = getattr(box, "link_annotation", None)
                if annotation is not None and "Dest" in annotation:
                    annotation["Contents"] = pydyf.String(self._describe(box, annotation))
                mark = getattr(box, "mark", None)
                if box.element_tag == "th" and mark is not None:
                    scope = "/Row" if box.element.get("scope") == "row" else "/Column"
                    mark.setdefault("A", pydyf.Dictionary({"O": "/Table"}))["Scope"] = scope
        self._declare_language(pdf)

    def _describe(self, box, annotation) -> str:
        target = annotation["Dest"].string
        text = " ".join("".join(box.element.itertext()).split())
        return self.labels.get(target) or text or target

    def _declare_language(self, pdf: pydyf.PDF) -> None:
        language = (
            '<rdf:Description xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" rdf:about="">'
            f"<dc:language><rdf:Bag><rdf:li>{self.language}</rdf:li></rdf:Bag></dc:language>"
            "</rdf:Description></rdf:RDF>"
        ).encode()
        for stream in pdf.objects:
            if isinstance(stream, pydyf.Stream) and stream.extra.get("Type") == "/Metadata":
                stream.stream = [part.replace(b"</rdf:RDF>", language) for part in stream.stream]


def _link_labels(parts) -> dict[str, str]:
    """{anchor id: what a screen reader says for a link to it}: a module's title, or a
    section's number and title, in the language being rendered."""
    labels = {}
    for module, sections in parts:
        labels[f"module-{module.slug}"] = module.title
        for section, _body in sections:
            labels[f"s-{section.key}"] = f"{section_number(section.number)} {section.title}".strip()
    return labels


def _sections_by_module(sections: list[EditionSection]) -> dict[int, list]:
    """{module id: [(section, body html ready for print), ...]} in reading order (the draft's
    snapshot modules carry their draft ids, so both kinds group the same way)."""
    grouped: dict[int, list] = {}
    for section in sorted(sections, key=lambda s: s.sort_key):
        grouped.setdefault(section.module_id, []).append(
            (section, footnotes_in_place(str(section.body_html)))
        )
    return grouped


def _stable_url(edition: Edition | None, module_slug: str, base_url: str | None) -> str:
    if edition is None:
        return ""
    if module_slug:
        path = reverse(
            "modules:edition_module", kwargs={"edition": edition.number, "module": module_slug}
        )
    else:
        path = edition.get_absolute_url()
    return (base_url or public_address.base_url()).rstrip("/") + path
