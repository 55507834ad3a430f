"""Building one edition PDF: claim it, render it, keep the file, record the outcome.

Run by the worker's task (tasks.py) and by the operations command (through
pdf_services.pdf_build); it queues nothing itself, so the task module and the queueing
services depend on it and not on each other in a circle.
"""

import datetime
import hashlib
import logging
import time
import traceback

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone

from modules.models import EditionPDF, PDFStatus

log = logging.getLogger(__name__)
RETRY_AFTER = datetime.timedelta(minutes=1)


def retry_delay(pdf: EditionPDF) -> datetime.timedelta:
    """How long a failed PDF waits before its next try (longer after each)."""
    return RETRY_AFTER * pdf.attempts


def pdf_build(*, pdf_id: int, force: bool = False) -> EditionPDF | None:
    """Build a queued PDF (or, with ``force``, any), unless another worker already is.

    The file is written first and the row marked ready after, so nobody is ever served a
    half-written file. A failure is recorded with its error; while tries are left the PDF
    comes back QUEUED, for the caller to queue again after retry_delay().
    """
    claimable = [PDFStatus.QUEUED, PDFStatus.FAILED] + ([PDFStatus.READY] if force else [])
    claimed = EditionPDF.objects.filter(pk=pdf_id, status__in=claimable).update(
        status=PDFStatus.BUILDING, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    # Imported here: WeasyPrint takes half a second to import, which web processes that only
    # serve files should not pay at start-up.
    from modules import pdf as renderer

    pdf = EditionPDF.objects.select_related("edition").get(pk=pdf_id)
    started = time.perf_counter()
    try:
        rendered = renderer.render_pdf(
            edition=pdf.edition, language=pdf.language, module_slug=pdf.module_slug
        )
        old_name = pdf.file.name
        pdf.file.save(rendered.filename, ContentFile(rendered.content), save=False)
        if old_name and old_name != pdf.file.name:
            pdf.file.storage.delete(old_name)
    except Exception as error:  # any failure is recorded and retried, never lost
        pdf.status, pdf.error = PDFStatus.FAILED, traceback.format_exc(limit=5)[-4000:]
        pdf.save(update_fields=["status", "error"])
        log.warning("PDF %s failed (attempt %s): %s", pdf, pdf.attempts, error)
        if pdf.attempts < settings.PDF_MAX_ATTEMPTS:
            EditionPDF.objects.filter(pk=pdf.pk).update(status=PDFStatus.QUEUED)
            pdf.status = PDFStatus.QUEUED  # the caller queues it again (tasks.schedule)
        return pdf
    pdf.filename, pdf.pages, pdf.size = rendered.filename, rendered.pages, len(rendered.content)
    pdf.sha256, pdf.error = hashlib.sha256(rendered.content).hexdigest(), ""
    pdf.status, pdf.built_at = PDFStatus.READY, timezone.now()
    pdf.build_seconds = round(time.perf_counter() - started, 2)
    pdf.save()
    return pdf
