"""Staff preview: the working draft rendered exactly as readers would see it once published,
and what publishing it now would change. Staff who may read the draft only
(view_section: editors, translators, feedback reviewers)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from modules import selectors
from modules.comparison import compare_sections, diff_section
from modules.views.changes import requested_languages

preview_required = permission_required("modules.view_section", raise_exception=True)


def _preview_context() -> dict:
    draft = selectors.get_draft()
    return {
        "preview": True,
        "draft": draft,
        "modules": draft.modules,
        "current_edition": draft.current,
        "edition": None,
    }


@login_required
@preview_required
def module_detail(request: HttpRequest, module: str) -> HttpResponse:
    context = _preview_context()
    page_module = selectors.get_module(context["modules"], module)
    outline = context["draft"].outline(page_module)
    context.update(module=page_module, toc=outline.tree(), section_count=len(outline.sections))
    return render(request, "modules/module_detail.html", context)


@login_required
@preview_required
def section_detail(request: HttpRequest, module: str, key: str) -> HttpResponse:
    context = _preview_context()
    page_module = selectors.get_module(context["modules"], module)
    outline = context["draft"].outline(page_module)
    section = outline.by_key.get(key)
    if section is None:
        return render(request, "404.html", context, status=404)
    context.update(outline.around(section), module=page_module)
    return render(request, "modules/section_detail.html", context)


@login_required
@preview_required
def compare_with_current(request: HttpRequest) -> HttpResponse:
    """What publishing the draft now would change, as readers will see it."""
    context = _preview_context()
    draft, current = context["draft"], context["draft"].current
    old_sections = selectors.get_full_sections(current) if current else []
    comparison = compare_sections(
        old=old_sections,
        new=draft.sections,
        old_modules=selectors.get_edition_modules(current) if current else [],
        new_modules=draft.modules,
        older_number=current.number if current else "",
        newer_number="",
    )
    side_by_side, langs = requested_languages(request)
    old_by_key = {s.key: s for s in old_sections}
    groups = [
        (
            m.module,
            [
                (c, [(lang, diff_section(old_by_key.get(c.key), c.new, lang)) for lang in langs])
                for c in m.changes
            ],
        )
        for m in comparison.modules
    ]
    context.update(
        comparison=comparison,
        counts=comparison.counts(),
        groups=groups,
        side_by_side=side_by_side,
        languages=langs,
        older=current,
        reasons=selectors.reasons_of(draft.sections),
    )
    return render(request, "modules/preview_compare.html", context)
