"""Published editions to take away, whole or one module, in the page's language: EPUB for
e-readers and DOCX for officials who quote the text.

The worker makes the current edition's files right after its pages are switched on
(page_store.prepare.takeaway_paths); any other is made when first asked for (a tenth of a
second for the demonstration edition's EPUB, under two seconds for its DOCX). Either way the
page store keeps it like a published page: the same file from every process, replaced only
when the edition's pages are.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

from guidelines_portal.page_store import stored_page
from modules import selectors
from modules.epub import render_epub
from modules.word import render_docx

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(render: Callable, content_type: str) -> Callable:
    @stored_page
    def view(request: HttpRequest, edition: str, module: str = "") -> HttpResponse:
        reading = selectors.get_reading(edition)
        if module:
            selectors.get_module(reading.modules, module)  # 404 for a module it lacks
        made = render(edition=reading.edition, language=get_language() or "en", module_slug=module)
        response = HttpResponse(made.content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
        patch_cache_control(response, public=True, max_age=24 * 3600)
        return response

    return view


edition_epub = _download(render_epub, "application/epub+zip")
edition_docx = _download(render_docx, DOCX_TYPE)
