"""Public reading pages: the current edition, and any edition under /editions/<number>/.

Every view takes an optional ``edition`` number (None means the current edition), so the
same view serves ``/modules/salw/`` and ``/editions/1.0/modules/salw/``. What the page shows
is resolved by selectors (get_reading, resolve_section); the views branch on the outcome.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from guidelines_portal.page_store import stored_page
from modules import citations, glossary, selectors
from modules.comparison import section_timeline
from modules.models.language import SOURCE_LANGUAGE, active_language


@stored_page
def home(request: HttpRequest, edition: str | None = None) -> HttpResponse:
    reading = selectors.get_reading(edition)
    context = reading.context()
    if edition is None:
        return render(request, "modules/home.html", context)
    context["corrections"] = list(reading.edition.corrections.all())
    context["citation"] = citations.for_edition(reading.edition, language=get_language())
    return render(request, "modules/edition_home.html", context)


@stored_page
def module_detail(request: HttpRequest, module: str, edition: str | None = None) -> HttpResponse:
    reading = selectors.get_reading(edition)
    page_module = selectors.get_module(reading.modules, module)
    outline = selectors.get_outline(page_module)
    context = reading.context()
    context.update(module=page_module, toc=outline.tree(), section_count=len(outline.sections))
    return render(request, "modules/module_detail.html", context)


@stored_page
def section_detail(
    request: HttpRequest, module: str, key: str, edition: str | None = None
) -> HttpResponse:
    reading = selectors.get_reading(edition)
    page_module = selectors.get_module(reading.modules, module)
    lookup = selectors.resolve_section(reading, page_module, key)
    context = reading.context()
    if lookup.moved is not None:  # keys are forever: follow it to its new module
        kwargs = {"module": lookup.moved.module.slug, "key": key}
        if reading.edition_in_url:
            kwargs["edition"] = reading.edition.number
        name = "modules:edition_section" if reading.edition_in_url else "modules:section"
        return redirect(reverse(name, kwargs=kwargs), permanent=True)
    if lookup.removed is not None:
        context["removed"] = lookup.removed
        return render(request, "modules/section_removed.html", context, status=410)
    section = lookup.found
    if section is None:
        raise Http404(_("This module has no section “%(key)s” in this edition.") % {"key": key})
    citation = citations.for_section(reading.edition, page_module, section, language=get_language())
    context.update(
        selectors.get_outline(page_module).around(section),
        module=page_module,
        timeline=section_timeline(key, reading.editions),
        citation=citation,
        stable_url=citation.url,
        body_html=_with_glossary(reading, section),
    )
    return render(request, "modules/section_detail.html", context)


def _with_glossary(reading: selectors.Reading, section) -> str:
    """The section's body in the language shown, its glossary terms marked (the glossary's
    own sections: their rows anchored, for the marks to link to)."""
    lang = active_language()
    if not getattr(section, f"body_html_{lang}", ""):
        lang = SOURCE_LANGUAGE
    body = getattr(section, f"body_html_{lang}", "")
    root = glossary.glossary_key()
    if root in (section.key, section.parent_key):
        return glossary.anchor_rows(body, lang)
    terms = glossary.edition_glossary(reading.edition, lang)

    def link(term: glossary.Term) -> str:
        kwargs = {"module": term.module, "key": term.section}
        if reading.edition_in_url:
            kwargs["edition"] = reading.edition.number
        name = "modules:edition_section" if reading.edition_in_url else "modules:section"
        return f"{reverse(name, kwargs=kwargs)}#{term.anchor}"

    off = glossary.switched_off(terms, section.glossary_off)
    return glossary.mark(body, terms, link=link, off=off)
