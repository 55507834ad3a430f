"""Published rows as JSON documents: the same shape for every reader, both languages in each.

A Russian field is null where the edition has no Russian text (the reading pages then show
the English). Links are absolute, from PORTAL_BASE_URL (never from the request's host).
"""

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.urls import reverse
from django.utils import translation

from guidelines_portal.public_address import absolute_url, base_url
from modules.comparison import SectionChange, TimelineEntry
from modules.models import LANGS, Edition, EditionModule, EditionSection


def api_url(name: str, **kwargs: str) -> str:
    return absolute_url(reverse(f"api:{name}", kwargs=kwargs))


def page_url(name: str, lang: str, **kwargs: str) -> str:
    """A reading page's address in ``lang`` (its URLs carry the language)."""
    with translation.override(lang):
        return absolute_url(reverse(f"modules:{name}", kwargs=kwargs))


def both(row: Any, field: str) -> dict[str, str | None]:
    """{"en": ..., "ru": ...} for a field kept per language; an empty translation is null."""
    return {lang: getattr(row, f"{field}_{lang}") or None for lang in LANGS}


def pages(name: str, **kwargs: str) -> dict[str, str]:
    return {lang: page_url(name, lang, **kwargs) for lang in LANGS}


def edition(row: Edition, *, current: Edition, previous: Edition | None) -> dict[str, Any]:
    number = row.number
    return {
        "number": number,
        "published_on": row.published_on.isoformat(),
        "current": row.pk == current.pk,
        "previous": previous.number if previous else None,
        "text_fingerprint": row.text_fingerprint or None,
        "sections_added": row.sections_added,
        "sections_changed": row.sections_changed,
        "sections_removed": row.sections_removed,
        "change_summary_html": both(row, "change_summary_html"),
        "links": {
            "self": api_url("edition", number=number),
            "sections": api_url("sections", number=number),
            "changes": api_url("changes", number=number),
            "html": pages("edition_home", edition=number),
            "pdf": pages("edition_pdf", edition=number),
        },
    }


def module(row: EditionModule, *, number: str, sections: int) -> dict[str, Any]:
    return {
        "slug": row.slug,
        "code": row.code,
        "kind": row.kind,
        "order": row.order,
        "number_prefix": row.number_prefix or None,
        "title": both(row, "title"),
        "short_title": both(row, "short_title"),
        "summary_html": both(row, "summary_html"),
        "sections": sections,
        "links": {
            "sections": api_url("sections", number=number) + f"?module={row.slug}",
            "html": pages("edition_module", edition=number, module=row.slug),
        },
    }


def section(row: EditionSection, *, number: str, module_slug: str) -> dict[str, Any]:
    """A section with its text in both languages, as Markdown (what editors wrote) and HTML
    (what the reading page shows)."""
    text = {
        lang: {"markdown": getattr(row, f"body_{lang}"), "html": getattr(row, f"body_html_{lang}")}
        if lang == "en" or row.is_translated
        else None
        for lang in LANGS
    }
    links = _section_links(base_url(), number, module_slug)
    return {
        "key": row.key,
        "number": row.number,
        "module": module_slug,
        "parent": row.parent_key or None,
        "depth": row.depth,
        "title": both(row, "title"),
        "text": text,
        "russian_outdated": row.ru_outdated,
        "text_hash": row.text_hash,
        "links": {
            "self": links["self"].replace(MARKER, row.key),
            "history": links["history"].replace(MARKER, row.key),
            "html": {lang: url.replace(MARKER, row.key) for lang, url in links["html"].items()},
        },
    }


# A key no section has, where each link names the section: replaced by the section's own.
MARKER = "section-key-marker"


@lru_cache(maxsize=512)
def _section_links(base: str, number: str, module_slug: str) -> dict[str, Any]:
    """The links of a section of ``module_slug`` in edition ``number``, with MARKER for its key
    (reversing each link of each section costs more than the rest of a page of them)."""
    return {
        "self": api_url("section", number=number, key=MARKER),
        "history": api_url("history", key=MARKER),
        "html": pages("edition_section", edition=number, module=module_slug, key=MARKER),
    }


def change(item: SectionChange, *, older: str | None, newer: str) -> dict[str, Any]:
    def side(row: EditionSection | None, number: str | None) -> dict[str, Any] | None:
        if row is None or number is None:
            return None
        return {
            "number": row.number,
            "title": both(row, "title"),
            "links": {"self": api_url("section", number=number, key=row.key)},
        }

    links: dict[str, Any] = {}
    if older is not None:
        links["html"] = {
            lang: page_url("section_change", lang, older=older, newer=newer, key=item.key)
            for lang in LANGS
        }
    reason = item.new if item.new is not None else None
    return {
        "key": item.key,
        "module": item.module.slug,
        "statuses": list(item.statuses),
        "before": side(item.old, older),
        "after": side(item.new, newer),
        "reason": both(reason, "change_reason") if reason is not None else None,
        "links": links,
    }


def history_entry(entry: TimelineEntry) -> dict[str, Any]:
    row = entry.section
    removed = entry.status == "removed"
    return {
        "edition": entry.edition_number,
        "published_on": entry.published_on.isoformat(),  # type: ignore[attr-defined]
        "status": entry.status,
        "previous_edition": entry.previous_number,
        "number": entry.number,
        "title": both(row, "title"),
        "reason": None if removed else both(row, "change_reason"),
        "links": {
            "section": None
            if removed
            else api_url("section", number=entry.edition_number, key=row.key),
            "html": None
            if entry.previous_number is None
            else {
                lang: page_url(
                    "section_change",
                    lang,
                    older=entry.previous_number,
                    newer=entry.edition_number,
                    key=row.key,
                )
                for lang in LANGS
            },
        },
    }


def counted(modules: Iterable[EditionModule], counts: dict[int, int], number: str) -> list:
    return [module(m, number=number, sections=counts.get(m.pk, 0)) for m in modules]
