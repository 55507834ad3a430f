"""What the alerts app does when content announces something (see modules/signals.py)."""

from django.db import transaction

from alerts.models import Frequency, Subscriber


def announce_edition(sender, *, edition, notify, **kwargs) -> None:
    """Once the publication commits, the worker writes to the edition's subscribers (those
    who chose a message for each edition; weekly digests go out from their command)."""
    if not notify:
        return
    waiting = Subscriber.objects.filter(frequency=Frequency.IMMEDIATE, confirmed_at__isnull=False)
    if not waiting.exists():
        return
    from alerts.tasks import announce_edition as task

    transaction.on_commit(lambda: task.enqueue(edition.pk))
