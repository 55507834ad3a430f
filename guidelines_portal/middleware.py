"""Refuse requests that no page of the portal can mean, before any view sees them."""

from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from guidelines_portal.params import has_nul


class RequestHygieneMiddleware:
    """400 for a NUL character anywhere in the path or the query string.

    A NUL reaches PostgreSQL as an error ("A string literal cannot contain NUL") from any
    filter, search or lookup that passes it on; no address of the portal contains one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if has_nul(request.path) or has_nul(unquote(query)):
            return HttpResponseBadRequest(
                _("This address contains a character that no page uses."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
