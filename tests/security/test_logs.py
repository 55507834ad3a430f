"""Tokens of tracking and set-up links never reach a log with the address they are in."""

import datetime
import logging

import pytest
from gunicorn.config import Config

from guidelines_portal.log_filters import AccessLogger
from tests.feedback.conftest import make_feedback, tracking_path

pytestmark = pytest.mark.django_db


def test_a_refused_tracking_link_is_logged_without_its_token(client, published, caplog):
    token = "S3cretTrackingToken0123456789abcdefghijklmnop"
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(f"/en/feedback/track/{token}/").status_code == 404
    assert "/en/feedback/track/…" in caplog.text and token not in caplog.text


def test_gunicorns_access_log_cuts_the_tokens_out(published):
    path = tracking_path(make_feedback())
    token = path.split("/")[-2]

    class Response:
        status, headers, sent = "200 OK", [], 512

    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": f"{path}?received=1", "PATH_INFO": path,
        "QUERY_STRING": "received=1", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://portal.example/admin/set-up/1:abc:def/",
    }  # fmt: skip
    headers = [("REFERER", environ["HTTP_REFERER"])]
    atoms = AccessLogger(Config()).atoms(Response(), headers, environ, datetime.timedelta(0))
    printed = " ".join(str(value) for value in atoms.values())
    assert token not in printed and "1:abc:def" not in printed
    assert atoms["r"] == "GET /en/feedback/track/…/?received=1 HTTP/1.1"
