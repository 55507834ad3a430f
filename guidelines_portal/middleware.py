"""Refuse requests that no page of the portal can mean, before any view sees them."""

import json
from collections.abc import Callable
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from guidelines_portal.params import has_nul


class RequestHygieneMiddleware:
    """400 for a NUL character anywhere in the path or the query string; 413 for an upload
    larger than UPLOAD_MAX_BYTES, refused on its declared length before any of it is read.

    A NUL reaches PostgreSQL as an error ("A string literal cannot contain NUL") from any
    filter, search or lookup that passes it on; no address of the portal contains one.
    Django caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but receives whole files, into
    memory or a temporary file, before a form can say they are too large.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if has_nul(request.path) or has_nul(unquote(query)):
            message = _("This address contains a character that no page uses.")
            if request.path.startswith("/api/"):  # the API's clients read problem details
                return _problem(400, _("Bad request"), message)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        if _declared_length(request) > settings.UPLOAD_MAX_BYTES and request.content_type == (
            "multipart/form-data"
        ):
            megabytes = settings.UPLOAD_MAX_BYTES / 1024 / 1024
            message = _("The file is too large: send at most %(size).0f MB.")
            return HttpResponse(
                message % {"size": megabytes},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def _problem(status: int, title: str, detail: str) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/problem+json"
    )
    response["Cache-Control"] = "no-store"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
