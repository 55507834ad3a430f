"""Full-text search: both languages, filters, direct jumps, hostile input, bounded queries."""

import datetime
import re

import pytest
from django.db import connection

from modules import services
from modules.models import EditionSection, Section
from tests.conftest import make_large_module, make_module, make_section, publish


@pytest.fixture
def guidelines(db):
    salw = make_module("SALW", prefix="B.")
    make_section(salw, "salw-marking", title_en="Marking and record-keeping",
                 title_ru="Маркировка и учёт",
                 body_en="Every weapon is marked at manufacture. Records are kept.",
                 body_ru="Каждая единица оружия подлежит маркировке при изготовлении.")  # fmt: skip
    make_section(salw, "salw-tracing", title_en="Tracing", title_ru="Отслеживание",
                 body_en="Tracing requests follow the markings.",
                 body_ru="Запросы об отслеживании опираются на маркировку.")  # fmt: skip
    uas = make_module("UAS", order=2, prefix="D.")
    make_section(uas, "uas-registration", title_en="Registration", title_ru="Регистрация",
                 body_en="Drones above a weight are registered.",
                 body_ru="Беспилотники определённой массы подлежат регистрации.")  # fmt: skip
    return publish("1.0")


RESULT_LINK = re.compile(r'<li class="search-result">\s*<h3><a href="[^"]*/([^/"]+)/"')


def result_keys(response) -> list[str]:
    """The keys of the sections a results page lists, read from the page as a reader gets it
    (a page asked again is sent as kept, without a template's context)."""
    return RESULT_LINK.findall(response.content.decode())


def test_english_search_finds_and_highlights(client, guidelines):
    response = client.get("/en/search/", {"q": "weapon"})
    assert response.status_code == 200
    assert result_keys(response) == ["salw-marking"]
    assert "<mark>weapon</mark>" in response.text


def test_russian_search_finds_russian_text(client, guidelines):
    response = client.get("/ru/search/", {"q": "маркировке"})
    assert result_keys(response)[0] == "salw-marking"  # "маркировку" is found too
    assert "<mark>маркировке</mark>" in response.text


def test_russian_search_finds_inflected_forms(client, guidelines):
    keys = result_keys(client.get("/ru/search/", {"q": "маркировка"}))
    assert set(keys) == {"salw-marking", "salw-tracing"}


def test_english_search_finds_other_forms_and_ranks_titles_first(client, guidelines):
    keys = result_keys(client.get("/en/search/", {"q": "marked"}))
    assert keys[0] == "salw-marking" and "salw-tracing" in keys


def test_filter_by_module(client, guidelines):
    assert result_keys(client.get("/en/search/", {"q": "registered", "module": "salw"})) == []
    assert result_keys(client.get("/en/search/", {"q": "registered", "module": "uas"})) == [
        "uas-registration"
    ]


def test_a_section_number_or_key_goes_straight_to_it(client, guidelines):
    assert client.get("/en/search/", {"q": "B.1"}).url == "/en/modules/salw/salw-marking/"
    assert (
        client.get("/ru/search/", {"q": "uas-registration"}).url
        == "/ru/modules/uas/uas-registration/"
    )
    assert client.get("/en/search/", {"q": "d.1"}).url == "/en/modules/uas/uas-registration/"


def test_a_bare_number_shared_by_modules_lists_them(client, guidelines):
    response = client.get("/en/search/", {"q": "1"})
    assert response.status_code == 200
    assert "Sections numbered 1" in response.text


@pytest.mark.parametrize(
    "query",
    [
        "' OR 1=1 --",
        '"unbalanced',
        "a & | ! ( ) <-> :* weapon",
        "<script>alert(1)</script>",
        "%_\\",
        "   ",
        "и",
        "DROP TABLE modules_editionsection;",
        "x" * 200,
    ],
)
def test_hostile_or_odd_queries_never_fail(client, guidelines, query):
    response = client.get("/en/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert" not in response.text


def test_an_overlong_query_gets_a_clear_message_in_the_readers_language(client, guidelines):
    response = client.get("/ru/search/", {"q": "x" * 201})
    assert response.status_code == 400
    assert "200" in response.text and "Сократите" in response.text


@pytest.mark.parametrize(
    "params", [{"module": "nope"}, {"edition": "9.9"}, {"page": "abc"}, {"page": "999"}]
)
def test_bad_filters_fall_back_to_defaults(client, guidelines, params):
    assert client.get("/en/search/", {"q": "weapon", **params}).status_code == 200


def test_every_page_has_a_search_box(client, guidelines):
    html = client.get("/ru/modules/salw/").text
    assert 'role="search"' in html and 'action="/ru/search/"' in html


def test_search_runs_a_bounded_number_of_queries(client, db, django_assert_max_num_queries):
    make_large_module("SALW", chapters=20, per_chapter=20)
    publish("1.0")
    with django_assert_max_num_queries(6):
        response = client.get("/en/search/", {"q": "section", "page": "2"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 400


def test_many_searches_from_one_address_are_slowed_with_a_clear_message(
    client, guidelines, settings
):
    settings.SEARCH_RATE_LIMIT = 2
    for _ in range(2):
        assert client.get("/ru/search/", {"q": "маркировка"}).status_code == 200
    # An empty search form is not a search: it never counts.
    assert client.get("/ru/search/").status_code == 200
    refused = client.get("/ru/search/", {"q": "маркировка"})
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(settings.SEARCH_RATE_WINDOW)
    text = refused.content.decode()
    assert "Подождите минуту" in text
    assert 'value="маркировка"' in text  # the query is kept in the box
    # Another address searches on.
    assert client.get("/ru/search/", {"q": "маркировка"}, REMOTE_ADDR="10.9.9.9").status_code == 200


def test_a_search_asked_again_is_answered_from_the_cache(
    client, guidelines, django_assert_max_num_queries
):
    first = client.get("/ru/search/", {"q": "маркировка"})
    # The published editions are read each time; what they hold is kept.
    with django_assert_max_num_queries(1):
        again = client.get("/ru/search/", {"q": "маркировка"})
    assert result_keys(again) == result_keys(first) == ["salw-marking", "salw-tracing"]
    assert again.content == first.content
    assert again["Content-Type"] == "text/html; charset=utf-8"
    assert again["Content-Language"] == "ru"


def test_a_kept_results_page_follows_a_corrected_edition_date(client, guidelines):
    url = "/en/search/?q=marking"
    assert "(1 January 2024)" in client.get(url).text
    services.edition_correct_date(
        edition=guidelines, published_on=datetime.date(2024, 1, 2), reason_en="Typed wrongly."
    )
    again = client.get(url)
    assert "(2 January 2024)" in again.text
    assert result_keys(again) == ["salw-marking", "salw-tracing"]


def test_a_kept_results_page_is_the_same_for_staff_and_keeps_nothing_of_a_reader(
    client, guidelines, editor
):
    url = "/en/search/?q=marking"
    client.force_login(editor)
    signed_in = client.get(url)
    client.logout()
    anonymous = client.get(url)
    assert anonymous.content == signed_in.content
    assert b"csrfmiddlewaretoken" not in anonymous.content
    assert editor.username.encode() not in anonymous.content


def test_kept_results_belong_to_their_edition_module_and_language(client, guidelines):
    # Asked before a new edition, and again after it: each edition answers for itself, and
    # an older edition can still be searched.
    assert result_keys(client.get("/en/search/", {"q": "requests"})) == ["salw-tracing"]
    assert result_keys(client.get("/en/search/", {"q": "requests", "module": "uas"})) == []
    assert result_keys(client.get("/ru/search/", {"q": "requests"})) == []
    services.section_update(section=Section.objects.get(key="salw-tracing"), body_en="Rewritten.")
    publish("1.1")
    assert result_keys(client.get("/en/search/", {"q": "requests"})) == []
    older = client.get("/en/search/", {"q": "requests", "edition": "1.0"})
    assert result_keys(older) == ["salw-tracing"]
    assert 'href="/en/editions/1.0/modules/salw/salw-tracing/"' in older.text


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the planner's statistics are PostgreSQL's"
)
def test_publishing_renews_the_planners_statistics_of_the_search_table(
    db, django_capture_on_commit_callbacks
):
    salw = make_module("SALW", prefix="B.")
    for index in range(5):
        make_section(salw, f"salw-{index}", title_en=f"Section {index}", body_en="Marking.")
    with django_capture_on_commit_callbacks(execute=True):
        publish("1.0")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname = %s", [EditionSection._meta.db_table]
        )
        assert cursor.fetchone()[0] == 5  # counted by ANALYZE (-1: never analysed)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes are PostgreSQL's")
def test_published_sections_go_straight_into_the_search_indexes(db):
    # Nothing waits in a pending list that every search would read, and the planner would
    # price above reading the edition's rows one by one.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname LIKE %s ORDER BY relname",
            ["edition_section_search_%"],
        )
        assert cursor.fetchall() == [
            ("edition_section_search_en", ["fastupdate=off"]),
            ("edition_section_search_ru", ["fastupdate=off"]),
        ]


def test_only_addresses_the_search_form_makes_are_kept_whole(client, guidelines):
    from django.core.cache import caches

    kept = caches["published"]
    client.get("/en/search/", {"q": "marking"})
    entries = len(kept._cache)
    for n in range(5):  # the same search with parameters of one's own: answered, not kept
        response = client.get("/en/search/", {"q": "marking", "x": str(n)})
        assert result_keys(response) == ["salw-marking", "salw-tracing"]
    assert len(kept._cache) == entries
