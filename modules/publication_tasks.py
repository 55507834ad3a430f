"""The worker's part of scheduled publication (modules.services.schedule): publish a
confirmed edition at its moment.

The task path ("modules.publication_tasks.publish_scheduled_edition") is stored with every
queued task: keep it.
"""

from django.db import transaction
from django_tasks import task

from modules.models import ScheduledPublication, ScheduleStatus


@task()
def publish_scheduled_edition(scheduled_id: int) -> None:
    """Publish a scheduled edition at its moment; ask again later if the worker is early."""
    from modules.services.schedule import edition_publish_due  # it queues this task

    scheduled = edition_publish_due(scheduled_id=scheduled_id)
    if scheduled is not None and scheduled.status == ScheduleStatus.SCHEDULED:
        publish_when_due(scheduled)


def publish_when_due(scheduled: ScheduledPublication) -> None:
    """Ask the worker to publish ``scheduled`` at its moment, once this transaction commits."""
    queued = publish_scheduled_edition.using(run_after=scheduled.publish_at)
    transaction.on_commit(lambda: queued.enqueue(scheduled.pk))
