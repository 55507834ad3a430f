"""Writes for edition PDFs: queue once, build once, record failures and retry.

A published edition never changes, so each (edition, module or whole, language) PDF is built
once, by the background worker, and kept as a file. Readers asking before it is ready see a
page saying it is being prepared; they never wait on WeasyPrint.
"""

import datetime
import hashlib
import logging
import time
import traceback

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from modules.models import LANGS, Edition, EditionPDF, PDFStatus

log = logging.getLogger(__name__)
RETRY_AFTER = datetime.timedelta(minutes=1)


def enqueue_build(pdf: EditionPDF, *, delay: datetime.timedelta | None = None) -> None:
    """Ask the worker to build ``pdf`` once the current transaction commits."""
    from modules.tasks import build_edition_pdf

    task = build_edition_pdf
    if delay:
        task = task.using(run_after=timezone.now() + delay)
    transaction.on_commit(lambda: task.enqueue(pdf.pk))


def pdf_request(*, edition: Edition, language: str, module_slug: str = "") -> EditionPDF:
    """The PDF's row, queued for building the first time anyone asks (once, however many
    ask at the same moment: the row is unique), and again after a failure with tries left."""
    pdf = EditionPDF.objects.filter(
        edition=edition, module_slug=module_slug, language=language
    ).first()
    if pdf is None:
        try:
            with transaction.atomic():
                pdf = EditionPDF.objects.create(
                    edition=edition, module_slug=module_slug, language=language
                )
        except IntegrityError:  # another request queued it a moment ago
            return EditionPDF.objects.get(
                edition=edition, module_slug=module_slug, language=language
            )
        enqueue_build(pdf)
        return pdf
    if pdf.status == PDFStatus.FAILED and pdf.attempts < settings.PDF_MAX_ATTEMPTS:
        requeued = EditionPDF.objects.filter(pk=pdf.pk, status=PDFStatus.FAILED).update(
            status=PDFStatus.QUEUED
        )
        if requeued:
            pdf.status = PDFStatus.QUEUED
            enqueue_build(pdf)
    return pdf


def pdfs_queue_edition(*, edition: Edition) -> list[EditionPDF]:
    """Queue every PDF of a newly published edition: whole and per module, each language
    (one insert, whatever the number of modules)."""
    slugs = ["", *edition.modules.order_by("order").values_list("slug", flat=True)]
    pdfs = EditionPDF.objects.bulk_create(
        EditionPDF(edition=edition, module_slug=slug, language=lang)
        for slug in slugs
        for lang in LANGS
    )
    for pdf in pdfs:
        enqueue_build(pdf)
    return pdfs


def pdfs_rebuild(*, pdfs: QuerySet[EditionPDF]) -> int:
    """Queue these PDFs to be built again (all but those being built now); how many."""
    pdfs = pdfs.exclude(status=PDFStatus.BUILDING)
    queued = list(pdfs)
    pdfs.update(status=PDFStatus.QUEUED, attempts=0)
    for pdf in queued:
        enqueue_build(pdf)
    return len(queued)


def pdf_build(*, pdf_id: int, force: bool = False) -> EditionPDF | None:
    """Build a queued PDF (or, with ``force``, any), unless another worker already is.

    The file is written first and the row marked ready after, so nobody is ever served a
    half-written file. A failure is recorded with its error and retried later.
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
            enqueue_build(pdf, delay=RETRY_AFTER * pdf.attempts)
        return pdf
    pdf.filename, pdf.pages, pdf.size = rendered.filename, rendered.pages, len(rendered.content)
    pdf.sha256, pdf.error = hashlib.sha256(rendered.content).hexdigest(), ""
    pdf.status, pdf.built_at = PDFStatus.READY, timezone.now()
    pdf.build_seconds = round(time.perf_counter() - started, 2)
    pdf.save()
    return pdf
