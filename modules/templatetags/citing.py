"""Citation metadata in page heads, and dates machines can read."""

import datetime

from django import template
from django.template.defaultfilters import date as format_date
from django.utils.html import format_html
from django.utils.safestring import SafeString

from modules import citations

register = template.Library()


@register.filter
def citation_meta(citation: citations.Citation) -> list[tuple[str, str]]:
    """Highwire Press and Dublin Core ``(name, content)`` pairs (escaped by the template)."""
    return citations.meta_tags(citation)


@register.filter
def citation_json_ld(citation: citations.Citation) -> SafeString:
    """schema.org JSON-LD, safe inside ``<script type="application/ld+json">``."""
    return citations.json_ld(citation)


@register.filter
def time_tag(value: datetime.date) -> SafeString:
    """A date as the page shows it, in ``<time datetime="YYYY-MM-DD">``: safe to pass to
    ``{% blocktranslate with %}``, so the sentence (and its msgid) stays as it is."""
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), format_date(value))
