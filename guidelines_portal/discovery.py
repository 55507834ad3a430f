"""How search engines find the portal: robots.txt and the sitemap.

Both sit at the site root (not under a language) and give absolute addresses from the public
address. The sitemap lists every published page a reader would land on, each in every
language with its hreflang alternates; the query count does not grow with the number of
editions or sections. Search, previews, translation tools and feedback forms and tracking
pages are not listed and are closed to robots (they also say noindex themselves).
"""

import datetime
import itertools
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from feedback import selectors as feedback_selectors
from guidelines_portal.public_address import absolute_url
from modules.models import Edition, EditionModule, EditionSection

# A sitemap file holds at most 50,000 addresses (sitemaps.org); past that, sitemap.xml
# becomes an index of numbered files.
SITEMAP_LIMIT = 50_000
X_DEFAULT = settings.LANGUAGE_CODE


@dataclass
class Page:
    """A published page: its route (name and arguments) and when its content last changed."""

    name: str
    kwargs: dict
    lastmod: datetime.date | None = None


@dataclass
class Alternate:
    lang: str
    url: str


@dataclass
class SitemapURL:
    loc: str
    lastmod: datetime.date | None
    alternates: list[Alternate]


def published_pages() -> list[Page]:
    """Every page of the published guidelines, newest edition first, and the workshops' pages
    (five queries)."""
    editions = list(Edition.objects.published())
    if not editions:
        return [Page("modules:edition_list", {})]
    current = editions[0]
    slugs: dict[int, str] = {}
    modules: dict[int, list[str]] = {}
    rows = EditionModule.objects.order_by("order", "code").values_list("pk", "edition_id", "slug")
    for pk, edition_id, slug in rows:
        slugs[pk] = slug
        modules.setdefault(edition_id, []).append(slug)
    sections: dict[int, list[tuple[str, str]]] = {}
    rows = EditionSection.objects.order_by("sort_key").values_list("edition_id", "module_id", "key")
    for edition_id, module_id, key in rows:
        sections.setdefault(edition_id, []).append((slugs[module_id], key))
    responses = feedback_selectors.response_counts()

    on = current.published_on
    pages = [Page("modules:home", {}, on), Page("modules:edition_list", {}, on)]
    pages += [Page("modules:module", {"module": m}, on) for m in modules.get(current.pk, [])]
    pages += [
        Page("modules:section", {"module": m, "key": k}, on)
        for m, k in sections.get(current.pk, [])
    ]
    for edition in editions:
        number, on = edition.number, edition.published_on
        pages.append(Page("modules:edition_home", {"edition": number}, on))
        if edition.pk != current.pk:  # the current edition's pages are listed above
            pages += [
                Page("modules:edition_module", {"edition": number, "module": m}, on)
                for m in modules.get(edition.pk, [])
            ]
            pages += [
                Page("modules:edition_section", {"edition": number, "module": m, "key": k}, on)
                for m, k in sections.get(edition.pk, [])
            ]
        if responses.get(edition.pk):
            # Decisions are added to a response after the edition: no date to give.
            pages.append(Page("feedback:responses", {"edition": number}))
    for newer, older in itertools.pairwise(editions):
        kwargs = {"older": older.number, "newer": newer.number}
        pages.append(Page("modules:compare", kwargs, newer.published_on))
    # What became of the comments made at each workshop changes with decisions: no date.
    workshops = feedback_selectors.workshop_slugs()
    if workshops:
        pages.append(Page("feedback:workshops", {}))
        pages += [Page("feedback:workshop", {"slug": slug}) for slug in workshops]
    return pages


def sitemap_urls(pages: list[Page]) -> list[SitemapURL]:
    """Each page once per language, each naming all its languages and x-default."""
    langs = [code for code, _name in settings.LANGUAGES]
    addresses: dict[str, list[str]] = {}
    for lang in langs:
        with translation.override(lang):
            addresses[lang] = [absolute_url(reverse(p.name, kwargs=p.kwargs)) for p in pages]
    urls = []
    for index, page in enumerate(pages):
        alternates = [Alternate(lang, addresses[lang][index]) for lang in langs]
        alternates.append(Alternate("x-default", addresses[X_DEFAULT][index]))
        urls += [SitemapURL(addresses[lang][index], page.lastmod, alternates) for lang in langs]
    return urls


@require_safe
def sitemap(request: HttpRequest) -> HttpResponse:
    """The sitemap, or, past SITEMAP_LIMIT addresses, the index of its numbered files."""
    urls = sitemap_urls(published_pages())
    if len(urls) <= SITEMAP_LIMIT:
        return _urlset(request, urls)
    files = range(1, (len(urls) - 1) // SITEMAP_LIMIT + 2)
    context = {"files": [absolute_url(reverse("sitemap_file", args=[n])) for n in files]}
    return render(request, "sitemap_index.xml", context, content_type="application/xml")


@require_safe
def sitemap_file(request: HttpRequest, number: int) -> HttpResponse:
    """One file of a sitemap split by SITEMAP_LIMIT (numbered from 1)."""
    urls = sitemap_urls(published_pages())
    start = (number - 1) * SITEMAP_LIMIT
    if number < 1 or start >= len(urls):
        raise Http404(_("There is no sitemap file %(number)s.") % {"number": number})
    return _urlset(request, urls[start : start + SITEMAP_LIMIT])


def _urlset(request: HttpRequest, urls: list[SitemapURL]) -> HttpResponse:
    return render(request, "sitemap.xml", {"urls": urls}, content_type="application/xml")


def robots_rules() -> tuple[list[str], list[str]]:
    """(allowed, disallowed) path prefixes: reading pages open, the rest closed."""
    allowed, disallowed = [], [reverse("admin:index"), reverse("health")]
    for lang, _name in settings.LANGUAGES:
        with translation.override(lang):
            feedback = reverse("feedback:form")
            # Responses to comments are published pages; the rest of feedback is not.
            allowed.append(reverse("feedback:responses", args=["0.0"]).removesuffix("0.0/"))
            disallowed += [
                reverse("modules:search"),
                reverse("modules:preview_compare"),
                reverse("modules:translation_status"),
                reverse("modules:compare_pick"),
                feedback,
            ]
    return allowed, disallowed


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    allowed, disallowed = robots_rules()
    # Allow lines first: parsers that take the first matching line (as Python's does) then
    # agree with those that take the longest (RFC 9309).
    lines = ["User-agent: *"]
    lines += [f"Allow: {path}" for path in allowed]
    lines += [f"Disallow: {path}" for path in disallowed]
    lines += ["", f"Sitemap: {absolute_url(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
