"""Background tasks (django-tasks; the worker is `manage.py db_worker`)."""

from django_tasks import task


@task()
def build_edition_pdf(pdf_id: int) -> None:
    """Build one queued edition PDF (see services.pdf_build)."""
    from modules import pdf_services

    pdf_services.pdf_build(pdf_id=pdf_id)
