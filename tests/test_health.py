"""The health endpoint: database, cache and task queue."""

import datetime

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_health_is_ok_when_everything_answers(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["cache"] == "ok"
    assert body["tasks"]["status"] == "ok"
    assert "no-cache" in response["Cache-Control"]


def test_a_queue_nobody_works_on_is_reported(client, draft, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from tests.conftest import publish

    with django_capture_on_commit_callbacks(execute=True):
        publish("1.0")  # queues its PDFs
    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(hours=1))
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["tasks"]["status"] == "failing"


def test_a_broken_cache_is_reported(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    from django.core.cache import caches

    caches._settings = None  # re-read CACHES
    try:
        response = client.get("/health/")
    finally:
        caches._settings = None
    assert response.status_code == 503 and response.json()["cache"] == "failing"


def test_health_answers_over_plain_http_when_pages_redirect_to_https(client, settings):
    """A load balancer probes gunicorn's port directly; a redirect would read as 'down'."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/en/").status_code == 301
    response = client.get("/health/")
    assert response.status_code == 200 and response.json()["status"] == "ok"
