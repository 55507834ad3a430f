"""The API against its own OpenAPI description, with schemathesis (the real client): every
operation, generated path and query values (valid and not), every response checked for
status, content type, headers and body against the schema, and never a 500."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from api.openapi import schema as api_schema

schema = schemathesis.openapi.from_dict(api_schema())
HANDLER = WSGIHandler()


def portal(environ, start_response):
    """The portal as a WSGI application inside the test's transaction: as Django's test client
    does, the end of a request must not close the database connection the test holds (on
    PostgreSQL that ends the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = HANDLER(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            response.close()
        return [body]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def open_api(editions, settings):
    settings.API_RATE_LIMIT = 0  # hundreds of requests from one address
    return editions


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_described(case, open_api):
    # The WSGI transport does not undo gzip as HTTP clients do: ask for the plain bytes
    # (compression is tested in test_documents.py).
    response = case.call(
        app=portal, base_url="http://localhost/api/v1", headers={"Accept-Encoding": "identity"}
    )
    # One refusal a schema cannot express: changes "since" an edition that is not earlier
    # than the one asked about (both published, both well formed) are a 400 by design.
    excluded = [positive_data_acceptance] if _not_earlier(case, response) else []
    case.validate_response(response, excluded_checks=excluded)


def _not_earlier(case, response) -> bool:
    if response.status_code != 400:
        return False
    name = response.json().get("parameter")
    since = (case.query or {}).get(name)
    if isinstance(since, list):  # given more than once: refused for that, not the order
        return False
    newer = (case.path_parameters or {}).get("number")
    published = {"1.0": (1, 0), "1.1": (1, 1)}
    return (
        name in ("changed_since", "from")
        and since in published
        and newer in published
        and published[since] >= published[newer]
    )


def test_the_served_description_is_the_one_tested(client, open_api):
    served = client.get("/api/v1/openapi.json").json()
    assert served == api_schema()
    assert served["servers"] == [{"url": "https://guidelines.test/api/v1"}]
