"""The read-only JSON API: what each document holds, its errors, caching and query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

BASE = "https://guidelines.test/api/v1"


def get(client, path, **headers):
    return client.get(f"/api/v1/{path}", **headers)


def test_index_names_the_current_edition_and_the_schema(client, editions):
    response = get(client, "")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["current_edition"] == "1.1"
    assert body["links"]["openapi"] == f"{BASE}/openapi.json"
    assert body["links"]["current"] == f"{BASE}/editions/1.1/"


def test_edition_list_newest_first_with_counts_and_both_languages(client, editions):
    body = get(client, "editions/").json()
    assert [e["number"] for e in body["editions"]] == ["1.1", "1.0"]
    newest, first = body["editions"]
    assert (newest["current"], first["current"]) == (True, False)
    assert (newest["previous"], first["previous"]) == ("1.0", None)
    assert (newest["sections_added"], newest["sections_changed"]) == (2, 1)
    assert "Изменения в издании 1.1" in newest["change_summary_html"]["ru"]
    assert newest["links"]["html"] == {
        "en": "https://guidelines.test/en/editions/1.1/",
        "ru": "https://guidelines.test/ru/editions/1.1/",
    }
    assert first["published_on"] == "2022-03-18"


def test_edition_lists_its_modules_with_section_counts(client, editions):
    body = get(client, "editions/1.1/").json()
    assert [(m["slug"], m["sections"]) for m in body["modules"]] == [("salw", 4), ("uas", 1)]
    assert body["modules"][0]["title"] == {"en": "SALW module", "ru": "Модуль SALW"}
    assert body["modules"][0]["links"]["sections"] == f"{BASE}/editions/1.1/sections/?module=salw"


def test_sections_carry_markdown_and_html_in_both_languages(client, editions):
    body = get(client, "editions/1.1/sections/").json()
    assert body["count"] == 5 and body["pages"] == 1 and body["next"] is None
    by_key = {s["key"]: s for s in body["results"]}
    marking = by_key["salw-marking"]
    assert marking["text"]["en"]["markdown"].startswith("Every weapon must be marked.[^1]")
    assert "footnote" in marking["text"]["en"]["html"]
    assert "маркирована" in marking["text"]["ru"]["html"]
    assert marking["parent"] == "salw-upstream"
    assert marking["links"]["html"]["ru"] == (
        "https://guidelines.test/ru/editions/1.1/modules/salw/salw-marking/"
    )
    # Not translated: Russian is null, never the English passed off as Russian.
    disposal = by_key["salw-disposal"]
    assert disposal["title"]["ru"] is None and disposal["text"]["ru"] is None
    assert "change" not in marking


def test_sections_in_reading_order_a_page_at_a_time(client, editions):
    first = get(client, "editions/1.1/sections/?page_size=2").json()
    assert first["pages"] == 3 and first["previous"] is None
    assert first["next"] == f"{BASE}/editions/1.1/sections/?page=2&page_size=2"
    keys = [s["key"] for s in first["results"]]
    while first["next"]:
        first = client.get(first["next"].removeprefix("https://guidelines.test")).json()
        keys += [s["key"] for s in first["results"]]
    assert keys == [
        "salw-upstream", "salw-marking", "salw-tracing", "salw-disposal", "uas-scope",
    ]  # fmt: skip
    assert get(client, "editions/1.1/sections/?module=uas").json()["count"] == 1


def test_changed_since_lists_what_changed_and_what_was_removed(client, editions):
    body = get(client, "editions/1.1/sections/?changed_since=1.0").json()
    changed = {s["key"]: s["change"]["statuses"] for s in body["results"]}
    assert changed["salw-marking"] == ["changed", "renumbered"]
    assert changed["salw-disposal"] == ["added"] and changed["uas-scope"] == ["added"]
    assert "salw-upstream" not in changed
    assert body["removed"] == ["salw-legislation"]
    marking = next(s for s in body["results"] if s["key"] == "salw-marking")
    assert marking["change"]["reason"]["ru"] == "Добавлена маркировка при ввозе."
    assert marking["change"]["reasons"] == [
        {"edition": "1.1", "reason": {"en": "Import marking added.",
                                      "ru": "Добавлена маркировка при ввозе."}}
    ]  # fmt: skip
    only_uas = get(client, "editions/1.1/sections/?changed_since=1.0&module=uas").json()
    assert [s["key"] for s in only_uas["results"]] == ["uas-scope"]
    assert only_uas["removed"] == []


def test_one_section_and_its_history(client, editions):
    old = get(client, "editions/1.0/sections/salw-marking/").json()
    assert old["edition"] == "1.0" and old["title"]["en"] == "Marking"
    history = get(client, "sections/salw-marking/history/").json()["history"]
    assert [(h["edition"], h["status"]) for h in history] == [("1.0", "added"), ("1.1", "changed")]
    assert history[1]["reason"]["en"] == "Import marking added."
    assert history[1]["links"]["html"]["ru"] == (
        "https://guidelines.test/ru/editions/1.0/compare/1.1/sections/salw-marking/"
    )
    removed = get(client, "sections/salw-legislation/history/").json()["history"]
    assert removed[-1]["status"] == "removed" and removed[-1]["links"]["section"] is None


def test_changes_between_two_editions(client, editions):
    body = get(client, "editions/1.1/changes/").json()
    assert (body["from"], body["to"]) == ("1.0", "1.1")
    assert body["counts"]["added"] == 2 and body["counts"]["removed"] == 1
    removed = next(c for c in body["changes"] if c["key"] == "salw-legislation")
    assert removed["after"] is None and removed["before"]["title"]["en"] == "Legislation"
    assert get(client, "editions/1.1/changes/?from=1.0").json() == body
    first = get(client, "editions/1.0/changes/").json()
    assert first["from"] is None and first["counts"]["added"] == 4


@pytest.mark.parametrize(
    ("path", "status", "parameter"),
    [
        ("editions/9.9/", 404, None),
        ("editions/1.1/sections/nowhere/", 404, None),
        ("sections/nowhere/history/", 404, None),
        ("editions/1.1/sections/?page_size=100000", 400, "page_size"),
        ("editions/1.1/sections/?page_size=0", 400, "page_size"),
        ("editions/1.1/sections/?page=-1", 400, "page"),
        ("editions/1.1/sections/?page=²", 400, "page"),
        ("editions/1.1/sections/?page=9", 404, None),
        ("editions/1.1/sections/?page=" + "9" * 5000, 400, "page"),
        ("editions/1.1/sections/?changed_since=yesterday", 400, "changed_since"),
        ("editions/1.1/sections/?changed_since=1.1", 400, "changed_since"),
        ("editions/1.0/sections/?changed_since=1.1", 400, "changed_since"),
        ("editions/1.1/sections/?changed_since=0.9", 404, None),
        ("editions/1.1/sections/?module=ied", 404, None),
        ("editions/1.1/sections/?module=<script>", 400, "module"),
        ("editions/1.1/changes/?from=1.1", 400, "from"),
        ("nothing/here/", 404, None),
        ("editions/1.1/sections/?page=1&page=2", 400, "page"),
        ("editions/1.1/sections/?module=", 400, "module"),
        ("editions/1.1/sections/?changed_since=", 400, "changed_since"),
        ("editions/%0A/", 404, None),
        ("editions/%00/", 400, None),
        ("editions/1.1/sections/?module=%00", 400, None),
        ("editions/01.1/", 404, None),
    ],
)
def test_bad_requests_get_problem_details_never_html(client, editions, path, status, parameter):
    response = get(client, path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["detail"]
    assert body.get("parameter") == parameter
    assert "<script>" not in response.content.decode()


def test_an_address_without_its_final_slash_is_sent_to_the_one_with_it(client, editions):
    response = get(client, "editions/1.1/sections?page_size=2")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/editions/1.1/sections/?page_size=2"


def test_problems_in_the_readers_language(client, editions):
    body = get(client, "editions/1.1/sections/?page_size=500", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert body["detail"] == "page_size: нужно целое число от 1 до 100."
    assert get(client, "editions/9.9/", HTTP_ACCEPT_LANGUAGE="ru").json()["title"] == "Не найдено"


def test_only_reads(client, editions):
    response = client.post("/api/v1/editions/", {"number": "2.0"})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.json()["status"] == 405
    preflight = client.options("/api/v1/editions/")
    assert preflight.status_code == 204
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    head = client.head("/api/v1/editions/")
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == get(client, "editions/")["ETag"]


def test_nothing_published_yet(client, db):
    assert get(client, "").json()["current_edition"] is None
    assert get(client, "editions/").json() == {"count": 0, "editions": []}
    assert get(client, "openapi.json").status_code == 200
    response = get(client, "editions/1.0/sections/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_section_moved_to_another_module_leaves_the_first_one(client, editions):
    from modules import services
    from modules.models import Section
    from tests.conftest import publish

    tracing = Section.objects.get(key="salw-tracing")
    tracing.module = Section.objects.get(key="uas-scope").module  # as the back office moves it
    services.section_save(section=tracing, changed_fields={"module", "parent"})
    publish("1.2")
    salw = get(client, "editions/1.2/sections/?changed_since=1.1&module=salw").json()
    assert "salw-tracing" in salw["removed"]
    uas = get(client, "editions/1.2/sections/?changed_since=1.1&module=uas").json()
    moved = next(s for s in uas["results"] if s["key"] == "salw-tracing")
    assert "moved" in moved["change"]["statuses"] and uas["removed"] == []


def test_etag_is_stable_and_answers_304(client, editions, settings):
    first = get(client, "editions/1.1/sections/")
    tag = first["ETag"]
    assert first["Cache-Control"] == f"public, max-age={settings.PAGE_STORE_MAX_AGE_EDITION}"
    assert first["Access-Control-Allow-Origin"] == "*"
    assert get(client, "editions/")["Cache-Control"] == (
        f"public, max-age={settings.PAGE_STORE_MAX_AGE}"
    )
    from django.core.cache import caches

    caches["published"].clear()  # rendered anew: the same bytes, the same tag
    again = get(client, "editions/1.1/sections/", HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again.content == b""
    other = get(client, "editions/1.1/sections/", HTTP_IF_NONE_MATCH='"other"')
    assert other.status_code == 200 and other.content == first.content


def test_sent_compressed_to_clients_that_accept_it(client, editions):
    import gzip

    plain = get(client, "editions/1.1/sections/")
    packed = get(client, "editions/1.1/sections/", HTTP_ACCEPT_ENCODING="br, gzip;q=0.8")
    assert packed["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) * 4 < len(plain.content)
    assert packed["ETag"] == plain["ETag"][:-1] + '-gz"'
    assert "Accept-Encoding" in packed["Vary"]
    refused = get(client, "editions/1.1/sections/", HTTP_ACCEPT_ENCODING="gzip;q=0")
    assert "Content-Encoding" not in refused
    # Either tag names the same document.
    again = get(
        client,
        "editions/1.1/sections/",
        HTTP_IF_NONE_MATCH=plain["ETag"],
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert again.status_code == 304


def test_a_new_edition_changes_what_is_current(client, editions):
    from tests.conftest import publish

    assert get(client, "").json()["current_edition"] == "1.1"
    publish("1.2")
    assert get(client, "").json()["current_edition"] == "1.2"
    assert get(client, "editions/1.1/").json()["current"] is False


def test_rate_limited_like_search(client, editions, settings):
    settings.API_RATE_LIMIT = 3
    for _ in range(3):
        assert get(client, "editions/").status_code == 200
    response = get(client, "editions/")
    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.API_RATE_WINDOW)
    assert response.json()["status"] == 429


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        ("", 1),
        ("editions/", 1),
        ("editions/1.1/", 3),
        ("editions/1.1/sections/", 4),
        ("editions/1.1/sections/?changed_since=1.0", 6),
        ("editions/1.1/sections/salw-marking/", 2),
        ("sections/salw-marking/history/", 2),
        ("editions/1.1/changes/", 3),
    ],
)
def test_query_counts_are_fixed_and_kept_documents_cost_one(client, editions, path, queries):
    with CaptureQueriesContext(connection) as first:
        assert get(client, path).status_code == 200
    assert len(first) == queries
    with CaptureQueriesContext(connection) as again:
        assert get(client, path).status_code == 200
    assert len(again) == 1  # the published editions, which name the kept bytes


def test_documents_vary_by_encoding_only_and_problems_by_language_too(client, editions):
    document = client.get("/api/v1/editions/", HTTP_ACCEPT_LANGUAGE="ru")
    assert document["Vary"] == "Accept-Encoding"  # one copy in a cache, whoever asks
    problem = client.get("/api/v1/editions/9.9/", HTTP_ACCEPT_LANGUAGE="ru")
    assert problem.status_code == 404
    assert "Accept-Language" in problem["Vary"]


def test_changed_since_an_older_edition_gives_each_edition_s_reason(client, editions):
    """A section changed in 1.1 (with a reason) and again in 1.3 (another), not in 1.2: asked
    for what changed since 1.0, 1.3 says both, oldest first, and its newest as "reason"."""
    from modules import services
    from modules.models import Section
    from tests.conftest import publish

    publish("1.2", on=datetime.date(2024, 1, 1))
    services.section_update(
        section=Section.objects.get(key="salw-marking"), body_en="Mark twice.",
        change_reason_en="Twice now.", change_reason_ru="Теперь дважды.",
    )  # fmt: skip
    publish("1.3", on=datetime.date(2024, 6, 1))
    body = get(client, "editions/1.3/sections/?changed_since=1.0&module=salw").json()
    marking = next(s for s in body["results"] if s["key"] == "salw-marking")
    assert [r["edition"] for r in marking["change"]["reasons"]] == ["1.1", "1.3"]
    assert marking["change"]["reason"] == {"en": "Twice now.", "ru": "Теперь дважды."}
    since_12 = get(client, "editions/1.3/sections/?changed_since=1.2&module=salw").json()
    marking = next(s for s in since_12["results"] if s["key"] == "salw-marking")
    assert [r["edition"] for r in marking["change"]["reasons"]] == ["1.3"]
