"""E-mail about feedback: the contributor's acknowledgement and decisions, and the editors'
alert of each new comment (who hears of what, and the daily digests: feedback.alerts).

Sent by the background worker (feedback.tasks) once the write has committed. A failure to send
is logged (reference only, never the comment) and kept in the item's history; the item itself
is never affected. ``manage.py feedback_send_pending`` sends again what could not be sent: the
acknowledgements, and the decisions and incorporation notices whose last attempt failed.
"""

import logging

from django.urls import reverse
from django.utils import timezone, translation

from feedback import alerts
from feedback.mail import SEND_ERRORS, compose
from feedback.models import AlertFrequency, EventKind, Feedback, FeedbackEvent, tracking_path
from feedback.services import feedback_tracking_link
from guidelines_portal.public_address import absolute_url

log = logging.getLogger(__name__)


def tracking_url(feedback: Feedback, language: str) -> str:
    """A new private link, valid for FEEDBACK_TRACKING_DAYS from this e-mail on (the database
    keeps only its digest, so every e-mail carries a link of its own)."""
    token = feedback_tracking_link(feedback=feedback, prune=True)
    with translation.override(language):
        return absolute_url(tracking_path(token))


def _deliver(message, feedback: Feedback, template: str) -> Exception | None:
    """Send one message; a failure is logged (the reference, never the comment) and returned."""
    try:
        message.send()
    except SEND_ERRORS as error:
        log.warning(
            "Feedback e-mail %s for %s not sent: %s",
            template,
            feedback.reference,
            type(error).__name__,
        )
        return error
    return None


def _send(
    feedback: Feedback, *, template: str, to: list[str], language: str, context: dict
) -> bool:
    """Send ``template`` about ``feedback``; the outcome goes into the item's history."""
    message = compose(template, to=to, language=language, context={"feedback": feedback, **context})
    error = _deliver(message, feedback, template)
    if error is not None:
        FeedbackEvent.objects.create(
            feedback=feedback, kind=EventKind.EMAIL_FAILED, text=f"{template}: {error}"[:500]
        )
        return False
    FeedbackEvent.objects.create(feedback=feedback, kind=EventKind.EMAIL_SENT, text=template)
    return True


def _to_contributor(feedback: Feedback, template: str) -> bool:
    """An e-mail to the contributor, if they gave an address: in the language they wrote in,
    with their private tracking link."""
    if not feedback.email:
        return False
    return _send(
        feedback,
        template=template,
        to=[feedback.email],
        language=feedback.language,
        context={"tracking_url": tracking_url(feedback, feedback.language)},
    )


def acknowledge(feedback: Feedback) -> bool:
    """The contributor's receipt: reference number and private tracking link."""
    sent = _to_contributor(feedback, "acknowledgement")
    if sent:
        feedback.acknowledged_at = timezone.now()
        Feedback.objects.filter(pk=feedback.pk).update(acknowledged_at=feedback.acknowledged_at)
    return sent


def notify_editors(feedback: Feedback) -> bool:
    """Tell each person who hears of comments as they arrive (feedback.alerts), one message
    each, in their language. The alert is one event in the item's history, however many it
    reached. True when every message was sent."""
    template = "new_feedback"
    context = {
        "feedback": feedback,
        "admin_url": alerts.admin_url(feedback),
        "settings_url": absolute_url(reverse("feedback_staff:alerts")),
    }
    recipients = alerts.recipients(AlertFrequency.IMMEDIATE)
    errors = []
    for recipient in recipients:
        message = compose(
            template, to=[recipient.email], language=recipient.language, context=context
        )
        if (error := _deliver(message, feedback, template)) is not None:
            errors.append(error)
    if not recipients:
        return False
    if errors:
        FeedbackEvent.objects.create(
            feedback=feedback,
            kind=EventKind.EMAIL_FAILED,
            text=f"{template}: {len(errors)} of {len(recipients)} not sent: {errors[0]}"[:500],
        )
        return False
    FeedbackEvent.objects.create(
        feedback=feedback, kind=EventKind.EMAIL_SENT, text=f"{template}: {len(recipients)}"
    )
    return True


def feedback_received(feedback: Feedback) -> None:
    acknowledge(feedback)
    notify_editors(feedback)


def decision_made(feedback: Feedback) -> bool:
    """Tell the contributor what the editors decided, with their response."""
    return _to_contributor(feedback, "decision")


def incorporated(feedback: Feedback) -> bool:
    """Tell the contributor that their comment is now part of a published edition."""
    return _to_contributor(feedback, "incorporated")


# What the services queue (feedback.tasks.email_after_commit), by name: one e-mail per item.
MESSAGES = {
    "received": feedback_received,
    "decision": decision_made,
    "incorporated": incorporated,
}


def failed_contributor_notices() -> list[tuple[Feedback, str]]:
    """Decisions and incorporation notices whose sending failed and that no later e-mail made
    up for, as (item, message) pairs in item order: what ``feedback_send_pending`` sends again.

    A decision sent later covers a failed decision; an incorporation notice covers both (it
    says where the item now stands), so an item gets one e-mail at most, about its state now.
    """
    items_with_failures = FeedbackEvent.objects.filter(kind=EventKind.EMAIL_FAILED).values(
        "feedback_id"
    )
    events = (
        FeedbackEvent.objects.filter(
            feedback_id__in=items_with_failures,
            kind__in=(EventKind.EMAIL_SENT, EventKind.EMAIL_FAILED),
        )
        .exclude(feedback__email="")
        .order_by("feedback_id", "at", "pk")
        .values_list("feedback_id", "kind", "text")
    )
    pending: dict[int, set[str]] = {}
    for feedback_id, kind, text in events:
        template = text.split(":", 1)[0]  # a failure's text is "<template>: <error>"
        unsent = pending.setdefault(feedback_id, set())
        if kind == EventKind.EMAIL_FAILED and template in ("decision", "incorporated"):
            unsent.add(template)
        elif kind == EventKind.EMAIL_SENT and template == "decision":
            unsent.discard("decision")
        elif kind == EventKind.EMAIL_SENT and template == "incorporated":
            unsent.clear()
    items = Feedback.objects.in_bulk([pk for pk, unsent in pending.items() if unsent])
    notices = []
    for pk in sorted(items):
        item = items[pk]
        if "incorporated" in pending[pk] and item.is_incorporated:
            notices.append((item, "incorporated"))
        elif item.is_decided:  # a decision since reopened is not news any more
            notices.append((item, "decision"))
    return notices


def deliver(message: str, feedback_ids: list[int]) -> None:
    """Send ``message`` about each of the items (the worker's entry point)."""
    send = MESSAGES[message]
    for feedback in Feedback.objects.filter(pk__in=feedback_ids).order_by("pk"):
        send(feedback)
