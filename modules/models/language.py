"""The two languages of the content, and reading a field in the active one."""

from django.conf import settings
from django.utils.translation import get_language

SOURCE_LANGUAGE = "en"


LANGS = tuple(code for code, _name in settings.LANGUAGES)


class Localized:
    """Read ``<name>_<active language>``, falling back to English when it is empty."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        value = getattr(obj, f"{self.name}_{active_language()}", "")
        return value or getattr(obj, f"{self.name}_{SOURCE_LANGUAGE}", "")


def active_language() -> str:
    lang = (get_language() or SOURCE_LANGUAGE).split("-")[0]
    return lang if lang in dict(settings.LANGUAGES) else SOURCE_LANGUAGE
