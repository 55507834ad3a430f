"""GET /health/: can this process serve? The database, the cache and the task queue.

200 with {"status": "ok", ...} when all answer; 503 naming what failed otherwise. For load
balancers and monitoring: no page content, nothing secret, never cached.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
# Tasks waiting longer than this mean no worker is running.
STALE_QUEUE = datetime.timedelta(minutes=15)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _cache() -> str:
    key, value = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    ok = cache.get(key) == value
    cache.delete(key)
    return "ok" if ok else "failing"


def _tasks() -> dict:
    """Waiting tasks and the age of the oldest: a stale queue means no worker is running."""
    if settings.TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
        waiting, oldest = _rq_queue()
    else:
        waiting, oldest = _database_queue()
    age = (timezone.now() - oldest).total_seconds() if oldest else 0
    return {
        "status": "failing" if age > STALE_QUEUE.total_seconds() else "ok",
        "waiting": waiting,
        "oldest_waiting_seconds": int(age),
    }


def _database_queue() -> tuple[int, datetime.datetime | None]:
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return waiting.count(), oldest


def _rq_queue() -> tuple[int, datetime.datetime | None]:
    import django_rq

    waiting, oldest = 0, None
    for name in settings.TASK_QUEUES:
        queue = django_rq.get_queue(name)
        first = queue.get_job_ids(0, 1)
        job = queue.fetch_job(first[0]) if first else None
        enqueued = job.enqueued_at if job else None
        if enqueued is not None and timezone.is_naive(enqueued):
            enqueued = enqueued.replace(tzinfo=datetime.UTC)  # RQ keeps UTC
        waiting += queue.count
        if enqueued is not None and (oldest is None or enqueued < oldest):
            oldest = enqueued
    return waiting, oldest


@never_cache
@require_safe  # GET, and HEAD as load balancers probe
def health(request: HttpRequest) -> JsonResponse:
    report: dict = {}
    for name, check in (("database", _database), ("cache", _cache), ("tasks", _tasks)):
        try:
            report[name] = check()
        except (DatabaseError, OSError, ValueError, RedisError) as error:
            log.error("Health check %s failed: %s", name, type(error).__name__)
            report[name] = "failing"
    failing = [
        name
        for name, value in report.items()
        if (value if isinstance(value, str) else value["status"]) != "ok"
    ]
    report["status"] = "failing" if failing else "ok"
    return JsonResponse(report, status=503 if failing else 200)
