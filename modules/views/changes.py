"""Editions and what changed between them: the change log, comparisons, one section's change."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from guidelines_portal.page_store import stored_page
from modules import selectors
from modules.comparison import compare_editions, section_diffs
from modules.forms import CompareForm
from modules.models import LANGS, Edition


@stored_page
def edition_list(request: HttpRequest) -> HttpResponse:
    editions = list(Edition.objects.published().prefetch_related("corrections"))
    current = editions[0] if editions else None
    previous = selectors.previous_editions(editions)
    context = {
        "editions": [(e, previous.get(e.pk)) for e in editions],
        "compare_form": CompareForm(editions=editions),
        **selectors.navigation(current),
    }
    return render(request, "modules/edition_list.html", context)


def compare_pick(request: HttpRequest) -> HttpResponse:
    """The edition picker's GET form: send the reader to the comparison's own URL."""
    editions = list(Edition.objects.published())
    form = CompareForm(request.GET, editions=editions)
    if not form.is_valid():
        context = {"compare_form": form, **selectors.navigation(editions[0] if editions else None)}
        return render(request, "modules/compare_invalid.html", context, status=400)
    older, newer = form.ordered()
    return redirect("modules:compare", older=older, newer=newer)


def _comparison_or_error(request: HttpRequest, older: str, newer: str):
    """(older, newer, all editions newest first), or a response: 404 for an unknown edition,
    400 for a self-comparison, a redirect when the order is reversed. One query."""
    editions = list(Edition.objects.published())
    by_number = {e.number: e for e in editions}
    for number in (older, newer):
        if number not in by_number:
            raise Http404(_("There is no edition %(number)s.") % {"number": number})
    if older == newer:
        form = CompareForm({"older": older, "newer": newer}, editions=editions)
        form.is_valid()  # binds the "two different editions" error for the page
        context = {"compare_form": form, **selectors.navigation(editions[0])}
        return render(request, "modules/compare_invalid.html", context, status=400)
    first, second = sorted([by_number[older], by_number[newer]], key=lambda e: (e.major, e.minor))
    if (first.number, second.number) != (older, newer):
        url = request.path.replace(
            f"/editions/{older}/compare/{newer}/",
            f"/editions/{first.number}/compare/{second.number}/",
        )
        return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)
    return first, second, editions


def _with_diffs(changes, diffs: dict, langs: tuple[str, ...]) -> list[tuple]:
    """[(change, [(lang, SectionDiff), ...]), ...], in language order, for the templates."""
    return [
        (change, [(lang, diffs[change.key][lang]) for lang in langs] if change.key in diffs else [])
        for change in changes
    ]


def requested_languages(request: HttpRequest) -> tuple[bool, tuple[str, ...]]:
    """(side by side?, languages to diff): both with ?languages=both, else the page's."""
    both = request.GET.get("languages") == "both"
    return both, LANGS if both else (get_language() or "en",)


@stored_page(variants=["languages=both"])
def edition_compare(request: HttpRequest, older: str, newer: str) -> HttpResponse:
    result = _comparison_or_error(request, older, newer)
    if isinstance(result, HttpResponse):
        return result
    first, second, editions = result
    comparison = compare_editions(first, second)
    side_by_side, langs = requested_languages(request)
    diffs = section_diffs(first, second, list(comparison.changes()), langs)
    context = {
        "editions": editions,
        "older": first,
        "newer": second,
        "comparison": comparison,
        "counts": comparison.counts(),
        "groups": [(m.module, _with_diffs(m.changes, diffs, langs)) for m in comparison.modules],
        "reasons": selectors.reasons_of(c.new for c in comparison.changes() if c.new),
        "side_by_side": side_by_side,
        "languages": langs,
        "compare_form": CompareForm(
            editions=editions, initial={"older": first.number, "newer": second.number}
        ),
        **selectors.navigation(editions[0]),
    }
    return render(request, "modules/compare.html", context)


@stored_page(variants=["languages=both"])
def section_change(request: HttpRequest, older: str, newer: str, key: str) -> HttpResponse:
    result = _comparison_or_error(request, older, newer)
    if isinstance(result, HttpResponse):
        return result
    first, second, editions = result
    comparison = compare_editions(first, second)
    change = comparison.get(key)
    if change is None:
        # Unchanged between these editions (or unknown): 404 unless either edition has it.
        section = selectors.get_section_in_any(key, [first, second])
        context = {"older": first, "newer": second, "section": section}
        context.update(selectors.navigation(editions[0]))
        return render(request, "modules/section_unchanged.html", context)
    side_by_side, langs = requested_languages(request)
    diffs = section_diffs(first, second, [change], langs)
    context = {
        "editions": editions,
        "older": first,
        "newer": second,
        "change": change,
        "lang_diffs": _with_diffs([change], diffs, langs)[0][1],
        "reasons": selectors.reasons_of([change.new] if change.new else []),
        "side_by_side": side_by_side,
        "languages": langs,
        "compare_url": reverse(
            "modules:compare", kwargs={"older": first.number, "newer": second.number}
        ),
        **selectors.navigation(editions[0]),
    }
    return render(request, "modules/section_change.html", context)
