"""Background tasks (django-tasks; the worker is `manage.py db_worker`).

The task path ("modules.tasks.build_edition_pdf") is stored with every queued task: keep it.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from modules import pdf_builds
from modules.models import EditionPDF, PDFStatus


@task()
def build_edition_pdf(pdf_id: int) -> None:
    """Build one queued edition PDF; a failure with tries left is queued again, later."""
    pdf = pdf_builds.pdf_build(pdf_id=pdf_id)
    if pdf is not None and pdf.status == PDFStatus.QUEUED:
        schedule(pdf, delay=pdf_builds.retry_delay(pdf))


@task()
def build_scheduled_pdfs(scheduled_id: int) -> None:
    """Make the next PDF of a scheduled edition before its moment, then ask for the next."""
    if pdf_builds.scheduled_pdfs_build(scheduled_id=scheduled_id):
        _queue_scheduled(scheduled_id)


def _queue_scheduled(scheduled_id: int) -> None:
    queued = build_scheduled_pdfs
    if default_task_backend.supports_priority:  # behind the publication, when both are due
        queued = queued.using(priority=-10)
    queued.enqueue(scheduled_id)


def prepare_scheduled(scheduled_id: int) -> None:
    """Ask the worker to make a scheduled edition's PDFs once the schedule commits."""
    transaction.on_commit(lambda: _queue_scheduled(scheduled_id))


def schedule(pdf: EditionPDF, *, delay: datetime.timedelta | None = None) -> None:
    """Ask the worker to build ``pdf`` once the current transaction commits."""
    queued = build_edition_pdf
    if delay:
        queued = queued.using(run_after=timezone.now() + delay)
    transaction.on_commit(lambda: queued.enqueue(pdf.pk))
