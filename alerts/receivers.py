"""What the alerts app does when content announces something (see modules/signals.py)."""

from django.db import transaction


def announce_edition(sender, *, edition, notify, **kwargs) -> None:
    """Once the publication commits, the worker writes to the edition's subscribers."""
    if not notify:
        return
    from alerts.tasks import announce_edition as task

    transaction.on_commit(lambda: task.enqueue(edition.pk))
