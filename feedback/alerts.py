"""New-comment alerts for the people who triage feedback: who hears, how often, in which
language.

Each person chooses on the back office's alerts page (feedback.views.alert_settings): a message
for each comment as it arrives (the default), one digest a day, or nothing; in English or
Russian. Every message is addressed to one person, never a list of colleagues. Digests go out
from ``manage.py feedback_send_digests`` (cron, hourly or daily): one a day per person, at or
after FEEDBACK_DIGEST_HOUR, listing the comments recorded since their previous digest.
FEEDBACK_NOTIFY_EMAILS, when set, replaces the people with fixed addresses (a shared desk
mailbox), each sent its own message as comments arrive.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.roles import staff_with_permission
from feedback.mail import SEND_ERRORS, compose
from feedback.models import AlertFrequency, EditorAlerts, Feedback, Status
from guidelines_portal.public_address import absolute_url

log = logging.getLogger(__name__)

# A comment is stamped when it is written and seen once its transaction commits: a digest
# lists what was recorded up to this long before it is made, so none falls between two.
COMMIT_MARGIN = datetime.timedelta(minutes=5)
# Comments listed in one digest; beyond, it gives the number and the link to the queue.
DIGEST_MAX_ITEMS = 100
TRIAGE_PERMISSION = "feedback.change_feedback"


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    user_id: int | None = None


def recipients(frequency: str) -> list[Recipient]:
    """Who hears of new comments at ``frequency``: one entry per address, in pk order."""
    if not settings.FEEDBACK_NOTIFY_EDITORS:
        return []
    if settings.FEEDBACK_NOTIFY_EMAILS:
        if frequency != AlertFrequency.IMMEDIATE:
            return []
        addresses = dict.fromkeys(settings.FEEDBACK_NOTIFY_EMAILS)
        return [Recipient(email=a, language=settings.LANGUAGE_CODE) for a in addresses]
    people = (
        staff_with_permission(TRIAGE_PERMISSION)
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", "email", "feedback_alerts__frequency", "feedback_alerts__language")
    )
    found: dict[str, Recipient] = {}
    for pk, email, chosen, language in people:
        if (chosen or AlertFrequency.IMMEDIATE) != frequency:
            continue
        found.setdefault(
            email.lower(),
            Recipient(email=email, language=language or settings.LANGUAGE_CODE, user_id=pk),
        )
    return list(found.values())


def admin_url(feedback: Feedback) -> str:
    return absolute_url(reverse("admin:feedback_feedback_change", args=[feedback.pk]))


def alerts_of(user: User) -> EditorAlerts:
    """The person's choice, or the default (each comment as it arrives) when they made none."""
    found = EditorAlerts.objects.filter(user=user).first()
    return found or EditorAlerts(user=user)


@transaction.atomic
def alerts_set(*, user: User, frequency: str, language: str) -> EditorAlerts:
    """Record how ``user`` hears of new comments. A first daily choice starts the digests
    from now: the first lists what arrives after it, not the whole queue."""
    alerts = EditorAlerts.objects.select_for_update().filter(user=user).first()
    alerts = alerts or EditorAlerts(user=user)
    starts_digests = frequency == AlertFrequency.DAILY and (
        alerts._state.adding or alerts.frequency != AlertFrequency.DAILY
    )
    alerts.frequency, alerts.language = frequency, language
    if starts_digests:
        alerts.digest_through = timezone.now()
    alerts.full_clean()
    alerts.save()
    return alerts


def digest_slot(now: datetime.datetime) -> datetime.datetime:
    """The latest time at or before ``now`` when the day's digests became due
    (FEEDBACK_DIGEST_HOUR, in the site's time zone): one digest a day, at or after that hour,
    whether cron runs the command hourly or once a day."""
    local = timezone.localtime(now)
    slot = local.replace(hour=settings.FEEDBACK_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return slot if slot <= local else slot - datetime.timedelta(days=1)


def send_digests(*, now: datetime.datetime | None = None) -> int:
    """Send each person who chose a daily digest the comments recorded since their last one
    (if there are any); returns the number of messages sent.

    Each person's digest is decided under a lock on their row and their mark moves only once
    the message is sent: two runs at once send it once, and a failed send is tried at the next
    run with the same comments.
    """
    now = now or timezone.now()
    cutoff = now - COMMIT_MARGIN
    # A digest made at or after today's slot marks up to (now - margin), never earlier than
    # (slot - margin): what is marked earlier than that has had no digest today.
    not_yet_today = Q(digest_through__isnull=True) | Q(
        digest_through__lt=digest_slot(now) - COMMIT_MARGIN
    )
    daily = {r.user_id: r for r in recipients(AlertFrequency.DAILY)}
    due = EditorAlerts.objects.filter(user_id__in=daily, frequency=AlertFrequency.DAILY).filter(
        not_yet_today
    )
    sent = 0
    for user_id in due.order_by("pk").values_list("pk", flat=True):
        recipient = daily[user_id]
        with transaction.atomic():
            alerts = (
                EditorAlerts.objects.select_for_update()
                .filter(pk=user_id, frequency=AlertFrequency.DAILY)
                .filter(not_yet_today)
                .first()
            )
            if alerts is None:  # sent by another run meanwhile, or no longer daily
                continue
            since = alerts.digest_through or cutoff - datetime.timedelta(days=1)
            new = Feedback.objects.filter(created_at__gt=since, created_at__lte=cutoff).exclude(
                status=Status.SPAM
            )
            total = new.count()
            if total:
                listed = list(
                    new.select_related("edition", "module", "section").order_by("created_at", "pk")[
                        :DIGEST_MAX_ITEMS
                    ]
                )
                context = {
                    "items": [(item, admin_url(item)) for item in listed],
                    "total": total,
                    "more": total - len(listed),
                    "since": since,
                    "queue_url": absolute_url(reverse("admin:feedback_feedback_changelist")),
                    "settings_url": absolute_url(reverse("feedback_staff:alerts")),
                }
                message = compose(
                    "digest", to=[recipient.email], language=recipient.language, context=context
                )
                try:
                    message.send()
                except SEND_ERRORS as error:
                    log.warning(
                        "Feedback digest for user %s not sent: %s", user_id, type(error).__name__
                    )
                    continue
                sent += 1
            alerts.digest_through = cutoff
            alerts.save(update_fields=["digest_through"])
    return sent
