"""Full-text search over a published edition (the current one unless the reader picks another)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language

from guidelines_portal.abuse import client_ip, rate_limited
from modules import search_results, selectors
from modules.forms import SearchForm
from modules.models import Edition, EditionSection

# What the search form and its result pages send.
KEPT_PARAMETERS = frozenset({"q", "module", "edition", "page"})


def search_page(request: HttpRequest) -> HttpResponse:
    # An unknown edition or module in the query string falls back to the default.
    reading = selectors.get_reading(
        request.GET.get("edition") or None, fallback=True, modules=search_results.edition_modules
    )
    edition, modules = reading.edition, reading.modules
    module = next((m for m in modules if m.slug == request.GET.get("module")), None)
    form = SearchForm(request.GET or None, editions=reading.editions, modules=modules,
                      initial={"edition": edition.number})  # fmt: skip
    context = {
        **reading.context(), "form": form, "search_module": module, "query": "",
    }  # fmt: skip
    if form.is_bound and not form.is_valid() and "q" in form.errors:
        return render(request, "modules/search.html", context, status=400)
    query = form.cleaned_data.get("q", "") if form.is_bound else ""
    if not query:
        return render(request, "modules/search.html", context)
    # Full-text search is the costliest public page: one address gets so many per window.
    window = settings.SEARCH_RATE_WINDOW
    if rate_limited(
        "search-ip", client_ip(request), limit=settings.SEARCH_RATE_LIMIT, window=window
    ):
        context["throttled"] = True
        response = render(request, "modules/search.html", context, status=429)
        response["Retry-After"] = str(window)
        return response
    lang = get_language() or "en"
    # A results page asked again is sent as it was (after the rate limit: it still counts).
    # Only addresses the search form makes are kept: other parameters would each make an entry.
    key = None
    if all(name in KEPT_PARAMETERS and len(request.GET.getlist(name)) == 1 for name in request.GET):
        key = search_results.page_key(reading.editions, lang, request.get_full_path())
        kept = search_results.kept_page(key)
        if kept is not None:
            return HttpResponse(kept)
    jump = _named_sections(edition, query)
    if len(jump) == 1:
        return redirect(_section_url(jump[0], edition, context["edition_in_url"]))
    page, fragment = search_results.results_page(
        edition, module=module, query=query, lang=lang,
        number=request.GET.get("page"), in_edition=context["edition_in_url"],
    )  # fmt: skip
    context.update(query=query, page=page, numbered=jump, results_fragment=fragment)
    response = render(request, "modules/search.html", context)
    if key is not None:
        search_results.keep_page(key, response.content)
    return response


def _named_sections(edition: Edition, query: str) -> list[EditionSection]:
    """The sections whose number or key the query is; most queries name none, and are
    remembered as such."""
    if search_results.names_no_section(edition, query):
        return []
    named = selectors.find_by_number_or_key(edition, query)
    if not named:
        search_results.remember_names_no_section(edition, query)
    return named


def _section_url(section, edition, in_edition: bool) -> str:
    kwargs = {"module": section.module.slug, "key": section.key}
    if in_edition:
        return reverse("modules:edition_section", kwargs={"edition": edition.number, **kwargs})
    return reverse("modules:section", kwargs=kwargs)
