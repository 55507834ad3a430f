"""The API's documents are the same for every reader, whatever their language or cookies."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

PREFIX = "/api/"


class DocumentVary:
    """Take back the ``Vary: Accept-Language, Cookie`` that the locale, session and sign-in
    middleware add to every response, from the API's documents (2xx, 3xx): they depend on
    neither, so a cache in front keeps one copy of each (``Vary: Accept-Encoding``, as
    api.responses sets it). Problem details are written in the reader's language: their
    ``Vary`` is left as it is. First in MIDDLEWARE, so it has the last word."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(PREFIX) and response.status_code < 400:
            response["Vary"] = "Accept-Encoding"
        return response
