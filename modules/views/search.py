"""Full-text search over a published edition (the current one unless the reader picks another)."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language

from guidelines_portal.abuse import client_ip, rate_limited
from modules import search, selectors
from modules.forms import SearchForm

PAGE_SIZE = 20
RESULT_FIELDS = (
    "key", "number", "sort_key", "title_en", "title_ru", "edition_id", "module_id",
    "module__slug", "module__order", "module__title_en", "module__title_ru",
    "module__short_title_en", "module__short_title_ru",
)  # fmt: skip


def search_page(request: HttpRequest) -> HttpResponse:
    # An unknown edition or module in the query string falls back to the default.
    reading = selectors.get_reading(request.GET.get("edition") or None, fallback=True)
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
    jump = selectors.find_by_number_or_key(edition, query)
    if len(jump) == 1:
        return redirect(_section_url(jump[0], edition, context["edition_in_url"]))
    lang = get_language() or "en"
    # Only what a result shows: never the bodies or the (large) search columns.
    sections = edition.sections.select_related("module").only(*RESULT_FIELDS)
    if module is not None:
        sections = sections.filter(module=module)
    page = Paginator(search.search(sections, query=query, lang=lang), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    texts = search.headlines(
        edition.sections.filter(pk__in=[s.pk for s in page]), query=query, lang=lang
    )
    for section in page:
        section.excerpt = search.excerpt(texts.get(section.pk, ""), query, lang=lang)
    context.update(query=query, page=page, numbered=jump)
    return render(request, "modules/search.html", context)


def _section_url(section, edition, in_edition: bool) -> str:
    kwargs = {"module": section.module.slug, "key": section.key}
    if in_edition:
        return reverse("modules:edition_section", kwargs={"edition": edition.number, **kwargs})
    return reverse("modules:section", kwargs=kwargs)
