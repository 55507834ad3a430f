"""Task priorities that hold on every task backend.

django-tasks refuses, when a task module is imported, a priority the configured backend does
not support: the RQ backend has none (its queues' order decides), so a task declared with a
priority would make its whole module fail to import on RQ. Declare priorities through here.
"""

from django_tasks import default_task_backend
from django_tasks.base import DEFAULT_TASK_PRIORITY


def priority(value: int) -> int:
    """``value`` where the backend orders tasks by priority (the database backend), else the
    default."""
    return value if default_task_backend.supports_priority else DEFAULT_TASK_PRIORITY
