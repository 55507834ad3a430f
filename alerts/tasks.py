"""The worker's part: after a publication, each subscriber's message; once a week, the
digests. Both can be run again at any moment (a restart, a retry): deliveries already sent
or interrupted are not sent again.

The task paths ("alerts.tasks.announce_edition", ...) are stored with every queued task: keep
them.
"""

import logging

from django.utils import timezone
from django_tasks import task

from alerts import messages, selectors, services
from guidelines_portal.task_priority import priority
from modules.models import Edition

log = logging.getLogger(__name__)

EMAIL_QUEUE = "email"


@task(queue_name=EMAIL_QUEUE)
def announce_edition(edition_id: int) -> None:
    """Tell every subscriber (each edition) what ``edition`` changed in what they follow."""
    edition = Edition.objects.filter(pk=edition_id).first()
    previous = services.previous_edition(edition) if edition else None
    if edition is None or previous is None:
        return
    planned = services.edition_deliveries_plan(edition)
    changes = selectors.edition_changes(edition, previous)
    report = services.deliveries_send(
        services.edition_batch(edition), messages.for_edition(changes)
    )
    log.info(
        "Alerts for edition %s: %s planned, %s sent, %s failed, %s left",
        edition.number, planned, report.sent, report.failed, report.left,
    )  # fmt: skip


@task(queue_name=EMAIL_QUEUE)
def send_weekly_digests() -> None:
    send_digests()


def send_digests(now=None) -> services.SendReport:
    """This week's digests (and any edition messages left pending by an interrupted run)."""
    now = now or timezone.now()
    services.forget_unconfirmed(now=now)
    for edition in Edition.objects.published()[:3]:  # recent announcements left half-way
        previous = services.previous_edition(edition)
        if previous is not None:
            changes = selectors.edition_changes(edition, previous)
            services.deliveries_send(
                services.edition_batch(edition), messages.for_edition(changes), now=now
            )
    batch = services.weekly_deliveries_plan(now=now)
    return services.deliveries_send(
        batch,
        messages.for_week(now),
        sent=lambda subscriber: services.digest_sent(subscriber, now),
        now=now,
    )


@task(queue_name=EMAIL_QUEUE, priority=priority(10))
def send_confirmation(subscriber_id: int) -> None:
    services.subscription_confirmation(subscriber_id)
