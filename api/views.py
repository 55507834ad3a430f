"""The API's documents (see openapi.py for what each holds)."""

import re
from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt

from api import documents
from api.openapi import schema
from api.responses import Problem, api_view, bad_parameter, not_found, problem_response
from modules.comparison import compare_editions, compare_sections, section_timeline
from modules.models import EDITION_NUMBER_RE, Edition, EditionModule, EditionSection

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000
EDITION_NUMBER = re.compile(rf"^{EDITION_NUMBER_RE}$")
SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")
# Every query parameter the API reads (the hostile-input sweep sends each to every address).
PARAMETERS = ("module", "changed_since", "page", "page_size", "from")


# --- Query strings ------------------------------------------------------------------------


# A parameter given empty ("?module=") is refused like any malformed value: only a parameter
# left out means "all" or "the default".


def _one(request: HttpRequest, name: str) -> str | None:
    """The parameter's value, None when left out; refused when given more than once."""
    given = request.GET.getlist(name)
    if len(given) > 1:
        raise bad_parameter(name, _("%(name)s is given more than once.") % {"name": name})
    return given[0] if given else None


def _number(request: HttpRequest, name: str, default: int, maximum: int) -> str:
    raw = _one(request, name)
    if raw is None:
        return str(default)
    if len(raw) > 6 or not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise bad_parameter(
            name,
            _("%(name)s must be a whole number from 1 to %(maximum)s.")
            % {"name": name, "maximum": maximum},
        )
    return str(int(raw))


def _edition_number(request: HttpRequest, name: str) -> dict[str, str]:
    raw = _one(request, name)
    if raw is None:
        return {}
    if not EDITION_NUMBER.match(raw):
        raise bad_parameter(
            name, _("%(name)s must be an edition number such as 1.0.") % {"name": name}
        )
    return {name: raw}


def section_parameters(request: HttpRequest) -> dict[str, str]:
    values = {
        "page": _number(request, "page", 1, MAX_PAGE),
        "page_size": _number(request, "page_size", PAGE_SIZE, MAX_PAGE_SIZE),
        **_edition_number(request, "changed_since"),
    }
    module = _one(request, "module")
    if module is not None:
        if not SLUG.match(module):
            raise bad_parameter("module", _("module must be a module's slug, such as salw."))
        values["module"] = module
    return values


def change_parameters(request: HttpRequest) -> dict[str, str]:
    return _edition_number(request, "from")


# --- Lookups ------------------------------------------------------------------------------


def _edition(editions: list[Edition], number: str) -> Edition:
    found = next((e for e in editions if e.number == number), None)
    if found is None:
        raise not_found(_("No edition %(number)s has been published.") % {"number": number})
    return found


def _older(editions: list[Edition], edition: Edition, name: str, number: str) -> Edition:
    older = next((e for e in editions if e.number == number), None)
    if older is None:  # well formed, but names nothing: as an unknown address would
        raise not_found(_("No edition %(number)s has been published.") % {"number": number})
    if (older.major, older.minor) >= (edition.major, edition.minor):
        raise bad_parameter(
            name,
            _("%(name)s must name an edition before %(number)s.")
            % {"name": name, "number": edition.number},
        )
    return older


def _reasons_since(
    editions: list[Edition], older: Edition, newer: Edition, rows: list[EditionSection]
) -> dict[str, list[dict[str, Any]]]:
    """The reasons given in each edition after ``older`` up to ``newer`` for the sections of
    ``rows``, oldest first (a reason is published with the edition whose text it explains):
    ``{key: [{"edition": "1.1", "reason": {"en": ..., "ru": ...}}, ...]}``. One query when
    several editions lie between, none otherwise (the rows carry their own)."""
    span = [e for e in editions if (older.major, older.minor) < (e.major, e.minor)
            <= (newer.major, newer.minor)]  # fmt: skip
    if len(span) == 1:
        found = [r for r in rows if r.change_reason_en or r.change_reason_ru]
        numbers = {newer.pk: newer.number}
    else:
        found = list(
            EditionSection.objects.filter(edition__in=span, key__in=[r.key for r in rows])
            .exclude(change_reason_en="", change_reason_ru="")
            .only("key", "edition_id", "change_reason_en", "change_reason_ru")
        )
        numbers = {e.pk: e.number for e in span}
    order = {e.pk: (e.major, e.minor) for e in span}
    reasons: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(found, key=lambda r: order[r.edition_id]):
        reasons.setdefault(row.key, []).append(
            {"edition": numbers[row.edition_id], "reason": documents.both(row, "change_reason")}
        )
    return reasons


def _previous(editions: list[Edition], edition: Edition) -> Edition | None:
    index = editions.index(edition)
    return editions[index + 1] if index + 1 < len(editions) else None


# --- Documents ----------------------------------------------------------------------------


@api_view()
def index(request, editions, values) -> dict[str, Any]:
    return {
        "title": "Technical guidelines to facilitate the implementation of Security Council "
        "resolution 2370 (2017)",
        "api_version": "1",
        "languages": ["en", "ru"],
        "current_edition": editions[0].number if editions else None,
        "links": {
            "editions": documents.api_url("editions"),
            "current": documents.api_url("edition", number=editions[0].number)
            if editions
            else None,
            "openapi": documents.api_url("openapi"),
        },
    }


@api_view()
def edition_list(request, editions, values) -> dict[str, Any]:
    return {
        "count": len(editions),
        "editions": [
            documents.edition(e, current=editions[0], previous=_previous(editions, e))
            for e in editions
        ],
    }


@api_view()
def edition_detail(request, editions, values, *, number: str) -> dict[str, Any]:
    edition = _edition(editions, number)
    modules = EditionModule.objects.filter(edition=edition).order_by("order")
    counts = dict(
        EditionSection.objects.filter(edition=edition)
        .values_list("module_id")
        .annotate(n=Count("id"))
        .values_list("module_id", "n")
    )
    return {
        **documents.edition(edition, current=editions[0], previous=_previous(editions, edition)),
        "modules": documents.counted(modules, counts, number),
    }


@api_view(parameters=section_parameters, lasting=True)
def section_list(request, editions, values, *, number: str) -> dict[str, Any]:
    edition = _edition(editions, number)
    modules = {m.pk: m for m in EditionModule.objects.filter(edition=edition)}
    sections = EditionSection.objects.filter(edition=edition)
    if "module" in values:
        chosen = [pk for pk, m in modules.items() if m.slug == values["module"]]
        if not chosen:
            raise not_found(
                _("Edition %(number)s has no module %(module)s.")
                % {"number": number, "module": values["module"]}
            )
        sections = sections.filter(module_id=chosen[0])
    changes: dict[str, Any] = {}
    removed: list[str] | None = None
    if "changed_since" in values:
        older = _older(editions, edition, "changed_since", values["changed_since"])
        comparison = compare_editions(older, edition)
        changes = {c.key: c for c in comparison.changes() if c.new is not None}
        if "module" in values:  # gone from this module: removed, or moved to another one
            chosen_slug = values["module"]
            removed = [
                c.key
                for c in comparison.changes()
                if (c.new is None and c.module.slug == chosen_slug)
                or (
                    c.new is not None
                    and c.old_module is not None
                    and c.old_module.slug == chosen_slug
                    and c.module.slug != chosen_slug
                )
            ]
        else:
            removed = [c.key for c in comparison.changes() if c.new is None]
        sections = sections.filter(key__in=list(changes))
    page, size = int(values["page"]), int(values["page_size"])
    count = sections.count()
    last = max(1, -(-count // size))
    if page > last:
        raise not_found(
            ngettext(
                "There is no page %(page)s: the list has %(last)s page.",
                "There is no page %(page)s: the list has %(last)s pages.",
                last,
            )
            % {"page": page, "last": last}
        )
    rows = list(
        sections.order_by("module__order", "module__code", "sort_key", "pk")[
            (page - 1) * size : page * size
        ]
    )
    reasons = _reasons_since(editions, older, edition, rows) if changes else {}
    results = []
    for row in rows:
        document = documents.section(row, number=number, module_slug=modules[row.module_id].slug)
        if row.key in changes:
            given = reasons.get(row.key, [])
            document["change"] = {
                "since": values["changed_since"],
                "statuses": list(changes[row.key].statuses),
                # The newest reason the editors gave since then; each edition's below.
                "reason": given[-1]["reason"] if given else documents.both(row, "change_reason"),
                "reasons": given,
            }
        results.append(document)
    return {
        "edition": number,
        "count": count,
        "page": page,
        "page_size": size,
        "pages": last,
        "next": _page_link(number, values, page + 1) if page < last else None,
        "previous": _page_link(number, values, page - 1) if page > 1 else None,
        **({"removed": removed} if removed is not None else {}),
        "results": results,
    }


def _page_link(number: str, values: dict[str, str], page: int) -> str:
    query = {**values, "page": str(page)}
    if query["page_size"] == str(PAGE_SIZE):
        del query["page_size"]
    if query["page"] == "1":
        del query["page"]
    tail = "&".join(f"{k}={v}" for k, v in sorted(query.items()))
    return documents.api_url("sections", number=number) + (f"?{tail}" if tail else "")


@api_view(lasting=True)
def section_detail(request, editions, values, *, number: str, key: str) -> dict[str, Any]:
    edition = _edition(editions, number)
    row = EditionSection.objects.filter(edition=edition, key=key).select_related("module").first()
    if row is None:
        raise not_found(
            _("Edition %(number)s has no section %(key)s.") % {"number": number, "key": key}
        )
    return {"edition": number, **documents.section(row, number=number, module_slug=row.module.slug)}


@api_view()
def history(request, editions, values, *, key: str) -> dict[str, Any]:
    entries = section_timeline(key, editions)
    if not entries:
        raise not_found(_("No published edition has a section %(key)s.") % {"key": key})
    return {"key": key, "history": [documents.history_entry(entry) for entry in entries]}


@api_view(parameters=change_parameters, lasting=True)
def changes(request, editions, values, *, number: str) -> dict[str, Any]:
    edition = _edition(editions, number)
    if "from" in values:
        older: Edition | None = _older(editions, edition, "from", values["from"])
    else:
        older = _previous(editions, edition)
    if older is not None:
        comparison = compare_editions(older, edition)
    else:  # the first edition: every section was added in it
        comparison = compare_sections(
            old=[], new=list(EditionSection.objects.filter(edition=edition).outline(
                "change_reason_en", "change_reason_ru")),
            old_modules=[], new_modules=list(EditionModule.objects.filter(edition=edition)),
            older_number="", newer_number=number,
        )  # fmt: skip
    older_number = older.number if older else None
    return {
        "from": older_number,
        "to": number,
        "counts": comparison.counts(),
        "unchanged": comparison.unchanged,
        "changes": [
            documents.change(c, older=older_number, newer=number) for c in comparison.changes()
        ],
    }


@api_view()
def openapi(request, editions, values) -> dict[str, Any]:
    return schema()


@csrf_exempt
def unknown(request: HttpRequest) -> HttpResponse:
    """Any other address under /api/v1/: a problem in JSON, not the site's HTML 404; an
    address missing only its final slash is sent to the one with it (as the site does)."""
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not unknown:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(
                request.path + "/" + (f"?{query}" if query else "")
            )
    return problem_response(
        Problem(404, _("Not found"), _("There is no such address in this API."))
    )
