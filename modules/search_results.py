"""Pages of search results, kept in the cache (modules.search finds and marks them).

A published edition never changes, so what a search finds in it is worked out once and kept:
the ids of the matching sections, best first, per edition, language, module and query as the
database is asked it (search.asked(): "Marking", "marking" and "markings" are one entry on
SQLite), then for each page shown its sections with their excerpts, and the list of them as
the page renders it (a template fragment, with section addresses in the edition or not).
Nothing needs to be forgotten when an edition is published: a new edition has entries of its
own, keyed with its id and publication time (an id alone could name another edition in a
database restored from a backup). Entries are bounded in size (a page of sections, at most
MAX_CACHED_MATCHES ids), in time (CACHE_SECONDS; the template's fragments likewise) and in
number by the cache itself.

A results page asked again is sent as it was rendered (kept_page): the same bytes for every
reader (no form token, nothing of a session), keyed by the address, the code release and
every published edition and its date (the page lists them, and names the current one),
compressed in the cache.
"""

import hashlib
import zlib
from collections.abc import Sequence
from typing import NamedTuple

from django.core.cache import caches
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from guidelines_portal.page_store.store import release
from modules import search
from modules.models import Edition, EditionModule, EditionSection

CACHE = "published"  # settings.CACHES: never culls the rate-limit counters in "default"
CACHE_SECONDS = 60 * 60 * 24
CACHE_VERSION = 1
PAGE_SIZE = 20
MAX_CACHED_MATCHES = 10_000  # ids, a few bytes each
# Only what a result shows: never the bodies or the (large) search columns.
RESULT_FIELDS = (
    "key", "number", "sort_key", "title_en", "title_ru", "edition_id", "module_id",
    "module__slug", "module__order", "module__title_en", "module__title_ru",
    "module__short_title_en", "module__short_title_ru",
)  # fmt: skip


def _key(edition: Edition, *parts: object) -> str:
    identity = "\x1f".join(map(str, (edition.pk, edition.published_at.isoformat(), *parts)))
    return "search:" + hashlib.sha256(identity.encode()).hexdigest()


def edition_modules(edition: Edition) -> list[EditionModule]:
    """An edition's modules, kept (for selectors.get_reading), without their summaries,
    which the search page never shows (a tenth of the size, read from the cache each time)."""
    key = _key(edition, "modules")
    modules = caches[CACHE].get(key, version=CACHE_VERSION)
    if modules is None:
        modules = list(
            edition.modules.order_by("order", "code").defer("summary_html_en", "summary_html_ru")
        )
        caches[CACHE].set(key, modules, CACHE_SECONDS, version=CACHE_VERSION)
    return modules


def names_no_section(edition: Edition, text: str) -> bool:
    """True when ``text`` is known, from an earlier search, to be no section's number or key
    (selectors.find_by_number_or_key then need not be asked again)."""
    return bool(caches[CACHE].get(_key(edition, "names", text), version=CACHE_VERSION))


def remember_names_no_section(edition: Edition, text: str) -> None:
    caches[CACHE].set(_key(edition, "names", text), True, CACHE_SECONDS, version=CACHE_VERSION)


class Results(NamedTuple):
    page: Page  # of sections, each with its excerpt
    # Names the page's list of results as rendered (templates/modules/search.html), with
    # section addresses inside the edition or not.
    fragment: str


def results_page(
    edition: Edition,
    *,
    module: EditionModule | None,
    query: str,
    lang: str,
    number: str | None,
    in_edition: bool,
) -> Results:
    """One page of the sections of ``edition`` (of ``module`` if given) that match ``query``
    in ``lang``, best first, each with its ``excerpt``: no query at all once kept, else two
    (every match's id in order; the page's sections with their excerpt sources)."""
    sections = edition.sections.all()
    if module is not None:
        sections = sections.filter(module=module)
    asked = search.asked(sections, query=query, lang=lang)
    found_key = _key(edition, lang, module.pk if module else "", asked)
    ids = caches[CACHE].get(found_key, version=CACHE_VERSION)
    if ids is None:
        ids = tuple(search.search(sections, query=query, lang=lang).values_list("pk", flat=True))
        if len(ids) <= MAX_CACHED_MATCHES:
            caches[CACHE].set(found_key, ids, CACHE_SECONDS, version=CACHE_VERSION)
    page = Paginator(ids, PAGE_SIZE).get_page(number)
    page_key = _key(edition, lang, module.pk if module else "", asked, page.number)
    shown = caches[CACHE].get(page_key, version=CACHE_VERSION)
    if shown is None:
        shown = _with_excerpts(edition, list(page.object_list), query=query, lang=lang)
        caches[CACHE].set(page_key, shown, CACHE_SECONDS, version=CACHE_VERSION)
    page.object_list = shown
    return Results(page, f"{page_key}:{int(in_edition)}:{CACHE_VERSION}")


def _with_excerpts(
    edition: Edition, ids: Sequence[int], *, query: str, lang: str
) -> list[EditionSection]:
    """The sections ``ids`` names, in that order, each with its excerpt (one query)."""
    if not ids:
        return []
    sections: QuerySet[EditionSection] = (
        edition.sections.filter(pk__in=ids).select_related("module").only(*RESULT_FIELDS)
    )
    by_id = {s.pk: s for s in search.with_headline(sections, query=query, lang=lang)}
    for section in by_id.values():
        section.excerpt = search.excerpt(section.headline, query, lang=lang)
        del section.headline  # the whole body on SQLite: not to be kept
    return [by_id[pk] for pk in ids]


def page_key(editions: Sequence[Edition], lang: str, address: str) -> str:
    """Names a whole results page: its address as asked, in ``lang``, while ``editions`` (every
    published edition) are those published, rendered by this release of the code."""
    # An edition's date may be corrected after publication; its time of publication never.
    published = (f"{e.pk}@{e.published_at.isoformat()}@{e.published_on}" for e in editions)
    identity = "\x1f".join((release(), lang, address, *published))
    return "search-page:" + hashlib.sha256(identity.encode()).hexdigest()


def kept_page(key: str) -> bytes | None:
    """The results page as sent before, or None."""
    kept = caches[CACHE].get(key, version=CACHE_VERSION)
    return zlib.decompress(kept) if kept is not None else None


def keep_page(key: str, content: bytes) -> None:
    """Keep a results page (a fifth of its size: pages repeat their markup)."""
    caches[CACHE].set(key, zlib.compress(content, 1), CACHE_SECONDS, version=CACHE_VERSION)
