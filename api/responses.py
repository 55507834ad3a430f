"""Sending API documents: kept bytes, stable ETags, 304, CORS, the rate limit, and errors as
RFC 9457 problem details (``application/problem+json``) in the reader's language.

A document depends only on the published editions and the code, so its bytes are kept in the
"published" cache under its canonical address, the code release and every published edition
(with its time and date of publication): a new edition or a corrected date makes new bytes.
The ETag is a digest of the bytes, so every process and host gives the same one.
"""

import gzip
import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from guidelines_portal.abuse import client_ip, rate_limited
from modules import search_results, selectors
from modules.models import Edition

JSON = "application/json"
PROBLEM = "application/problem+json"
ALLOWED = "GET, HEAD, OPTIONS"


class Problem(Exception):
    """A request the API cannot answer, told as problem details."""

    def __init__(self, status: int, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra


def not_found(detail: str) -> Problem:
    return Problem(404, _("Not found"), detail)


def bad_parameter(name: str, detail: str) -> Problem:
    return Problem(400, _("Bad parameter"), detail, parameter=name)


def problem_response(problem: Problem) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        **problem.extra,
    }
    response = HttpResponse(_encode(body), status=problem.status, content_type=PROBLEM)
    response["Cache-Control"] = "no-store"
    _cors(response)
    return response


def _encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _accepts_gzip(header: str) -> bool:
    for part in header.lower().split(","):
        name, _semicolon, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _cors(response: HttpResponse) -> None:
    # Read-only and public: any site's scripts may read it.
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Retry-After"


# A view's builder: (request, every published edition newest first, parameters, path
# arguments) -> the document.
Builder = Callable[..., dict[str, Any]]


def api_view(
    *, parameters: Callable[[HttpRequest], dict[str, str]] | None = None, lasting: bool = False
) -> Callable:
    """Answer GET and HEAD with the builder's document; ``parameters`` reads and checks the
    query string into the few values that change the document (anything else is ignored,
    so it neither changes the answer nor makes another kept copy). ``lasting``: the document
    belongs to one edition and changes only if its date is corrected (caches in front may
    keep it a day); other documents change with each new edition (a minute)."""

    def decorate(build: Builder) -> Callable:
        @csrf_exempt
        @wraps(build)
        def view(request: HttpRequest, **kwargs: str) -> HttpResponse:
            try:
                return _answer(request, build, parameters, lasting, kwargs)
            except Problem as problem:
                return problem_response(problem)

        return view

    return decorate


def _answer(request, build: Builder, parameters, lasting: bool, kwargs) -> HttpResponse:
    if request.method == "OPTIONS":  # a browser asking before a conditional request
        response = HttpResponse(status=204)
        _cors(response)
        response["Allow"] = ALLOWED
        response["Access-Control-Allow-Methods"] = ALLOWED
        response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
        response["Access-Control-Max-Age"] = "86400"
        return response
    if request.method not in ("GET", "HEAD"):
        problem = Problem(405, _("Method not allowed"), _("This API only reads: use GET."))
        response = problem_response(problem)
        response["Allow"] = ALLOWED
        return response
    window = settings.API_RATE_WINDOW
    if rate_limited("api-ip", client_ip(request), limit=settings.API_RATE_LIMIT, window=window):
        problem = Problem(
            429,
            _("Too many requests"),
            _("Too many requests from your address. Please wait a minute and try again."),
        )
        response = problem_response(problem)
        response["Retry-After"] = str(window)
        return response
    values = parameters(request) if parameters else {}
    editions: list[Edition] = selectors.get_editions()  # none yet: empty lists, 404s
    address = request.path + ("?" + urlencode(sorted(values.items())) if values else "")
    key = search_results.page_key(editions, "api", address)
    kept = caches[search_results.CACHE].get(key, version=KEPT_VERSION)
    if kept is None:
        body = _encode(build(request, editions, values, **kwargs))
        # Kept compressed (JSON shrinks to a sixth or less), with the digest of the document.
        kept = (hashlib.sha256(body).hexdigest()[:32], gzip.compress(body, 6, mtime=0))
        caches[search_results.CACHE].set(
            key, kept, search_results.CACHE_SECONDS, version=KEPT_VERSION
        )
    return _send(request, *kept, lasting=lasting)


KEPT_VERSION = 2  # 2: (digest, gzip bytes)


def _send(request: HttpRequest, digest: str, packed: bytes, *, lasting: bool) -> HttpResponse:
    """The document, gzip-compressed when the client accepts it (as every HTTP library and
    browser does), with an ETag naming the document (and its encoding), or 304."""
    compressed = _accepts_gzip(request.headers.get("Accept-Encoding", ""))
    etag = f'"{digest}{"-gz" if compressed else ""}"'
    tags = request.headers.get("If-None-Match", "")
    named = {t.strip().removeprefix("W/").strip('"').removesuffix("-gz") for t in tags.split(",")}
    if tags and (tags.strip() == "*" or digest in named):
        response = HttpResponse(status=304)
    else:
        body = packed if compressed else gzip.decompress(packed)
        response = HttpResponse(body if request.method == "GET" else b"", content_type=JSON)
        if compressed:
            response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(body))
    response["ETag"] = etag
    response["Vary"] = "Accept-Encoding"
    seconds = settings.PAGE_STORE_MAX_AGE_EDITION if lasting else settings.PAGE_STORE_MAX_AGE
    response["Cache-Control"] = f"public, max-age={seconds}"
    _cors(response)
    return response
