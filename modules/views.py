"""Public reading pages: the current edition, and any edition under /editions/<number>/.

Every view takes an optional ``edition`` number (None means the current edition), so the
same view serves ``/modules/salw/`` and ``/editions/1.0/modules/salw/``.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from modules import selectors
from modules.models import Edition


def _edition_context(edition: Edition, number: str | None) -> dict:
    current = edition if number is None else Edition.objects.current()
    return {
        "edition": edition,
        "current_edition": current,
        "is_current": current is not None and current.pk == edition.pk,
        "edition_in_url": number is not None,
        "modules": selectors.get_edition_modules(edition),
    }


def home(request: HttpRequest, edition: str | None = None) -> HttpResponse:
    context = _edition_context(selectors.get_edition(edition), edition)
    template = "modules/home.html" if edition is None else "modules/edition_home.html"
    return render(request, template, context)


def module_detail(request: HttpRequest, module: str, edition: str | None = None) -> HttpResponse:
    context = _edition_context(selectors.get_edition(edition), edition)
    page_module = selectors.get_module(context["modules"], module)
    outline = selectors.get_outline(page_module)
    context.update(module=page_module, toc=outline.tree(), section_count=len(outline.sections))
    return render(request, "modules/module_detail.html", context)


def section_detail(
    request: HttpRequest, module: str, key: str, edition: str | None = None
) -> HttpResponse:
    context = _edition_context(selectors.get_edition(edition), edition)
    page_module = selectors.get_module(context["modules"], module)
    section = selectors.get_section(page_module, key)
    outline = selectors.get_outline(page_module)
    previous, following = outline.neighbours(section)
    context.update(
        module=page_module,
        section=section,
        ancestors=outline.ancestors(section),
        children=outline.children(section),
        toc=outline.tree(),
        previous=previous,
        next=following,
    )
    return render(request, "modules/section_detail.html", context)


def edition_list(request: HttpRequest) -> HttpResponse:
    editions = list(Edition.objects.published())
    return render(
        request,
        "modules/edition_list.html",
        {"editions": editions, "current_edition": editions[0] if editions else None},
    )
