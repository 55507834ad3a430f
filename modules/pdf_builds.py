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

from modules import snapshots
from modules.models import (
    LANGS,
    Edition,
    EditionPDF,
    PDFStatus,
    ScheduledPDF,
    ScheduledPublication,
    ScheduleStatus,
)

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
            edition=pdf.edition,
            language=pdf.language,
            module_slug=pdf.module_slug,
            review=pdf.review,
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


def scheduled_pdfs_build(*, scheduled_id: int) -> bool:
    """Make the next PDF of a scheduled edition (whole and per module, each language) from its
    frozen text, before its moment, as its EditionPDF would be built after it: the same
    renderer, the same unsaved edition row, dated the day it will be published. One PDF per
    call, so that a worker running these between other tasks is never held up for long (the
    publication itself goes first). Returns whether any is left to make; False too once the
    publication is cancelled or done. A PDF that fails is recorded and left to be built after
    publishing, as any other."""
    scheduled = ScheduledPublication.objects.filter(pk=scheduled_id).first()
    if scheduled is None or scheduled.status != ScheduleStatus.SCHEDULED:
        return False
    modules, sections = snapshots.snapshot_load(scheduled.snapshot)
    wanted = [
        (slug, language)
        for slug in ["", *(m.slug for m in sorted(modules, key=lambda m: (m.order, m.code)))]
        for language in LANGS
    ]
    tried = set(
        ScheduledPDF.objects.filter(scheduled=scheduled).values_list("module_slug", "language")
    )
    left = [key for key in wanted if key not in tried]
    if not left:
        return False
    slug, language = left[0]
    pdf = ScheduledPDF.objects.create(scheduled=scheduled, module_slug=slug, language=language)
    from modules import pdf as renderer  # WeasyPrint: only where PDFs are made

    current = Edition.objects.current()
    edition = snapshots.edition_row(
        modules, sections, number=scheduled.number,
        published_on=timezone.localdate(scheduled.publish_at),
        change_summary_en=scheduled.change_summary_en,
        change_summary_ru=scheduled.change_summary_ru,
        before=dict(current.sections.values_list("key", "text_hash")) if current else {},
    )  # fmt: skip
    started = time.perf_counter()
    try:
        rendered = renderer.render_text(
            edition, modules, sections, current=edition, language=language, module_slug=slug
        )
    except Exception as error:  # recorded; the edition's own build will try again
        pdf.error = traceback.format_exc(limit=5)[-4000:]
        pdf.save(update_fields=["error"])
        log.warning("PDF %s of scheduled edition %s failed: %s", pdf, scheduled.number, error)
        return len(left) > 1
    if not ScheduledPublication.objects.filter(
        pk=scheduled.pk, status=ScheduleStatus.SCHEDULED
    ).exists():
        return False  # published or cancelled while this one was made: not kept
    pdf.file.save(rendered.filename, ContentFile(rendered.content), save=False)
    pdf.filename, pdf.pages, pdf.size = rendered.filename, rendered.pages, len(rendered.content)
    pdf.sha256 = hashlib.sha256(rendered.content).hexdigest()
    pdf.built_at = timezone.now()
    pdf.build_seconds = round(time.perf_counter() - started, 2)
    pdf.save()
    return len(left) > 1
