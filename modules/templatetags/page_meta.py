"""A page's description and Open Graph tags, for search engines and shared links."""

from django import template
from django.conf import settings

from modules import labels
from modules.excerpts import excerpt, first_sentence

register = template.Library()

# og:locale wants language_TERRITORY.
OG_LOCALES = {"en": "en_GB", "ru": "ru_RU"}

register.filter("first_sentence", first_sentence)
register.filter("excerpt", excerpt)


@register.inclusion_tag("_page_meta.html", takes_context=True)
def page_meta(
    context, *, title: str = "", number: str = "", description: str = "", kind: str = "website"
) -> dict:
    """``<meta name="description">`` and Open Graph: ``title`` (after ``number``, if any),
    ``description`` (plain text; the site's own when empty), ``kind`` the og:type."""
    current = context.get("LANGUAGE_CODE") or settings.LANGUAGE_CODE
    return {
        "og_title": " ".join(
            part for part in (labels.section_number(str(number)), str(title)) if part
        ),
        "description": description,
        "kind": kind,
        "url": context.get("canonical_url", ""),
        "locale": OG_LOCALES.get(current, current),
        "alternate_locales": [
            OG_LOCALES.get(code, code) for code, _name in settings.LANGUAGES if code != current
        ],
    }
