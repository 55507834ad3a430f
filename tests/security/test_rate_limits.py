"""Rate limits (feedback, search, sign-in) hold across server processes when the cache is
shared: two gunicorn workers with Redis as the cache accept exactly the limit, whatever worker
answers. Client addresses behind trusted proxies come from X-Forwarded-For."""

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory

from guidelines_portal.abuse import client_ip

ROOT = Path(settings.BASE_DIR)
REDIS = ("127.0.0.1", 6379)
LIMIT = 5


def _redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def two_workers(tmp_path):
    if not _redis_answers():
        pytest.skip(
            "*** Redis is not running on 127.0.0.1:6379: cross-process limits not tested ***"
        )
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/limits.sqlite3",
        "CACHE_URL": "redis://127.0.0.1:6379/15",
        "FEEDBACK_RATE_LIMIT": str(LIMIT),
        "SEARCH_RATE_LIMIT": str(LIMIT),
        "LOGIN_RATE_LIMIT": str(LIMIT),
        "FEEDBACK_NOTIFY_EDITORS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    subprocess.run([*manage, "load_demo"], cwd=ROOT, env=env, check=True, timeout=300,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    subprocess.run([sys.executable, "-c", "import redis; redis.Redis(db=15).flushdb()"], check=True)
    server = subprocess.Popen(
        [shutil.which("gunicorn") or str(Path(sys.executable).parent / "gunicorn"),
         "guidelines_portal.wsgi", f"--bind=127.0.0.1:{port}", "--workers=2",
         "--log-level=warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/health/")
            break
        except OSError:
            time.sleep(0.2)
    yield port
    server.terminate()
    server.wait(timeout=10)


def _submit(port: int, n: int) -> int:
    body = urllib.parse.urlencode({
        "about": "all", "kind": "general", "comment": f"Limit test {n}", "category": "other",
        "name": "Tester", "email": f"limit{n}@example.org", "publishable": "on",
    })  # fmt: skip
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "POST", "/en/feedback/", body,
        {"Content-Type": "application/x-www-form-urlencoded",
         "Origin": f"http://127.0.0.1:{port}", "Connection": "close"},
    )  # fmt: skip
    return connection.getresponse().status


def _search(port: int, n: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", f"/ru/search/?q=marking+{n}", headers={"Connection": "close"})
    return connection.getresponse().status


def _sign_in(port: int, n: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/admin/login/")
    page = connection.getresponse()
    cookie = page.getheader("Set-Cookie").split(";")[0]
    token = page.read().decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    body = urllib.parse.urlencode(
        {"username": f"guess{n}", "password": "wrong", "csrfmiddlewaretoken": token}
    )
    connection.request(
        "POST", "/admin/login/", body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
         "Origin": f"http://127.0.0.1:{port}", "Referer": f"http://127.0.0.1:{port}/admin/login/"},
    )  # fmt: skip
    return connection.getresponse().status


@pytest.mark.parametrize(
    ("send", "accepted"),
    [
        (_submit, 302),  # feedback: the receipt
        (_search, 200),
        (_sign_in, 200),  # the form again: wrong password
    ],
    ids=["feedback", "search", "sign-in"],
)
def test_twice_the_limit_sent_to_two_workers_accepts_only_the_limit(two_workers, send, accepted):
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda n: send(two_workers, n), range(2 * LIMIT)))
    assert statuses.count(accepted) == LIMIT, statuses
    assert statuses.count(429) == LIMIT, statuses


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "192.0.2.1"),  # no trusted proxy: the header is ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client wrote the first entry
        (2, "6.6.6.6, 203.0.113.9, 198.51.100.7", "203.0.113.9"),
        (2, "203.0.113.9", "192.0.2.1"),  # fewer hops than proxies: misconfigured
        (1, "not-an-address", "192.0.2.1"),
        (1, "", "192.0.2.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_behind_trusted_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_window_starts_at_the_first_counted_request(monkeypatch):
    """No burst passes more than the limit: with windows fixed to the clock, requests just
    before and just after a whole minute each got a full allowance (CI once saw 7 of 5)."""
    from guidelines_portal.abuse import rate_limited

    clock = [1_000_000_079.5]  # half a second before a whole minute
    monkeypatch.setattr(time, "time", lambda: clock[0])

    def hit() -> bool:
        return rate_limited("test", "203.0.113.9", limit=5, window=60)

    results = [hit() for _ in range(5)]
    clock[0] += 1  # past the whole minute
    results += [hit() for _ in range(5)]
    assert results == [False] * 5 + [True] * 5
    clock[0] += 60  # a window after the first request: a new allowance
    assert hit() is False
