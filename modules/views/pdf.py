"""PDF downloads: published editions (public, built in the background, served as files)
and the working draft (staff only, built on request and marked DRAFT)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from modules import pdf_services, selectors
from modules.models import PDFStatus


def edition_pdf(
    request: HttpRequest, edition: str, module: str = "", review: bool = False
) -> HttpResponseBase:
    """An edition's PDF, whole or one module, for reading or (``review``) the review kit's
    copy with paragraph identifiers in the margin: the file once built, else "being made"."""
    reading = selectors.get_reading(edition)
    page_module = selectors.get_module(reading.modules, module) if module else None
    pdf = pdf_services.pdf_request(
        edition=reading.edition, language=get_language(), module_slug=module, review=review
    )
    if pdf.status == PDFStatus.READY:
        response = FileResponse(
            pdf.file.open("rb"), content_type="application/pdf", filename=pdf.filename
        )
        response["ETag"] = f'"{pdf.sha256}"'
        # A published edition's PDF never changes.
        patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
        return response
    context = {
        **reading.context(),
        "module": page_module,
        "pdf": pdf,
        "failed": pdf.status == PDFStatus.FAILED,
    }
    pending = render(
        request,
        "modules/pdf_pending.html",
        context,
        status=503 if pdf.status == PDFStatus.FAILED else 202,
    )
    pending["Retry-After"] = "10"
    patch_cache_control(pending, no_store=True)
    return pending


@never_cache
@login_required
@permission_required("modules.view_section", raise_exception=True)
def draft_pdf(request: HttpRequest, module: str = "") -> HttpResponse:
    """The working draft as a PDF, marked DRAFT on every page, for staff who may read the draft
    (view_section: editors, translators, feedback reviewers)."""
    from modules.pdf import render_pdf  # WeasyPrint: imported only when a PDF is made

    rendered = render_pdf(edition=None, language=get_language(), module_slug=module)
    response = HttpResponse(rendered.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
    return response
