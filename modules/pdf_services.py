"""Writes for edition PDFs: queue once, build once (pdf_builds.py, run by the worker's task in
tasks.py), record failures and retry.

A published edition never changes, so each (edition, module or whole, language) PDF is built
once, by the background worker, and kept as a file. Readers asking before it is ready see a
page saying it is being prepared; they never wait on WeasyPrint.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from modules import pdf_builds
from modules.models import (
    LANGS,
    Edition,
    EditionPDF,
    PDFStatus,
    ScheduledPDF,
    ScheduledPublication,
)
from modules.tasks import schedule


def pdf_request(
    *, edition: Edition, language: str, module_slug: str = "", review: bool = False
) -> EditionPDF:
    """The PDF's row, queued for building the first time anyone asks (once, however many
    ask at the same moment: the row is unique), and again after a failure with tries left.
    Review copies are made only when someone asks for one."""
    which = {"edition": edition, "module_slug": module_slug, "language": language}
    pdf = EditionPDF.objects.filter(**which, review=review).first()
    if pdf is None:
        try:
            with transaction.atomic():
                pdf = EditionPDF.objects.create(**which, review=review)
        except IntegrityError:  # another request queued it a moment ago
            return EditionPDF.objects.get(**which, review=review)
        schedule(pdf)
        return pdf
    if pdf.status == PDFStatus.FAILED and pdf.attempts < settings.PDF_MAX_ATTEMPTS:
        requeued = EditionPDF.objects.filter(pk=pdf.pk, status=PDFStatus.FAILED).update(
            status=PDFStatus.QUEUED
        )
        if requeued:
            pdf.status = PDFStatus.QUEUED
            schedule(pdf)
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
        schedule(pdf)
    return pdfs


def pdfs_take_prebuilt(*, edition: Edition, scheduled: ScheduledPublication) -> int:
    """The scheduled publication's PDFs, made before its moment from the same frozen text,
    become ``edition``'s: ready at once, nothing left to build. Those not made (or failed)
    stay queued; files made but not taken are deleted. Returns how many were taken."""
    made = {(p.module_slug, p.language): p for p in scheduled.pdfs.exclude(sha256="")}
    taken = []
    for pdf in EditionPDF.objects.filter(edition=edition, status=PDFStatus.QUEUED, review=False):
        ready = made.get((pdf.module_slug, pdf.language))
        if ready is not None and EditionPDF.objects.filter(
            pk=pdf.pk, status=PDFStatus.QUEUED
        ).update(
            status=PDFStatus.READY, file=ready.file.name, filename=ready.filename,
            pages=ready.pages, size=ready.size, sha256=ready.sha256, built_at=ready.built_at,
            build_seconds=ready.build_seconds, error="",
        ):  # fmt: skip
            taken.append(ready.pk)
    scheduled.pdfs.filter(pk__in=taken).update(file="")  # the files are the edition's now
    scheduled_pdfs_discard(scheduled=scheduled)  # any left over
    return len(taken)


def scheduled_pdfs_discard(*, scheduled: ScheduledPublication) -> None:
    """Delete the files made ahead for a publication that will not take them (cancelled or
    failed), once that is committed; the rows stay as a record."""
    names = [name for name in scheduled.pdfs.values_list("file", flat=True) if name]
    scheduled.pdfs.update(file="")

    def delete() -> None:
        for name in names:
            ScheduledPDF.file.field.storage.delete(name)

    transaction.on_commit(delete)


def pdfs_rebuild(*, pdfs: QuerySet[EditionPDF]) -> int:
    """Queue these PDFs to be built again (all but those being built now); how many."""
    pdfs = pdfs.exclude(status=PDFStatus.BUILDING)
    queued = list(pdfs)
    pdfs.update(status=PDFStatus.QUEUED, attempts=0)
    for pdf in queued:
        schedule(pdf)
    return len(queued)


def pdf_build(*, pdf_id: int, force: bool = False) -> EditionPDF | None:
    """Build a PDF now, in this process (the operations command): see pdf_builds.pdf_build.
    A failure with tries left is queued again for the worker."""
    pdf = pdf_builds.pdf_build(pdf_id=pdf_id, force=force)
    if pdf is not None and pdf.status == PDFStatus.QUEUED:
        schedule(pdf, delay=pdf_builds.retry_delay(pdf))
    return pdf
