import re
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.encoding import escape_uri_path
from django.utils.translation import get_language

from guidelines_portal.public_address import absolute_url

# A path that starts with several slashes or backslashes ("//evil.example/en/", which a 404
# page echoes) would turn into a link to another host; browsers read "\\" as "/".
LEADING_SLASHES = re.compile(r"^[/\\]+")


def site_path(request: HttpRequest, *, query: bool = True) -> str:
    """The request's path (and query), percent-encoded (browsers drop a raw tab or newline,
    so "/\t/evil.example/" would read as "//evil.example/"), safe to use as a link here."""
    path = request.get_full_path() if query else escape_uri_path(request.path)
    return LEADING_SLASHES.sub("/", path)


@lru_cache(maxsize=4096)
def _translated(path: str, code: str, active: str | None) -> str:
    """translate_url(), kept: it resolves the address each time (a tenth of a millisecond,
    twice per language on every dynamic page). It depends only on the address, the language
    asked for and the active one, whose prefix the patterns match."""
    return translate_url(path, code)


def portal(request: HttpRequest) -> dict:
    """Site-wide values: the demonstration label and this page in every language."""
    path = site_path(request)
    current = get_language()
    alternates = [
        {
            "code": code,
            "name": name,
            "url": absolute_url(_translated(site_path(request, query=False), code, current)),
            "path": _translated(path, code, current),
            "is_current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]
    return {
        "PORTAL_DEMO_CONTENT": settings.PORTAL_DEMO_CONTENT,
        "language_alternates": alternates,
        "canonical_url": absolute_url(site_path(request, query=False)),
    }
