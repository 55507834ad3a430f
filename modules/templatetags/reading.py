"""Template helpers for reading pages: URLs that stay within the edition being read, numbers
and codes in the reader's language, and paragraph anchors."""

import datetime
import re

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from modules import labels
from modules.models import SOURCE_LANGUAGE, EditionModule, EditionSection, active_language

register = template.Library()


@register.simple_tag(takes_context=True)
def module_url(context, module: EditionModule) -> str:
    if context.get("preview"):
        return reverse("modules:preview_module", kwargs={"module": module.slug})
    if context.get("edition_in_url"):
        return reverse(
            "modules:edition_module",
            kwargs={"edition": context["edition"].number, "module": module.slug},
        )
    return reverse("modules:module", kwargs={"module": module.slug})


@register.simple_tag(takes_context=True)
def section_url(context, module: EditionModule, section: EditionSection) -> str:
    kwargs = {"module": module.slug, "key": section.key}
    if context.get("preview"):
        return reverse("modules:preview_section", kwargs=kwargs)
    if context.get("edition_in_url"):
        return reverse(
            "modules:edition_section", kwargs={"edition": context["edition"].number, **kwargs}
        )
    return reverse("modules:section", kwargs=kwargs)


@register.filter
def section_number(number: str) -> str:
    """A section number as the reader's language writes it ("Annex 2" reads «Приложение 2»)."""
    return labels.section_number(number)


@register.filter
def module_code(code: str) -> str:
    """A module's code in the reader's language."""
    return labels.module_code(code)


@register.filter
def reason_for(reasons: dict, key: str):
    """The reason given for the change to section ``key`` (selectors.ChangeReason), or None."""
    return reasons.get(key) if reasons else None


@register.filter
def utc_moment(moment: datetime.datetime) -> str:
    """A moment as the back office states it: 2026-12-05 14:30 UTC."""
    return labels.utc_moment(moment)


@register.filter
def shown_language(obj, field: str) -> str:
    """The language code of what ``obj.<field>`` displays (English when it falls back)."""
    lang = active_language()
    return lang if getattr(obj, f"{field}_{lang}", "") else SOURCE_LANGUAGE


_PARAGRAPH = re.compile(r"<p>")
_TABLE = re.compile(r"<table>(.*?)</table>", re.DOTALL)
_FOOTNOTES = '<div class="footnote">'


@register.filter
def reading_body(html: str, comment_url: str = "") -> SafeString:
    """Prepare a sanitised body for reading.

    Each paragraph gets an anchor (#p1, #p2, ...) and a link to it, and, given the feedback
    form's URL for the section, a link to comment on it; each table gets a focusable,
    labelled wrapper, so keyboard users can scroll a wide table on a phone.
    Bodies come from render_markdown, whose sanitiser never leaves attributes on <p> or
    <table>, so the patterns match exactly those elements; footnotes are left alone.
    """
    text, _sep, footnotes = str(html).partition(_FOOTNOTES)
    counter = 0

    def anchor(_match: re.Match) -> str:
        nonlocal counter
        counter += 1
        label = _("Link to paragraph %(number)s") % {"number": counter}
        html = (
            f'<p id="p{counter}" class="para"><a class="para-link" href="#p{counter}" '
            f'aria-label="{label}" title="{label}">¶</a>'
        )
        if comment_url:
            comment = _("Comment on paragraph %(number)s") % {"number": counter}
            html += (
                f'<a class="para-comment" href="{escape(comment_url)}&amp;paragraph={counter}" '
                f'lang="{active_language()}" aria-label="{comment}" title="{comment}">'
                f"{_('Comment')}</a>"
            )
        return html

    def scroll(match: re.Match) -> str:
        label = _("Table")
        return (
            f'<div class="table-scroll" role="region" tabindex="0" aria-label="{label}">'
            f"<table>{match.group(1)}</table></div>"
        )

    text = _TABLE.sub(scroll, _PARAGRAPH.sub(anchor, text))
    return mark_safe(text + (_FOOTNOTES + footnotes if _sep else ""))  # noqa: S308 - sanitised input  # nosec
