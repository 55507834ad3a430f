"""Citation files (BibTeX, RIS, CSL-JSON) of a published edition, module or section."""

import hashlib

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import get_language

from modules import citations, selectors


def citation_file(
    request: HttpRequest, edition: str, fmt: str, module: str = "", key: str = ""
) -> HttpResponse:
    page_edition, page_module, section = selectors.get_citable(edition, module, key)
    language = get_language()
    if section is not None and page_module is not None:
        citation = citations.for_section(page_edition, page_module, section, language=language)
    elif page_module is not None:
        citation = citations.for_module(page_edition, page_module, language=language)
    else:
        citation = citations.for_edition(page_edition, language=language)
    filename, content_type, content = citations.render(citation, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Not "immutable" like the PDFs: an edition's text never changes, but its date can be
    # corrected (EditionCorrection), and the citation carries the date.
    etag = f'"{hashlib.sha256(content).hexdigest()}"'
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=24 * 3600)
    # 304 or 412 when the request's conditions say so; otherwise the response itself.
    return get_conditional_response(request, etag=etag, response=response) or response
