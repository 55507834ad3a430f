"""Real-browser tests: Playwright for Python driving Debian's Chromium (never a downloaded one)."""

import os
import shutil
import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class OneRequestAtATimeOnSharedConnections(ThreadedWSGIServer):
    """The live server for an in-memory SQLite test database.

    Every request thread then shares the test's one SQLite connection. Two requests at once
    (a staff page and its admin script, each saving the session) would open two transactions
    on it, and the second fails ("cannot start a transaction within a transaction"). Requests
    still get their own threads, so the browser's keep-alive connections work, but the
    application handles one at a time. On PostgreSQL each thread has its own connection, and
    requests run concurrently as in production.
    """

    def set_app(self, application):
        if not self.connections_override:
            return super().set_app(application)
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            with lock:
                response = application(environ, start_response)
                try:
                    body = b"".join(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()  # request_finished, still under the lock
            return [body]

        return super().set_app(one_at_a_time)


@pytest.fixture(scope="session", autouse=True)
def _live_server_class():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LiveServerThread, "server_class", OneRequestAtATimeOnSharedConnections)
        yield


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip(
            "*** BROWSER TESTS SKIPPED: Chromium is not installed (apt-get install chromium) ***"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert refused == [], f"the Content-Security-Policy refused: {refused}"
