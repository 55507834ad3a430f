"""Public reading pages: the current edition, and any edition under /editions/<number>/.

Every view takes an optional ``edition`` number (None means the current edition), so the
same view serves ``/modules/salw/`` and ``/editions/1.0/modules/salw/``.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from modules import citations, selectors
from modules.comparison import section_timeline


def _edition_context(number: str | None) -> dict:
    """The edition shown (``number``, or the current one) and site-wide values, in two queries."""
    editions = selectors.get_editions_oldest_first()
    edition = selectors.pick_edition(editions, number)
    current = editions[-1]
    return {
        "edition": edition,
        "current_edition": current,
        "is_current": current.pk == edition.pk,
        "edition_in_url": number is not None,
        "editions_oldest_first": editions,
        "modules": selectors.get_edition_modules(edition),
    }


def home(request: HttpRequest, edition: str | None = None) -> HttpResponse:
    context = _edition_context(edition)
    if edition is None:
        return render(request, "modules/home.html", context)
    context["corrections"] = list(context["edition"].corrections.all())
    context["citation"] = citations.for_edition(context["edition"], language=get_language())
    return render(request, "modules/edition_home.html", context)


def module_detail(request: HttpRequest, module: str, edition: str | None = None) -> HttpResponse:
    context = _edition_context(edition)
    page_module = selectors.get_module(context["modules"], module)
    outline = selectors.get_outline(page_module)
    context.update(module=page_module, toc=outline.tree(), section_count=len(outline.sections))
    return render(request, "modules/module_detail.html", context)


def section_detail(
    request: HttpRequest, module: str, key: str, edition: str | None = None
) -> HttpResponse:
    context = _edition_context(edition)
    page_module = selectors.get_module(context["modules"], module)
    section = selectors.find_section(page_module, key)
    if section is None:
        return _section_not_here(request, context, module, key)
    citation = citations.for_section(
        context["edition"], page_module, section, language=get_language()
    )
    context.update(
        selectors.get_outline(page_module).around(section),
        module=page_module,
        timeline=section_timeline(key, context["editions_oldest_first"]),
        citation=citation,
        stable_url=citation.url,
    )
    return render(request, "modules/section_detail.html", context)


def _section_not_here(request: HttpRequest, context: dict, module: str, key: str) -> HttpResponse:
    """A key that this module lacks: moved to another module (redirect), removed from the
    current edition (410, saying when and what replaced it), or unknown (404)."""
    edition = context["edition"]
    moved = selectors.find_section_elsewhere(edition, key)
    if moved is not None:
        name = "modules:edition_section" if context["edition_in_url"] else "modules:section"
        kwargs = {"module": moved.module.slug, "key": key}
        if context["edition_in_url"]:
            kwargs["edition"] = edition.number
        return redirect(reverse(name, kwargs=kwargs), permanent=True)
    if context["is_current"] and not context["edition_in_url"]:
        removed = selectors.get_removed_section(module, key, edition)
        if removed is not None:
            context["removed"] = removed
            return render(request, "modules/section_removed.html", context, status=410)
    raise Http404(_("This module has no section “%(key)s” in this edition.") % {"key": key})
