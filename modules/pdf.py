"""PDF editions: an edition (or the working draft), whole or one module, in one language.

``render_pdf`` takes what to print and returns (file name, bytes, page count); it renders
under the requested language and never touches the network or the disk beyond the site's
own static files (``SiteOnlyURLFetcher``). Published editions never change, so their PDFs
are built once, in the background (modules.tasks), and served as files (views/pdf.py).
"""

import gc
import logging
import mimetypes
import re
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import pydyf
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from weasyprint import HTML, Document
from weasyprint import layout as weasyprint_layout
from weasyprint.formatting_structure import boxes
from weasyprint.formatting_structure.boxes import Box
from weasyprint.layout import page as weasyprint_page
from weasyprint.urls import URLFetcher, URLFetcherResponse

from guidelines_portal import public_address
from modules import selectors
from modules.labels import DOCUMENT_CODE, section_number
from modules.models import Edition, EditionModule, EditionSection

log = logging.getLogger(__name__)
# Static files are addressed under this made-up origin, which only the fetcher understands.
STATIC_BASE = "https://pdf.invalid/static/"
_FOOTNOTE_REF = re.compile(
    r'<sup id="[^"]*fnref-[^"]*"><a class="footnote-ref" href="#([^"]+)"[^>]*>[^<]*</a></sup>'
)
_FOOTNOTE_ITEM = re.compile(
    r'<li id="([^"]+)">\s*<p>(.*?)(?:&nbsp;)?<a class="footnote-backref".*?</p>\s*</li>', re.DOTALL
)
_FOOTNOTES_START = '<div class="footnote">'
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


def pdf_filename(
    number: str, language: str, module_code: str = "", *, draft: bool = False, review: bool = False
) -> str:
    """TG-2370_ed1.1_ru_SALW.pdf, TG-2370_ed1.1_en.pdf, TG-2370_draft_en.pdf,
    TG-2370_ed1.1_en_SALW_review.pdf."""
    part = "draft" if draft else f"ed{number}"
    suffix = f"_{module_code}" if module_code else ""
    return f"{DOCUMENT_CODE}_{part}_{language}{suffix}{'_review' if review else ''}.pdf"


_PARAGRAPH_START = re.compile(r"<p>")


def identified_paragraphs(html: str, number: str) -> tuple[str, int]:
    """A body with each paragraph readers see numbered (#p1, #p2...) opening with its
    identifier for the margin (B.4.5 ¶3, as the comment table names it), and how many there
    are. Footnotes are left alone (they are not paragraphs)."""
    text, separator, footnotes = html.partition(_FOOTNOTES_START)
    counter = 0
    shown = escape(section_number(number))

    def identify(_match: re.Match) -> str:
        nonlocal counter
        counter += 1
        return f'<p class="identified"><span class="pid">{shown} ¶{counter}</span> '

    return _PARAGRAPH_START.sub(identify, text) + separator + footnotes, counter


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
    review: bool = False,
) -> RenderedPDF:
    """The PDF of ``edition`` (None: the working draft, marked DRAFT), whole or one module;
    ``review``: the review kit's copy, paragraph identifiers in the margin."""
    if edition is None:
        snapshot = selectors.get_draft()
        modules, sections = snapshot.modules, snapshot.sections
        current = snapshot.current
    else:
        modules = selectors.get_edition_modules(edition)
        sections = selectors.get_full_sections(edition)
        current = edition
    return render_text(
        edition, modules, sections, current=current, language=language,
        module_slug=module_slug, base_url=base_url, review=review,
    )  # fmt: skip


def render_text(
    edition: Edition | None,
    modules: list[EditionModule],
    sections: list[EditionSection],
    *,
    current: Edition | None,
    language: str,
    module_slug: str = "",
    base_url: str | None = None,
    review: bool = False,
) -> RenderedPDF:
    """The PDF of these modules and sections as ``edition`` (None: the draft), saved or not:
    a scheduled edition's PDFs are made from its frozen text, unsaved, before its moment."""
    draft = edition is None
    if module_slug:
        module = selectors.get_module(modules, module_slug)
        modules = [module]
        sections = [s for s in sections if s.module_id == module.pk]
    with translation.override(language):
        by_module = _sections_by_module(sections, review=review)
        context = {
            "review": review,
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
    with _kept_out_of_garbage_collection():
        content = rendered.write_pdf(
            pdf_variant="pdf/ua-1",
            finisher=AccessibilityFinisher(labels=labels, language=language),
        )
    code = modules[0].code if module_slug else ""
    return RenderedPDF(
        pdf_filename(edition.number if edition else "", language, code, draft=draft, review=review),
        content,
        len(rendered.pages),
    )


@contextmanager
def _kept_out_of_garbage_collection() -> Iterator[None]:
    """The laid-out pages (millions of objects in a long text) live until the PDF is written:
    collect the garbage once, then keep everything alive now out of the collector's full
    passes, which would walk every box again and again (a tenth of the layout's time). The
    layout collects and sets aside in the same way each page as it is made (_set_aside)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _set_aside() -> None:
    """Collect the garbage made since the last call (a short pass: older objects are frozen)
    and freeze what is left, within _kept_out_of_garbage_collection."""
    gc.collect()
    gc.freeze()


# Blocks that a forced page break may move whole (a table row rather than one of its cells).
_MOVABLE_BLOCKS = {"p", "li", "dt", "dd", "blockquote", "pre", "tr"}
# How many times one page is laid out again to bring its footnotes back (the demonstration
# editions need one at most).
FOOTNOTE_PASSES = 3
# HTML documents being laid out by render_with_footnotes_on_call_pages (see _make_all_pages).
_KEEPING_FOOTNOTES: "weakref.WeakSet[HTML]" = weakref.WeakSet()


def render_with_footnotes_on_call_pages(html: HTML) -> Document:
    """Lay ``html`` out so that every footnote body is on the page of its call.

    WeasyPrint 70 moves footnotes already placed on a page to the next one to make room for
    the second line of a paragraph that would otherwise be an orphan (``_linebox_layout`` in
    weasyprint/layout/block.py), whatever ``footnote-policy`` says, and does not bring them
    back when that paragraph goes to the next page after all. Where a footnote went astray,
    the block that took its room is made to start the next page, and that page laid out
    again (at most ``FOOTNOTE_PASSES`` times). This is done as the pages are made, one page
    back, so the pages before are not laid out again, and a later page is judged as it
    finally stands (laying the whole text out again after moving every such block at once
    took twice the time, and could move a block that the first move had already settled).
    """
    _KEEPING_FOOTNOTES.add(html)
    try:
        with _kept_out_of_garbage_collection():
            return html.render()
    finally:
        _KEEPING_FOOTNOTES.discard(html)


def footnote_pages(document: Document) -> list[tuple[list, list]]:
    """Per page, the elements of the footnotes called there and of those printed there."""
    return [_footnotes_of(page._page_box) for page in document.pages]


def _footnotes_of(page_box: boxes.PageBox) -> tuple[list, list]:
    calls, bodies = [], []
    for child in page_box.children:
        if isinstance(child, boxes.FootnoteAreaBox):
            bodies += [footnote.element for footnote in child.children]
        elif not isinstance(child, boxes.MarginBox):
            calls += [box.footnote.element for box in child.descendants() if box.footnote]
    return calls, bodies


def _block_pushing_footnotes_away(page: boxes.PageBox, following: boxes.PageBox) -> Box | None:
    """Where a footnote is called on ``page`` but not printed there, the block that took its
    room: the one around the first line of the next page, be it the block split over the
    page turn or one that starts there (WeasyPrint tried it on the page, moved the footnote
    away for it, then moved it over anyway)."""
    calls, bodies = _footnotes_of(page)
    if all(call in bodies for call in calls):
        return None
    return _edge_block(following, last=False)


def _edge_block(page: boxes.PageBox, *, last: bool) -> Box | None:
    """The innermost movable block around the first (or last) line of a page."""
    return _edge_line(page.children[0], None, last)[1]


def _edge_line(box: Box, movable: Box | None, last: bool) -> tuple[bool, Box | None]:
    """(whether ``box`` holds a line, the innermost movable block around its edge line)."""
    if isinstance(box, boxes.LineBox):
        return True, movable
    if box.element_tag in _MOVABLE_BLOCKS:
        movable = box
    children = getattr(box, "children", ())
    for child in reversed(children) if last else children:
        if isinstance(child, boxes.MarginBox) or child.style["position"] in ("absolute", "fixed"):
            continue  # running heads and the DRAFT mark are not in the flow
        has_line, found = _edge_line(child, movable, last)
        if has_line:
            return True, found
    return False, None


def _make_all_pages(context, root_box: Box, html: HTML, pages: list) -> Iterator:
    """WeasyPrint's ``make_all_pages`` (which ``layout_document`` calls for each pass over
    the pages), checking footnotes page by page for documents rendered by
    render_with_footnotes_on_call_pages, and left as it is for any other."""
    if html in _KEEPING_FOOTNOTES:
        yield from _FootnotePaginator(context, root_box, html).make_all(pages)
    else:
        yield from _weasyprint_make_all_pages(context, root_box, html, pages)


class _FootnotePaginator:
    """Makes the pages as WeasyPrint does (``remake_page`` for each page that is new or out
    of date), and after each one checks the page before it; where a footnote went astray
    there, the block that took its room is given ``break-before: page`` and the page before
    is made again, from the layout state it started with (the page maker keeps where each
    page starts; the footnotes waiting and the floats broken over a page are kept here)."""

    def __init__(self, context, root_box: Box, html: HTML) -> None:
        self.context, self.root_box, self.html = context, root_box, html
        self._movable: dict[object, list[Box]] | None = None

    def _break_before(self, element: object) -> None:
        """Make the boxes of ``element`` start a page, in the box tree that pages are laid out
        from. Elements styled alike share one style object: the element gets its own."""
        if self._movable is None:
            self._movable = {}
            for box in self.root_box.descendants():
                if box.element_tag in _MOVABLE_BLOCKS:
                    self._movable.setdefault(box.element, []).append(box)
        for box in self._movable.get(element, ()):
            box.style = box.style.copy()
            box.style["break_before"] = "page"

    def make_all(self, previous: list) -> list:
        context = self.context
        context.rendered_notes = []
        made: list = []
        states: dict[int, tuple] = {}  # the state each page made in this pass started with
        tries: dict[int, int] = {}
        index, stale_from = 0, None  # pages from stale_from on are made again
        while True:
            remake_state = context.page_maker[index][-1]
            if (
                index >= len(previous)
                or remake_state["content_changed"]
                or remake_state["pages_wanted"]
                or (stale_from is not None and index >= stale_from)
            ):
                states[index] = self._state()
                states.pop(index - 2, None)
                remake_state.update(
                    content_changed=False, pages_wanted=False, anchors=[], content_lookups=[]
                )
                page, resume_at = weasyprint_page.remake_page(
                    index, context, self.root_box, self.html
                )
                reported = context.reported_footnotes
                _set_aside()
            else:
                page, resume_at = previous[index], context.page_maker[index + 1][0]
                reported = None
            del made[index:]
            made.append(page)
            if index - 1 in states:
                block = _block_pushing_footnotes_away(made[index - 1], page)
                if block is not None and tries.get(index - 1, 0) < FOOTNOTE_PASSES:
                    tries[index - 1] = tries.get(index - 1, 0) + 1
                    self._break_before(block.element)
                    index -= 1
                    self._restore(states[index])
                    stale_from = index if stale_from is None else min(stale_from, index)
                    continue
                if block is not None:
                    log.warning("Some footnotes are still not on the page of their call")
            index += 1
            if resume_at is None and not reported:
                # As WeasyPrint ends its pass: throw away obsolete pages and content.
                context.page_maker = context.page_maker[: index + 1]
                context.broken_out_of_flow.clear()
                context.reported_footnotes.clear()
                return made

    def _state(self) -> tuple:
        context = self.context
        return (
            list(context.footnotes),
            list(context.reported_footnotes),
            dict(context.broken_out_of_flow),
            len(context.rendered_notes),
        )

    def _restore(self, state: tuple) -> None:
        context = self.context
        footnotes, reported, broken_out_of_flow, notes = state
        context.footnotes, context.reported_footnotes = list(footnotes), list(reported)
        context.broken_out_of_flow = dict(broken_out_of_flow)
        del context.rendered_notes[notes:]


# WeasyPrint 70 has no hook between pages: its layout_document looks make_all_pages up in
# its module each time, so the check goes in there, and does nothing for other documents.
_weasyprint_make_all_pages = weasyprint_layout.make_all_pages
weasyprint_layout.make_all_pages = _make_all_pages


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


def _sections_by_module(sections: list[EditionSection], *, review: bool = False) -> dict:
    """{module id: [(section, body html ready for print), ...]} in reading order (the draft's
    snapshot modules carry their draft ids, so both kinds group the same way). For a review
    copy each section also says how many paragraphs it has (``section.paragraph_count``)."""
    grouped: dict[int, list] = {}
    for section in sorted(sections, key=lambda s: s.sort_key):
        body = str(section.body_html)
        if review:
            body, count = identified_paragraphs(body, section.number)
            setattr(section, "paragraph_count", count)  # noqa: B010 - shown in the contents
        grouped.setdefault(section.module_id, []).append((section, footnotes_in_place(body)))
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
