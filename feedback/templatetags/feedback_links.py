"""Links from the reading pages to the feedback form, and from changes back to feedback."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_url(context, module=None, section=None) -> str:
    """The feedback form, about ``section`` or ``module`` (else the whole text) of the
    edition on the page."""
    query = {}
    edition = context.get("edition")
    if edition is not None and not context.get("preview"):
        query["edition"] = edition.number
    if section is not None:
        query["section"] = section.key
    elif module is not None:
        query["module"] = module.slug
    url = reverse("feedback:form")
    return f"{url}?{urlencode(query)}" if query else url


@register.filter
def feedback_for(items_by_key: dict | None, key: str) -> list:
    """The feedback items listed under a section key (none when there is no mapping)."""
    return (items_by_key or {}).get(key, [])
