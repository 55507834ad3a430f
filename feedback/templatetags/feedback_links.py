"""Links from the reading pages to the feedback form, and from changes back to feedback."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils import timezone

from feedback import selectors
from guidelines_portal.page_store import expire_at

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


# The feedback parts of the content app's pages (modules never imports feedback: its templates
# load these tags).


@register.simple_tag
def incorporated_feedback(older, newer, editions, key: str = "") -> dict:
    """{section key: [publishable items incorporated after ``older``, up to ``newer``]} for a
    comparison of two editions (``editions``: all published ones), or for one section's
    change (``key``). One query."""
    return selectors.incorporated_between(older, newer, editions, keys={key} if key else None)


@register.simple_tag
def response_counts() -> dict:
    """{edition id: number of items in its response to comments}. One query."""
    return selectors.response_counts()


@register.filter
def count_for(counts: dict | None, key) -> int:
    return (counts or {}).get(key, 0)


@register.simple_tag
def incorporation_preview():
    """What publishing the draft now would do to accepted feedback (the publish form)."""
    return selectors.incorporation_preview()


@register.inclusion_tag("feedback/_round_notice.html", takes_context=True)
def round_notice(context, module=None) -> dict:
    """The consultation rounds open on the page's edition that cover ``module`` (an edition's
    module; None: every open round, as on the home page), with their deadlines. The page,
    stored for every reader, is rendered again when one of the edition's rounds opens or
    closes. One or two queries; none on previews."""
    edition = context.get("edition")
    if edition is None or context.get("preview"):
        return {"rounds": []}
    now = timezone.now()
    ahead = selectors.rounds_ahead(edition, now)
    moments = [r.opens_at if r.opens_at > now else r.closes_at for r in ahead]
    request = context.get("request")
    if moments and request is not None:
        expire_at(request, min(moments).timestamp())
    shown = [
        r for r in ahead
        if r.is_open_at(now)
        and (module is None or r.whole_text or module.code in {m.code for m in r.modules.all()})
    ]  # fmt: skip
    return {"rounds": shown}
