"""Background tasks (django-tasks; the worker is `manage.py db_worker`).

The task path ("modules.tasks.build_edition_pdf") is stored with every queued task: keep it.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from modules import pdf_builds
from modules.models import EditionPDF, PDFStatus


@task()
def build_edition_pdf(pdf_id: int) -> None:
    """Build one queued edition PDF; a failure with tries left is queued again, later."""
    pdf = pdf_builds.pdf_build(pdf_id=pdf_id)
    if pdf is not None and pdf.status == PDFStatus.QUEUED:
        schedule(pdf, delay=pdf_builds.retry_delay(pdf))


def schedule(pdf: EditionPDF, *, delay: datetime.timedelta | None = None) -> None:
    """Ask the worker to build ``pdf`` once the current transaction commits."""
    queued = build_edition_pdf
    if delay:
        queued = queued.using(run_after=timezone.now() + delay)
    transaction.on_commit(lambda: queued.enqueue(pdf.pk))
