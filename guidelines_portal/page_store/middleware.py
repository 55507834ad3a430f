"""Serve published pages from the store; store a page the first time it is rendered."""

import re
import time
from collections.abc import Callable, Iterable
from email.utils import parsedate_to_datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import http_date

from guidelines_portal.page_store.store import StoredPage, page_from, store

# Set on a response by @stored_page: the query strings its page may be stored for.
VARIANTS = "stored_page_variants"
# Set in the WSGI environ by page_store.prepare (never from a request's headers): store
# the page under this generation, rendering it even if a copy exists.
PREPARE = "page_store.generation"
# Set on the request while a page is rendered: when the stored page expires (see expire_at).
EXPIRES = "_page_store_expires_at"
STORED_STATUSES = frozenset({200, 301, 410})
SUFFIXES = {"identity": "", "br": "-br", "gzip": "-gz"}
# An address inside one edition (/en/editions/1.1/..., /ru/editions/1.0/compare/1.1/...); the
# edition list and the editions feed (/en/editions/, /en/editions/feed/) change with each one.
EDITION_ADDRESS = re.compile(r"^/[^/]+/editions/\d+\.\d+/")


def stored_page(view: Callable | None = None, *, variants: Iterable[str] = ()) -> Callable:
    """Let this view's pages be stored: the same bytes for every reader, nothing per person
    (no session, no CSRF token, no signed-in header). ``variants``: query strings that make
    another stored page (e.g. "languages=both"); any other query string is rendered live."""
    allowed = ("", *variants)

    def decorate(function: Callable) -> Callable:
        @wraps(function)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = function(request, *args, **kwargs)
            setattr(response, VARIANTS, allowed)
            return response

        return wrapper

    return decorate(view) if view is not None else decorate


class StoredPageMiddleware:
    """Before sessions, sign-in and views: a stored page is sent as it is, like a file."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.prefixes = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if (
            not settings.PAGE_STORE
            or request.method not in ("GET", "HEAD")
            or not request.path.startswith(self.prefixes)
        ):
            return self.get_response(request)
        key = request.get_full_path()
        forced = request.META.get(PREPARE)
        state = store.state() or store.begin()
        if forced is None:
            page = store.get(state.generation, key)
            if page is not None and not page.expired(time.time()):
                stored = respond(request, page)
                # A stored 410 (a removed section) was logged as Django's warning when it was
                # rendered: not again for each reader (the access log has every request).
                stored._has_been_logged = True  # type: ignore[attr-defined]
                return stored
        response = self.get_response(request)
        rendered = _storable(request, response)
        if rendered is None:
            return response
        if forced is not None:
            generation = int(forced)
        elif state.pending is not None or store.state() != state:
            # A new edition being prepared, or a change while this page was rendered: the
            # reader gets the page, and it is not kept.
            return response
        else:
            generation = state.generation
        page = page_from(
            rendered.status_code, dict(rendered.items()), rendered.content,
            expires_at=getattr(request, EXPIRES, None),
        )  # fmt: skip
        store.put(generation, key, page)
        return respond(request, page)


def _storable(request: HttpRequest, response: HttpResponseBase) -> HttpResponse | None:
    """The response, if it may be stored for every reader."""
    query = request.META.get("QUERY_STRING", "")
    storable = (
        isinstance(response, HttpResponse)
        and query in getattr(response, VARIANTS, ())
        and response.status_code in STORED_STATUSES
        # A cookie set (a signed-in session renewed) or a CSRF token used makes the page the
        # reader's own. ("Vary: Cookie" alone is not: the sign-in middleware asks every
        # request whether someone is signed in, and these views never use the answer.)
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "Set-Cookie" not in response
    )
    return response if storable and isinstance(response, HttpResponse) else None


def respond(request: HttpRequest, page: StoredPage) -> HttpResponse:
    """The stored page, compressed as the client accepts, or 304 if it has it already."""
    encoding = _encoding(request.headers.get("Accept-Encoding", ""))
    etag = f'"{page.digest[:32]}{SUFFIXES[encoding]}"'
    if _not_modified(request, page):
        response = HttpResponse(status=304)
    else:
        body = page.bodies[encoding]
        response = HttpResponse(body if request.method == "GET" else b"", status=page.status)
        for name, value in page.headers.items():
            response[name] = value
        if encoding != "identity":
            response["Content-Encoding"] = encoding
        response["Content-Length"] = str(len(body))
    response["ETag"] = etag
    response["Last-Modified"] = http_date(page.stored_at)
    response["Vary"] = "Accept-Encoding"
    # An edition's own address changes only when a later change touches every page (a new
    # edition's notice, a corrected date); "current" addresses change with each edition.
    numbered = EDITION_ADDRESS.match(request.path) is not None
    seconds = settings.PAGE_STORE_MAX_AGE_EDITION if numbered else settings.PAGE_STORE_MAX_AGE
    if page.expires_at is not None:  # no cache in front keeps it past its moment
        seconds = max(0, min(seconds, int(page.expires_at - time.time())))
    response["Cache-Control"] = f"public, max-age={seconds}"
    return response


def expire_at(request: HttpRequest, moment: float) -> None:
    """The page being rendered for ``request`` says something that changes at ``moment``
    (POSIX time): once stored, it is rendered again from then on. The earliest moment wins."""
    current = getattr(request, EXPIRES, None)
    setattr(request, EXPIRES, moment if current is None else min(current, moment))


def _encoding(header: str) -> str:
    accepted = set()
    for part in header.lower().split(","):
        name, _semicolon, params = part.strip().partition(";")
        if params.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            continue
        accepted.add(name.strip())
    if "br" in accepted:
        return "br"
    if "gzip" in accepted or "*" in accepted:
        return "gzip"
    return "identity"


def _not_modified(request: HttpRequest, page: StoredPage) -> bool:
    tags = request.headers.get("If-None-Match")
    if tags is not None:
        digest = page.digest[:32]
        return tags.strip() == "*" or any(
            tag.strip().removeprefix("W/").strip('"').split("-")[0] == digest
            for tag in tags.split(",")
        )
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            return parsedate_to_datetime(since).timestamp() >= int(page.stored_at)
        except (TypeError, ValueError):
            return False
    return False
