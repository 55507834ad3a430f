"""E-mail about feedback: the contributor's acknowledgement and decisions, and the editors' alert.

Sent by the background worker (feedback.tasks) once the write has committed. A failure to send
is logged (reference only, never the comment) and kept in the item's history; the item itself
is never affected. Unsent acknowledgements can be sent again with
``manage.py feedback_send_pending``.
"""

import logging
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from feedback.models import EventKind, Feedback, FeedbackEvent, tracking_expiry
from modules.roles import staff_with_permission

log = logging.getLogger(__name__)
SEND_ERRORS = (smtplib.SMTPException, OSError, ValueError)


def absolute_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def tracking_url(feedback: Feedback, language: str) -> str:
    """The private link, which stays valid for FEEDBACK_TRACKING_DAYS from this e-mail on."""
    feedback.tracking_expires_at = tracking_expiry()
    Feedback.objects.filter(pk=feedback.pk).update(tracking_expires_at=feedback.tracking_expires_at)
    with translation.override(language):
        return absolute_url(feedback.get_absolute_url())


def _send(
    feedback: Feedback, *, template: str, to: list[str], language: str, context: dict
) -> bool:
    """Render ``feedback/emails/<template>`` (subject, text, html) and send it."""
    context = {"feedback": feedback, **context}
    with translation.override(language):
        subject = " ".join(
            render_to_string(f"feedback/emails/{template}_subject.txt", context).split()
        )
        text = render_to_string(f"feedback/emails/{template}.txt", context)
        html = render_to_string(f"feedback/emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, to=to)
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except SEND_ERRORS as error:
        log.warning(
            "Feedback e-mail %s for %s not sent: %s",
            template,
            feedback.reference,
            type(error).__name__,
        )
        FeedbackEvent.objects.create(
            feedback=feedback, kind=EventKind.EMAIL_FAILED, text=f"{template}: {error}"[:500]
        )
        return False
    FeedbackEvent.objects.create(feedback=feedback, kind=EventKind.EMAIL_SENT, text=template)
    return True


def acknowledge(feedback: Feedback) -> bool:
    """The contributor's receipt: reference number and private tracking link."""
    if not feedback.email:
        return False
    sent = _send(
        feedback,
        template="acknowledgement",
        to=[feedback.email],
        language=feedback.language,
        context={"tracking_url": tracking_url(feedback, feedback.language)},
    )
    if sent:
        feedback.acknowledged_at = timezone.now()
        Feedback.objects.filter(pk=feedback.pk).update(acknowledged_at=feedback.acknowledged_at)
    return sent


def editor_addresses() -> list[str]:
    """Who hears of new feedback: FEEDBACK_NOTIFY_EMAILS, else everyone who may triage it."""
    if settings.FEEDBACK_NOTIFY_EMAILS:
        return list(settings.FEEDBACK_NOTIFY_EMAILS)
    users = staff_with_permission("feedback.change_feedback").exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def notify_editors(feedback: Feedback) -> bool:
    if not settings.FEEDBACK_NOTIFY_EDITORS:
        return False
    recipients = editor_addresses()
    if not recipients:
        return False
    admin_path = reverse("admin:feedback_feedback_change", args=[feedback.pk])
    return _send(
        feedback,
        template="new_feedback",
        to=recipients,
        language=settings.LANGUAGE_CODE,
        context={"admin_url": absolute_url(admin_path)},
    )


def feedback_received(feedback: Feedback) -> None:
    acknowledge(feedback)
    notify_editors(feedback)


def decision_made(feedback: Feedback) -> bool:
    """Tell the contributor what the editors decided, with their response."""
    if not feedback.email:
        return False
    return _send(
        feedback,
        template="decision",
        to=[feedback.email],
        language=feedback.language,
        context={"tracking_url": tracking_url(feedback, feedback.language)},
    )


def incorporated(items: Iterable[Feedback]) -> None:
    """Tell each contributor that their comment is now part of a published edition."""
    for feedback in items:
        if feedback.email:
            _send(
                feedback,
                template="incorporated",
                to=[feedback.email],
                language=feedback.language,
                context={"tracking_url": tracking_url(feedback, feedback.language)},
            )


# What the services queue (feedback.tasks.email_after_commit), by name: one e-mail per item.
MESSAGES = {
    "received": feedback_received,
    "decision": decision_made,
    "incorporated": lambda feedback: incorporated([feedback]),
}


def deliver(message: str, feedback_ids: list[int]) -> None:
    """Send ``message`` about each of the items (the worker's entry point)."""
    send = MESSAGES[message]
    for feedback in Feedback.objects.filter(pk__in=feedback_ids).order_by("pk"):
        send(feedback)
