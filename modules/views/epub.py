"""EPUB downloads of published editions (whole or one module, in the page's language).

An EPUB has no layout to compute, so it is made when first asked for (a tenth of a second
for the demonstration edition) and then kept by the page store like a published page: the
same file from every process, replaced only when the edition's pages are.
"""

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

from guidelines_portal.page_store import stored_page
from modules import selectors
from modules.epub import render_epub


@stored_page
def edition_epub(request: HttpRequest, edition: str, module: str = "") -> HttpResponse:
    reading = selectors.get_reading(edition)
    if module:
        selectors.get_module(reading.modules, module)  # 404 for a module the edition lacks
    book = render_epub(edition=reading.edition, language=get_language() or "en", module_slug=module)
    response = HttpResponse(book.content, content_type="application/epub+zip")
    response["Content-Disposition"] = f'attachment; filename="{book.filename}"'
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return response
