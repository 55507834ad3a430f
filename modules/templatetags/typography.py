"""Typographic care for printed text."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

NO_BREAK_SPACE = "\u00a0"
# Russian one-letter prepositions and conjunctions, which must not end a line.
_RUSSIAN_SHORT_WORD = re.compile(r"(?<![\w-])([ВСКОИАУвскоиау])\s+(?=\S)")


@register.filter(is_safe=True)
def bind_short_words(text: str) -> SafeString:
    """In Russian, join each one-letter preposition or conjunction (в, с, к, о, и, а, у) to
    the word after it with a no-break space, so that no line ends with one. Other languages
    are left as they are."""
    escaped = conditional_escape(text)
    if (get_language() or "").split("-")[0] != "ru":
        return escaped
    bound = _RUSSIAN_SHORT_WORD.sub(rf"\1{NO_BREAK_SPACE}", escaped)
    return mark_safe(bound)  # noqa: S308 - escaped above; only spaces change  # nosec
