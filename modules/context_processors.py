from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language


def portal(request: HttpRequest) -> dict:
    """Site-wide values: the demonstration label and this page in every language."""
    path = request.get_full_path()
    current = get_language()
    alternates = [
        {
            "code": code,
            "name": name,
            "url": request.build_absolute_uri(translate_url(path, code)),
            "path": translate_url(path, code),
            "is_current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]
    return {
        "PORTAL_DEMO_CONTENT": settings.PORTAL_DEMO_CONTENT,
        "language_alternates": alternates,
        "canonical_url": request.build_absolute_uri(request.path),
    }
