"""Background tasks: feedback e-mail goes out from the worker, so no request (a reader's
submission, a bulk decision on a hundred items) waits on the mail server."""

from django.db import transaction
from django_tasks import task

from guidelines_portal.task_priority import priority

# Its own queue: tests and operators can run e-mail without building PDFs, and a long PDF
# build on one worker never holds up a receipt for long (e-mail goes first).
EMAIL_QUEUE = "email"


@task(queue_name=EMAIL_QUEUE, priority=priority(10))
def send_feedback_email(message: str, feedback_ids: list[int]) -> None:
    """Send one kind of feedback e-mail (see notifications.MESSAGES) about these items."""
    from feedback import notifications

    notifications.deliver(message, feedback_ids)


def email_after_commit(message: str, feedback_ids: list[int]) -> None:
    """Queue an e-mail once the current transaction has committed what it is about."""
    transaction.on_commit(lambda: send_feedback_email.enqueue(message, list(feedback_ids)))


@task(priority=0)
def build_round_report_pdf(round_id: int, language: str) -> None:
    """Build the PDF of a consultation round's disposition report as it stands now."""
    from django.utils import translation

    from feedback import disposition, report_pdf
    from modules.models import Edition

    with translation.override(language):
        consultation = disposition.round_with_edition(round_id)
        if consultation is None:
            return
        editions = list(Edition.objects.published())
        report = disposition.round_disposition(consultation, editions)
        report_pdf.build(report, language)
        # The report as it stands now (it may have moved on while this one was rendered).
        current = disposition.round_disposition(consultation, editions)
        report_pdf.forget_others(round_id, language, report_pdf.file_name(current, language))
