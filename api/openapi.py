"""The API's OpenAPI 3 description, served at /api/v1/openapi.json and tested against the
API itself with schemathesis (tests/api/test_schema.py)."""

from typing import Any

from guidelines_portal.public_address import absolute_url
from modules.models import EDITION_NUMBER_RE

NUMBER = {"type": "string", "pattern": f"^{EDITION_NUMBER_RE}$", "example": "1.0"}
KEY = {"type": "string", "pattern": "^[-a-zA-Z0-9_]{1,80}$", "example": "salw-marking"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


def _object(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "properties": properties,
    }


TEXT = {"type": "string"}
URL = {"type": "string", "format": "uri"}
BOTH = _object({"en": TEXT, "ru": _nullable(TEXT)})  # Russian is null where not translated
BOTH_OPTIONAL = _object({"en": _nullable(TEXT), "ru": _nullable(TEXT)})
PAGES = _object({"en": URL, "ru": URL})
STATUS = {"type": "string", "enum": ["added", "removed", "changed", "moved", "renumbered"]}

SCHEMAS: dict[str, Any] = {
    "Problem": _object(
        {
            "type": TEXT,
            "title": TEXT,
            "status": {"type": "integer"},
            "detail": TEXT,
            "parameter": TEXT,
        },
        optional=("parameter",),
    ),
    "Index": _object(
        {
            "title": TEXT,
            "api_version": TEXT,
            "languages": {"type": "array", "items": TEXT},
            "current_edition": _nullable(NUMBER),  # null until the first edition
            "links": _object({"editions": URL, "current": _nullable(URL), "openapi": URL}),
        }
    ),
    "Edition": _object(
        {
            "number": NUMBER,
            "published_on": {"type": "string", "format": "date"},
            "current": {"type": "boolean"},
            "previous": _nullable(NUMBER),
            "text_fingerprint": _nullable(TEXT),
            "sections_added": {"type": "integer", "minimum": 0},
            "sections_changed": {"type": "integer", "minimum": 0},
            "sections_removed": {"type": "integer", "minimum": 0},
            "change_summary_html": BOTH_OPTIONAL,
            "links": _object(
                {"self": URL, "sections": URL, "changes": URL, "html": PAGES, "pdf": PAGES}
            ),
        }
    ),
    "Module": _object(
        {
            "slug": TEXT,
            "code": TEXT,
            "kind": TEXT,
            "order": {"type": "integer"},
            "number_prefix": _nullable(TEXT),
            "title": BOTH,
            "short_title": BOTH,
            "summary_html": BOTH_OPTIONAL,
            "sections": {"type": "integer", "minimum": 0},
            "links": _object({"sections": URL, "html": PAGES}),
        }
    ),
    "SectionText": _object({"markdown": TEXT, "html": TEXT}),
    "Section": _object(
        {
            "key": KEY,
            "number": TEXT,
            "module": TEXT,
            "parent": _nullable(KEY),
            "depth": {"type": "integer", "minimum": 1},
            "title": BOTH,
            "text": _object({"en": _ref("SectionText"), "ru": _nullable(_ref("SectionText"))}),
            "russian_outdated": {"type": "boolean"},
            "text_hash": TEXT,
            "links": _object({"self": URL, "history": URL, "html": PAGES}),
            "change": _object(
                {
                    "since": NUMBER,
                    "statuses": {"type": "array", "items": STATUS},
                    "reason": BOTH_OPTIONAL,
                    "reasons": {
                        "type": "array",
                        "items": _object({"edition": NUMBER, "reason": BOTH_OPTIONAL}),
                    },
                }
            ),
        },
        optional=("change",),
    ),
    "Change": _object(
        {
            "key": KEY,
            "module": TEXT,
            "statuses": {"type": "array", "items": STATUS},
            "before": _nullable(_ref("ChangeSide")),
            "after": _nullable(_ref("ChangeSide")),
            "reason": _nullable(BOTH_OPTIONAL),
            "links": _object({"html": PAGES}, optional=("html",)),
        }
    ),
    "ChangeSide": _object({"number": TEXT, "title": BOTH, "links": _object({"self": URL})}),
    "HistoryEntry": _object(
        {
            "edition": NUMBER,
            "published_on": {"type": "string", "format": "date"},
            "status": STATUS,
            "previous_edition": _nullable(NUMBER),
            "number": TEXT,
            "title": BOTH,
            "reason": _nullable(BOTH_OPTIONAL),
            "links": _object({"section": _nullable(URL), "html": _nullable(PAGES)}),
        }
    ),
}
SCHEMAS["EditionDetail"] = {
    "allOf": [
        _ref("Edition"),
        _object({"modules": {"type": "array", "items": _ref("Module")}}),
    ]
}
SCHEMAS["SectionDetail"] = {"allOf": [_ref("Section"), _object({"edition": NUMBER})]}
SCHEMAS["SectionPage"] = _object(
    {
        "edition": NUMBER,
        "count": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "page_size": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 1},
        "next": _nullable(URL),
        "previous": _nullable(URL),
        "removed": {"type": "array", "items": KEY},
        "results": {"type": "array", "items": _ref("Section")},
    },
    optional=("removed",),
)
SCHEMAS["Changes"] = _object(
    {
        "from": _nullable(NUMBER),
        "to": NUMBER,
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        "unchanged": {"type": "integer", "minimum": 0},
        "changes": {"type": "array", "items": _ref("Change")},
    }
)
SCHEMAS["EditionList"] = _object(
    {"count": {"type": "integer"}, "editions": {"type": "array", "items": _ref("Edition")}}
)
SCHEMAS["History"] = _object(
    {"key": KEY, "history": {"type": "array", "items": _ref("HistoryEntry"), "minItems": 1}}
)


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
    }


def _operation(
    operation_id: str, summary: str, document: str, *, parameters=(), not_found=True
) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {
            "description": summary,
            "headers": {"ETag": {"schema": TEXT}},
            "content": {"application/json": {"schema": _ref(document)}},
        },
        "304": {"description": "Not modified (If-None-Match named the current ETag)."},
        "429": _problem("Too many requests from one address; see Retry-After."),
    }
    if parameters and any(p.get("in") == "query" for p in parameters):
        responses["400"] = _problem(
            "A query parameter is malformed, empty, given twice, too large, or names an edition "
            "that is not earlier than the one asked about."
        )
    if not_found:
        responses["404"] = _problem(
            "No such published edition, module, section or page (in the path or a parameter)."
        )
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": list(parameters),
            "responses": responses,
        }
    }


def _path(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema,
            "description": description}  # fmt: skip


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}  # fmt: skip


EDITION = _path("number", NUMBER, "A published edition's number.")
SECTION_KEY = _path("key", KEY, "A section's key: stable across editions and languages.")


def schema() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Technical guidelines (resolution 2370): read-only API",
            "version": "1",
            "description": (
                "Published editions of the technical guidelines to facilitate the "
                "implementation of Security Council resolution 2370 (2017), in English and "
                "Russian. Every document holds both languages; a Russian field is null where "
                "the edition has no Russian text. Documents carry an ETag: send it back in "
                "If-None-Match for a 304. Errors are RFC 9457 problem details, in the "
                "language of Accept-Language (English or Russian). Requests per address are "
                "limited as the site's search is (429 with Retry-After)."
            ),
        },
        "servers": [{"url": absolute_url("/api/v1")}],
        "paths": {
            "/": _operation("index", "Where to start", "Index", not_found=False),
            "/editions/": _operation(
                "listEditions",
                "Every published edition, newest first",
                "EditionList",
                not_found=False,
            ),
            "/editions/{number}/": _operation(
                "getEdition",
                "One edition with its modules",
                "EditionDetail",
                parameters=[EDITION],
            ),
            "/editions/{number}/sections/": _operation(
                "listSections",
                "An edition's sections in reading order, with their text, a page at a time",
                "SectionPage",
                parameters=[
                    EDITION,
                    _query(
                        "module",
                        {"type": "string", "pattern": "^[-a-zA-Z0-9_]{1,40}$"},
                        "Only this module's sections (its slug).",
                    ),
                    _query(
                        "changed_since",
                        NUMBER,
                        "Only sections added, changed, moved or renumbered since this earlier "
                        "edition, each with its `change` (statuses, and the reason the editors "
                        "gave in this edition); the keys of those removed (or, with `module`, "
                        "moved to another module) are listed in `removed`.",
                    ),
                    _query(
                        "page",
                        {"type": "integer", "minimum": 1, "maximum": 10000},
                        "Page number, from 1.",
                    ),
                    _query(
                        "page_size",
                        {"type": "integer", "minimum": 1, "maximum": 100},
                        "Sections a page (default 50, at most 100).",
                    ),
                ],
            ),
            "/editions/{number}/sections/{key}/": _operation(
                "getSection",
                "One section of an edition, with its text in both languages",
                "SectionDetail",
                parameters=[EDITION, SECTION_KEY],
            ),
            "/editions/{number}/changes/": _operation(
                "listChanges",
                "What changed, section by section, from an earlier edition",
                "Changes",
                parameters=[
                    EDITION,
                    _query("from", NUMBER, "The earlier edition (default: the one before)."),
                ],
            ),
            "/sections/{key}/history/": _operation(
                "getHistory",
                "The editions in which a section was added, changed, moved, renumbered or removed",
                "History",
                parameters=[SECTION_KEY],
            ),
            "/openapi.json": {
                "get": {
                    "operationId": "getSchema",
                    "summary": "This description",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "304": {"description": "Not modified."},
                        "429": _problem("Too many requests from one address."),
                    },
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
