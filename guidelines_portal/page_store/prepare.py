"""Render the current edition's pages into a generation before it is switched on.

Each page is requested through the whole application (the WSGI handler and every
middleware), as a reader's request would be, so a prepared page is byte for byte the page a
reader would have been sent; the environ marks the request so that the page is stored
under the generation being prepared.
"""

import io
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from django.utils import translation

from feedback import selectors as feedback_selectors
from guidelines_portal.page_store.middleware import PREPARE
from guidelines_portal.page_store.store import store
from modules.comparison import compare_editions
from modules.models import Edition, EditionModule, EditionSection

logger = logging.getLogger(__name__)


@dataclass
class Prepared:
    generation: int
    pages: int = 0
    failed: list[str] = field(default_factory=list)
    files: int = 0  # EPUB and DOCX, made after the switch


def current_paths() -> list[str]:
    """The addresses of the current edition's pages, in every language (five queries)."""
    editions = list(Edition.objects.published()[:2])
    routes: list[tuple[str, dict]] = [("modules:edition_list", {}), ("modules:edition_feed", {})]
    if editions:
        current = editions[0]
        number = current.number
        routes += [("modules:home", {}), ("modules:edition_home", {"edition": number})]
        slugs = {}
        for module in EditionModule.objects.filter(edition=current).order_by("order", "code"):
            slugs[module.pk] = module.slug
            routes += [
                ("modules:module", {"module": module.slug}),
                ("modules:module_feed", {"module": module.slug}),
            ]
        sections = EditionSection.objects.filter(edition=current).order_by("sort_key")
        for module_id, key in sections.values_list("module_id", "key"):
            routes.append(("modules:section", {"module": slugs[module_id], "key": key}))
        if feedback_selectors.response_counts().get(current.pk):
            routes.append(("feedback:responses", {"edition": number}))
        if len(editions) > 1:
            pair = {"older": editions[1].number, "newer": number}
            routes.append(("modules:compare", pair))
            for change in compare_editions(editions[1], current).changes():
                routes.append(("modules:section_change", {**pair, "key": change.key}))
    paths = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            paths += [reverse(name, kwargs=kwargs) for name, kwargs in routes]
    return paths


def takeaway_paths() -> list[str]:
    """The current edition's files to take away (EPUB and DOCX, whole and per module, in every
    language): made after its pages are switched on, so readers never wait for them."""
    current = Edition.objects.published().first()
    if current is None:
        return []
    kwargs = [{"edition": current.number}]
    kwargs += [
        {"edition": current.number, "module": slug}
        for slug in EditionModule.objects.filter(edition=current).values_list("slug", flat=True)
    ]
    paths = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for fmt in ("epub", "docx"):
                paths += [
                    reverse(f"modules:edition{'_module' if 'module' in k else ''}_{fmt}", kwargs=k)
                    for k in kwargs
                ]
    return paths


def prepare(paths: Iterable[str], *, generation: int) -> Prepared:
    """Render and store ``paths`` under ``generation`` (nothing is switched on here)."""
    handler = WSGIHandler()
    address = urlsplit(settings.PORTAL_BASE_URL)
    result = Prepared(generation)
    with _connections_kept():
        for path in paths:
            status = _request(handler, address, path, generation)
            if status in (200, 301, 410):
                result.pages += 1
            else:
                result.failed.append(f"{path} ({status})")
    if result.failed:
        logger.error("Pages not prepared in generation %s: %s", generation, result.failed)
    return result


def prepare_and_switch(generation: int) -> Prepared:
    """Prepare the current edition's pages under ``generation``, then serve that generation."""
    result = prepare(current_paths(), generation=generation)
    store.switch(generation)
    store.prune()
    # Then the EPUBs and Word files, into the generation now served (a reader asking first
    # gets one made on request, as with any page not yet stored).
    files = prepare(takeaway_paths(), generation=generation)
    result.failed += files.failed
    result.files = files.pages
    return result


@contextmanager
def _connections_kept() -> Iterator[None]:
    """These requests run inside the caller's own work (a task, a command): the database
    connection it holds must outlive each of them, as Django's test client keeps it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _discard(data: bytes) -> None:
    """The body is read from the handler's result: nothing is written through this."""


def _request(handler: WSGIHandler, address, path: str, generation: int) -> int:
    path, _mark, query = path.partition("?")
    secure = address.scheme == "https"
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": address.hostname or "localhost",
        "SERVER_PORT": str(address.port or (443 if secure else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": address.netloc or "localhost",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": address.scheme or "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        PREPARE: str(generation),
    }
    if secure and settings.SECURE_PROXY_SSL_HEADER:
        header, value = settings.SECURE_PROXY_SSL_HEADER
        environ[header] = value
    statuses: list[int] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None, /
    ) -> Callable[[bytes], object]:
        statuses.append(int(status.split(" ", 1)[0]))
        return _discard

    body = handler(environ, start_response)
    try:
        for _chunk in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return statuses[0] if statuses else 500
