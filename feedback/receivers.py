"""What the feedback app does when content announces something (see modules/signals.py)."""

from feedback import services


def fold_feedback_into_edition(sender, *, edition, changed_keys, notify, **kwargs) -> None:
    """Accepted feedback whose change the new edition carries becomes "incorporated in" it."""
    services.feedback_incorporate(edition=edition, changed_keys=changed_keys, notify=notify)
