"""Full-text search over published editions, in the reader's language.

On PostgreSQL each frozen section carries a weighted tsvector per language (titles weigh more
than bodies), built once when its edition is published and indexed with GIN; queries use
``websearch_to_tsquery`` with the ``english`` or ``russian`` configuration, so inflected forms
match ("маркировка" finds "маркировки") and operators or quotes in a query are safe.

SQLite, the embedded default, has no stemming: there the same column holds the section's
lower-cased plain text and every word of the query must occur in it.
"""

import re
from html import escape

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection
from django.db.models import F, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.safestring import SafeString, mark_safe

from modules.diff import text_blocks

CONFIGS = {"en": "english", "ru": "russian"}
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
_START, _STOP = "\x02", "\x03"
_MARKDOWN_NOISE = re.compile(r"\[\^[^\]]*\]|[*_#|`>]+|\s-{3,}\s")
_WORD = re.compile(r"\w+", re.UNICODE)
NUMBER = re.compile(r"^(?:[A-Za-z]+\.?\s?)?\d+(?:\.\d+)*$")


class SearchDocumentField(SearchVectorField):
    """A tsvector on PostgreSQL; lower-cased plain text on other databases."""

    def db_type(self, connection) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def _localized(field: str, lang: str):
    """The field in ``lang``, or in English where that language is empty."""
    if lang == "en":
        return F(f"{field}_en")
    text = TextField()
    return Coalesce(
        NullIf(F(f"{field}_{lang}"), Value(""), output_field=text),
        F(f"{field}_en"),
        output_field=text,
    )


def index_sections(sections: QuerySet) -> None:
    """Fill the search columns of frozen sections (once, when their edition is published).

    Takes a queryset so that migrations can pass their historical model.
    """
    if uses_full_text():
        sections.update(
            **{
                f"search_{lang}": SearchVector(_localized("title", lang), weight="A", config=config)
                + SearchVector(_localized("body", lang), weight="B", config=config)
                for lang, config in CONFIGS.items()
            }
        )
        return
    rows = list(
        sections.only("pk", *[f"{f}_{lang}" for f in ("title", "body_html") for lang in CONFIGS])
    )
    for row in rows:
        for lang in CONFIGS:
            title = getattr(row, f"title_{lang}") or row.title_en
            body = getattr(row, f"body_html_{lang}") or row.body_html_en
            setattr(row, f"search_{lang}", " ".join([title, *text_blocks(body)]).lower())
    sections.model.objects.bulk_update(rows, [f"search_{lang}" for lang in CONFIGS], batch_size=200)


def terms(query: str) -> list[str]:
    return _WORD.findall(query.lower())[:MAX_TERMS]


def search(sections: QuerySet, *, query: str, lang: str) -> QuerySet:
    """Sections matching ``query`` in ``lang``, best first (no excerpts: see headlines())."""
    column = f"search_{lang}"
    if uses_full_text():
        tsquery = SearchQuery(query, config=CONFIGS[lang], search_type="websearch")
        return (
            sections.filter(**{column: tsquery})
            .annotate(rank=SearchRank(F(column), tsquery))
            .order_by("-rank", "module__order", "sort_key")
        )
    words = terms(query)
    if not words:
        return sections.none()
    for word in words:
        sections = sections.filter(**{f"{column}__contains": word})
    return sections.order_by("module__order", "sort_key")


def headlines(sections: QuerySet, *, query: str, lang: str) -> dict[int, str]:
    """Excerpt source per section id, for one page of results only (one query).

    Kept apart from search(): PostgreSQL would otherwise build a headline for every match
    before sorting and cutting the page.
    """
    if uses_full_text():
        tsquery = SearchQuery(query, config=CONFIGS[lang], search_type="websearch")
        headline = SearchHeadline(
            _localized("body", lang),
            tsquery,
            config=CONFIGS[lang],
            start_sel=_START,
            stop_sel=_STOP,
            max_words=40,
            min_words=20,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
    else:
        headline = _localized("body", lang)
    return dict(sections.annotate(headline=headline).values_list("pk", "headline"))


def excerpt(headline: str, query: str) -> SafeString:
    """Escaped excerpt with the matched words in <mark>, from a ts_headline or a raw body."""
    text = _MARKDOWN_NOISE.sub(" ", headline or "")
    if _START not in text:
        text = _highlight_plain(text, terms(query))
    html = escape(" ".join(text.split()))
    return mark_safe(html.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308  # nosec


def _highlight_plain(text: str, words: list[str], width: int = 260) -> str:
    """Cut a window around the first matched word and mark every matched word (SQLite)."""
    lowered = text.lower()
    positions = [lowered.find(w) for w in words if lowered.find(w) >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    if start:  # begin on a word, not inside one
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < min(positions) else start
    window = text[start : start + width]
    if start + width < len(text) and " " in window:
        window = window[: window.rfind(" ")]
    if words:
        pattern = re.compile(
            "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE
        )
        window = pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", window)
    return ("… " if start else "") + window + (" …" if start + width < len(text) else "")
