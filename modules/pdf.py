"""PDF editions: an edition (or the working draft), whole or one module, in one language.

``render_pdf`` takes what to print and returns (file name, bytes, page count); it renders
under the requested language and never touches the network or the disk beyond the site's
own static files (``SiteOnlyURLFetcher``). Published editions never change, so their PDFs
are built once, in the background (modules.tasks), and served as files (views/pdf.py).
"""

import mimetypes
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from guidelines_portal import public_address
from modules import selectors
from modules.models import Edition, EditionSection

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
    if draft:
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
    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=SiteOnlyURLFetcher())
    rendered = document.render()
    content = rendered.write_pdf(pdf_variant="pdf/ua-1")
    code = modules[0].code if module_slug else ""
    return RenderedPDF(
        pdf_filename(edition.number if edition else "", language, code, draft=draft),
        content,
        len(rendered.pages),
    )


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
