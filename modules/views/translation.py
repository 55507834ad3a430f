"""Translation workflow for editors and translators: status of every section's Russian text,
the English changes a translation has not caught up with, and XLIFF export and import."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from accounts.roles import acting_user
from modules import selectors, services, xliff
from modules.forms import TranslationFilterForm, XliffImportForm
from modules.models import Edition, Module

can_view = permission_required("modules.view_section", raise_exception=True)
can_change = permission_required("modules.change_section", raise_exception=True)


def _context(**extra) -> dict:
    current = Edition.objects.current()
    return {"current_edition": current, "modules": [], "translation_area": True, **extra}


@login_required
@can_view
def status_list(request: HttpRequest) -> HttpResponse:
    modules = list(Module.objects.in_order())
    form = TranslationFilterForm(request.GET or None, modules=modules)
    status = form.cleaned_data.get("status") if form.is_valid() else ""
    module = form.cleaned_data.get("module") if form.is_valid() else ""
    rows = selectors.translation_statuses(module_slug=module or None)
    counts = selectors.count_statuses(rows)
    if status:
        rows = [r for r in rows if r.status == status]
    return render(
        request,
        "modules/translation_status.html",
        _context(form=form, rows=rows, counts=counts, draft_modules=modules),
    )


@login_required
@can_view
def status_detail(request: HttpRequest, key: str) -> HttpResponse:
    detail = selectors.translation_detail(key)
    if detail is None:
        raise Http404(_("There is no section “%(key)s” in the working draft.") % {"key": key})
    return render(request, "modules/translation_detail.html", _context(detail=detail))


@login_required
@can_view
def xliff_export(request: HttpRequest, module: str) -> HttpResponse:
    draft_module = get_object_or_404(Module, slug=module)
    edition = Edition.objects.current()
    number = edition.number if edition else "0.0"
    sections = list(draft_module.sections.order_by("sort_key"))
    content = xliff.export(
        module_slug=draft_module.slug,
        edition_number=number,
        sections=sections,
        as_translated={
            s.key: selectors.english_as_translated(s) for s in sections if s.russian_outdated
        },
    )
    response = HttpResponse(content, content_type="application/x-xliff+xml; charset=utf-8")
    filename = f"TG-2370_draft-after-{number}_{draft_module.code}_en-ru.xlf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@can_change
def xliff_import(request: HttpRequest, module: str) -> HttpResponse:
    draft_module = get_object_or_404(Module, slug=module)
    edition = Edition.objects.current()
    form = XliffImportForm(request.POST or None, request.FILES or None)
    context = _context(form=form, draft_module=draft_module)
    if request.method != "POST":
        return render(request, "modules/translation_import.html", context)
    if not form.is_valid():
        return render(request, "modules/translation_import.html", context, status=400)
    try:
        units = xliff.parse(
            form.cleaned_data["file"].read(xliff.MAX_BYTES + 1),
            module_slug=draft_module.slug,
            edition_number=edition.number if edition else "0.0",
        )
    except xliff.XliffError as error:
        form.add_error("file", str(error))
        return render(request, "modules/translation_import.html", context, status=400)
    context["report"] = services.translation_import(
        module=draft_module, units=units, user=acting_user(request)
    )
    return render(request, "modules/translation_import.html", context)
