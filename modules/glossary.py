"""The glossary in the text: terms the glossary annex defines, recognised in the body of every
other section, in either language, with their word forms ("маркировки" is «маркировка»,
"firearms" is "firearm"), and marked with an accessible definition.

The glossary is the tables of the sections under GLOSSARY_SECTION_KEY (the annex): a row's
first cell is the term, optionally with its abbreviation in brackets ("Improvised explosive
device (IED)"), the second its definition. Each language has its own table, so each language's
text is marked from its own. In a section, the first occurrence of each term is marked (not in
headings, links, code, table headers or footnote marks); editors switch a term off for a
section with its "Glossary terms not marked" field (Section.glossary_off).

A marked term is a link to its row in the glossary, described by the definition
(aria-describedby), which shows beside it on hover, on keyboard focus and on tap, stays while
the pointer is over it and closes with Escape (WCAG 1.4.13; static/js/portal.js).

Published editions never change: an edition's glossary is read once and kept in the cache.
"""

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
from django.conf import settings
from django.core.cache import caches
from django.utils.text import slugify

from modules.models import Edition, EditionSection

STEMMERS = {"en": "english", "ru": "russian"}
CACHE_VERSION = 1

_ROW = re.compile(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*</tr>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_SUP = re.compile(r"<sup\b.*?</sup>", re.DOTALL)
_ABBREVIATION = re.compile(r"^(.*\S)\s*\(([^()]+)\)$")
_WORD = re.compile(r"\w+(?:[-‐'’]\w+)*")
_TOKEN = re.compile(r"(<[^>]*>)")
# Text inside these elements is never marked.
_SKIP = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "th", "abbr", "sup", "dfn",
         "script", "style", "button", "label"}  # fmt: skip
_VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "col"}


def glossary_key() -> str:
    return settings.GLOSSARY_SECTION_KEY


@lru_cache(maxsize=1)
def _stemmer_objects() -> dict:
    return {lang: snowballstemmer.stemmer(name) for lang, name in STEMMERS.items()}


@lru_cache(maxsize=65536)
def stem(word: str, lang: str) -> str:
    word = word.lower().replace("ё", "е")
    # Latin-script words in Russian text are English ("GPS", "firearm").
    language = "en" if word.isascii() else lang
    return _stemmer_objects()[language].stemWord(word)


def _plain(cell: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", _SUP.sub("", cell))).split())


@dataclass(frozen=True)
class Term:
    name: str  # as the glossary writes it, without the abbreviation
    abbreviation: str
    definition: str
    anchor: str  # the id of its row in the glossary
    module: str  # where its glossary section is
    section: str
    stems: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name


def anchor_for(name: str) -> str:
    return "term-" + (slugify(name, allow_unicode=True) or "x")


def parse_terms(body_html: str, lang: str, *, module: str = "", section: str = "") -> list[Term]:
    """The terms of a glossary section's tables (header rows are <th>: left out)."""
    terms = []
    for term_cell, definition_cell in _ROW.findall(body_html):
        full, definition = _plain(term_cell), _plain(definition_cell)
        if not full or not definition:
            continue
        name, abbreviation = full, ""
        if found := _ABBREVIATION.match(full):
            name, abbreviation = found.group(1), found.group(2).strip()
        words = tuple(stem(w, lang) for w in _WORD.findall(name))
        if words:
            terms.append(
                Term(name, abbreviation, definition, anchor_for(name), module, section, words)
            )
    return terms


def term_names(body_html: str, lang: str) -> set[str]:
    """Every way an editor may name a term of these tables (name, abbreviation, both)."""
    names = set()
    for term in parse_terms(body_html, lang):
        names |= {term.name.casefold(), term.label.casefold()}
        if term.abbreviation:
            names.add(term.abbreviation.casefold())
    return names


@dataclass
class Glossary:
    lang: str
    terms: list[Term]
    sections: frozenset[str]  # the glossary's own sections (not marked)
    by_first: dict[str, list[Term]] = field(default_factory=dict)
    by_abbreviation: dict[str, Term] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for term in sorted(self.terms, key=lambda t: -len(t.stems)):  # longest first
            self.by_first.setdefault(term.stems[0], []).append(term)
            if term.abbreviation:
                self.by_abbreviation.setdefault(term.abbreviation, term)


def edition_glossary(edition: Edition, lang: str) -> Glossary:
    """The glossary of a published edition in ``lang`` (one query, then kept)."""
    cache = caches["published"]
    key = f"glossary:{edition.pk}:{lang}"
    found = cache.get(key, version=CACHE_VERSION)
    if found is None:
        root = glossary_key()
        candidates = (
            EditionSection.objects.filter(edition=edition, key__startswith=root)
            .select_related("module")
            .only("key", "parent_key", "module__slug", f"body_html_{lang}")
        )
        rows = [r for r in candidates if root in (r.key, r.parent_key)]
        terms = []
        for row in rows:
            terms += parse_terms(
                getattr(row, f"body_html_{lang}") or "", lang,
                module=row.module.slug, section=row.key,
            )  # fmt: skip
        found = Glossary(lang, terms, frozenset(r.key for r in rows))
        cache.set(key, found, None, version=CACHE_VERSION)
    return found


def draft_term_names() -> set[str]:
    """The names of every term the working draft's glossary defines, in both languages."""
    from modules.models import LANGS, Section

    root = glossary_key()
    rows = Section.objects.filter(key__startswith=root).select_related("parent")
    names: set[str] = set()
    for row in rows:
        if row.key == root or (row.parent and row.parent.key == root):
            for lang in LANGS:
                names |= term_names(getattr(row, f"body_html_{lang}") or "", lang)
    return names


def switched_off(glossary: Glossary, names: str) -> set[Term]:
    """The terms an editor listed (one per line, by name, abbreviation or both)."""
    wanted = {line.strip().casefold() for line in names.splitlines() if line.strip()}
    return {
        t for t in glossary.terms
        if {t.name.casefold(), t.label.casefold(), t.abbreviation.casefold()} & wanted
    }  # fmt: skip


def anchor_rows(body_html: str, lang: str) -> str:
    """A glossary section's rows with the ids marked terms link to."""

    def with_id(match: re.Match) -> str:
        full = _plain(match.group(1))
        found = _ABBREVIATION.match(full)
        name = found.group(1) if found else full
        return f'<tr id="{anchor_for(name)}">' + match.group(0)[len("<tr>") :]

    return _ROW.sub(with_id, body_html)


def mark(body_html: str, glossary: Glossary, *, link, off: set[Term] | None = None) -> str:
    """``body_html`` (sanitised) with the first occurrence of each term marked, except the
    terms ``off``; ``link(term)`` is the address of the term's row. Text split across
    elements ("<em>light</em> weapon") is not matched; nor is anything inside _SKIP elements.
    """
    if not glossary.terms:
        return body_html
    done: set[Term] = set(off or ())
    parts = _TOKEN.split(body_html)
    stack: list[str] = []
    out = []
    for part in parts:
        if part.startswith("<"):
            _track(part, stack)
            out.append(part)
        elif part and not any(tag in _SKIP for tag in stack):
            out.append(_mark_text(part, glossary, done, link))
        else:
            out.append(part)
    return "".join(out)


def _track(tag: str, stack: list[str]) -> None:
    name = re.match(r"</?\s*([a-zA-Z0-9]+)", tag)
    if name is None:
        return
    element = name.group(1).lower()
    if tag.startswith("</"):
        if element in stack:
            while stack and stack.pop() != element:
                pass
    elif element not in _VOID and not tag.endswith("/>"):
        stack.append(element)


def _mark_text(text: str, glossary: Glossary, done: set[Term], link) -> str:
    words = list(_WORD.finditer(text))
    if not words:
        return text
    stems = [stem(w.group(0), glossary.lang) for w in words]
    out, last, i = [], 0, 0
    while i < len(words):
        found = _match_at(words, stems, i, text, glossary, done)
        if found is None:
            i += 1
            continue
        term, j = found
        start, end = words[i].start(), words[j - 1].end()
        out.append(text[last:start])
        out.append(_markup(term, text[start:end], link(term)))
        done.add(term)
        last, i = end, j
    out.append(text[last:])
    return "".join(out)


def _match_at(words, stems, i, text, glossary, done):
    word = words[i].group(0)
    abbreviated = glossary.by_abbreviation.get(word)
    if abbreviated is not None and abbreviated not in done:
        return abbreviated, i + 1
    for term in glossary.by_first.get(stems[i], ()):
        if term in done:
            continue
        n = len(term.stems)
        if tuple(stems[i : i + n]) != term.stems:
            continue
        # Words of a term are separated by spaces only (not a sentence's end or a comma).
        gaps = [text[words[k].end() : words[k + 1].start()] for k in range(i, i + n - 1)]
        if all(gap.strip() == "" for gap in gaps):
            return term, i + n
    return None


def _markup(term: Term, shown: str, address: str) -> str:
    tip = f"tip-{term.anchor}"
    return (
        f'<span class="term"><a class="term__word" href="{html.escape(address)}" '
        f'aria-describedby="{tip}">{shown}</a>'
        f'<span class="term__tip" role="tooltip" id="{tip}">'
        f"<strong>{html.escape(term.label)}</strong>: {html.escape(term.definition)}</span></span>"
    )
