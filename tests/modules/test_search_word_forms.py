"""Search finds word forms and answers a query with the same sections on SQLite and PostgreSQL.

Every test here runs on both databases (SQLite by default; PostgreSQL with DATABASE_URL) and
expects the same section keys on each; the few that compare with PostgreSQL's own text search
functions run there only.
"""

import re

import pytest
from django.db import connection

from modules import search
from tests.conftest import make_module, make_section, publish

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="compares with PostgreSQL's own functions"
)

MARKING = {"salw-marking", "salw-tracing", "salw-transfers"}


@pytest.fixture
def guidelines(db):
    salw = make_module("SALW", prefix="B.")
    make_section(salw, "salw-marking", title_en="Marking and record-keeping",
                 title_ru="Маркировка и учёт",
                 body_en="Every weapon is marked at manufacture with a unique marking.",
                 body_ru="Каждая единица оружия подлежит маркировке при изготовлении.")  # fmt: skip
    make_section(salw, "salw-tracing", title_en="Tracing", title_ru="Отслеживание",
                 body_en="Tracing requests follow the markings on a weapon.",
                 body_ru="Запросы об отслеживании опираются на маркировку.")  # fmt: skip
    make_section(salw, "salw-transfers", title_en="Transfers", title_ru="Передачи",
                 body_en="An end-user certificate is required before export; "
                         "it names the end user. See S/RES/2370 (2017).",
                 body_ru="Перед экспортом требуется сертификат конечного пользователя "
                         "(end-user certificates). "
                         "Маркировки проверяются при ввозе.")  # fmt: skip
    uas = make_module("UAS", order=2, prefix="D.")
    make_section(uas, "uas-registration", title_en="Registration", title_ru="Регистрация",
                 body_en="Drones above a weight are registered. End users register online.",
                 body_ru="Беспилотники определённой массы подлежат регистрации.")  # fmt: skip
    return publish("1.0")


def keys(edition, query: str, lang: str) -> list[str]:
    sections = edition.sections.select_related("module")
    return [s.key for s in search.search(sections, query=query, lang=lang)]


def page_keys(response) -> list[str]:
    return [s.key for s in response.context["page"].object_list]


@pytest.mark.parametrize("query", ["маркировка", "маркировки", "маркировку", "МАРКИРОВКЕ"])
def test_every_russian_form_finds_the_same_sections(client, guidelines, query):
    response = client.get("/ru/search/", {"q": query})
    assert response.status_code == 200
    assert set(page_keys(response)) == MARKING


@pytest.mark.parametrize("query", ["marking", "marked", "markings", "Mark"])
def test_every_english_form_finds_the_same_sections(guidelines, query):
    assert set(keys(guidelines, query, "en")) == {"salw-marking", "salw-tracing"}


def test_a_match_in_the_title_ranks_first(guidelines):
    assert keys(guidelines, "marked", "en")[0] == "salw-marking"
    assert keys(guidelines, "маркировками", "ru")[0] == "salw-marking"


@pytest.mark.parametrize(
    ("lang", "query", "expected"),
    [
        # Every word must occur, in any form.
        ("en", "manufactured marks", {"salw-marking"}),
        ("en", "marking drones", set()),
        ("ru", "маркировкой изготовления", {"salw-marking"}),
        # Stop words are left out ("the", "и"), as are signs that mean nothing here.
        ("en", "the tracing", {"salw-tracing"}),
        ("ru", "и маркировка", MARKING),
        ("en", "marking & | ! ( ) <-> :* weapon", {"salw-marking", "salw-tracing"}),
        # "Quoted words" occur together, in that order; a hyphenated word is a phrase too.
        ("en", '"end-user certificate"', {"salw-transfers"}),
        ("en", '"certificate end-user"', set()),
        ("en", '"end users"', {"salw-transfers", "uas-registration"}),
        ("en", "end-user", {"salw-transfers"}),
        ("ru", '"маркировка и учёт"', {"salw-marking"}),
        ("ru", '"учёт и маркировка"', set()),
        ("en", '"unbalanced quote', set()),
        # A phrase may run from the title into the body, as PostgreSQL joins them.
        ("en", '"record-keeping every weapon"', {"salw-marking"}),
        # "or" accepts either side; "-" leaves a word out, alone or not, once or twice.
        ("en", "tracing or drones", {"salw-tracing", "uas-registration"}),
        ("en", "marking -tracing", {"salw-marking"}),
        ("en", "-marking", {"salw-transfers", "uas-registration"}),
        ("en", "--marking", {"salw-marking", "salw-tracing"}),
        ("en", "-" * 40 + "marking", {"salw-marking", "salw-tracing"}),
        ("ru", "маркировка -учёт", {"salw-tracing", "salw-transfers"}),
        # Document symbols and numbers are words of their own.
        ("en", "S/RES/2370", {"salw-transfers"}),
        ("en", "2017", {"salw-transfers"}),
        ("en", "2370", set()),
        # Latin-script words in Russian text are English words, found in any form.
        ("ru", "certificate", {"salw-transfers"}),
    ],
)
def test_both_databases_give_the_same_answer(guidelines, lang, query, expected):
    assert set(keys(guidelines, query, lang)) == expected


@pytest.mark.parametrize(
    "query",
    ['"', '""', "*", "^", "AND OR NOT", "NEAR(", "NEAR(marking", "-", "--", "or", "marking or",
     "x" * 200, "маркировка " * 18, "😀", "😀 marking", "\\", "'", "{title}: marking",
     "marking*", "'; DROP TABLE modules_editionsection; --", '"\ue000"', "\ue001"],
)  # fmt: skip
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_odd_queries_give_results_or_none_and_never_fail(client, guidelines, query, lang):
    assert isinstance(keys(guidelines, query, lang), list)
    response = client.get(f"/{lang}/search/", {"q": query})
    assert response.status_code == 200


def test_a_query_longer_than_the_form_allows_never_fails_either(client, guidelines):
    assert keys(guidelines, "marking " * 70, "en") == keys(guidelines, "marking", "en")
    assert keys(guidelines, "NEAR(" * 100 + '"' * 100, "en") == []
    assert client.get("/en/search/", {"q": "x" * 500}).status_code == 400


def test_excerpts_mark_the_forms_that_matched(client, guidelines):
    response = client.get("/ru/search/", {"q": "маркировка"})
    assert "<mark>маркировке</mark>" in response.text
    assert "<mark>маркировку</mark>" in response.text
    english = client.get("/en/search/", {"q": "markings"}).text
    assert "<mark>marked</mark>" in english and "<mark>markings</mark>" in english


def test_the_search_page_does_not_talk_about_databases(client, guidelines):
    response = client.get("/en/search/", {"q": "marking"})
    assert "PostgreSQL" not in response.text and "exact words" not in response.text


def test_indexing_a_section_again_changes_nothing(guidelines):
    search.index_sections(guidelines.sections.all())
    assert set(keys(guidelines, "маркировка", "ru")) == MARKING
    assert len(keys(guidelines, "-marking", "en")) == 2


# --- Without a database: how words become lexemes, and what gets marked ------------------


def lexemes(text: str, lang: str) -> list[str | None]:
    return [token.lexeme for token in search.analyze(text, lang)]


def test_words_become_the_lexemes_postgresql_makes():
    assert lexemes("State's end-user S/RES/2370 (2017) 3D-printed", "en") == [
        "state", None, "end-us", "end", "user", "s/res/2370", "2017", "3d-printed", "3d", "print"
    ]  # fmt: skip
    assert lexemes("Маркировки и учёт e-mail", "ru") == [
        "маркировк", None, "учет", "e-mail", "e", "mail"
    ]  # fmt: skip


def test_a_query_reads_as_websearch_to_tsquery_reads_it():
    (first, second) = search.parse_query('"end of the user" -the marking or tracing', "en")
    assert [(o.lexemes, o.negated) for o in first] == [
        (("end", None, None, "user"), False),
        (("mark",), False),
    ]
    assert [(o.lexemes, o.negated) for o in second] == [(("trace",), False)]
    assert search.parse_query("the or and", "en") == []


def test_plain_text_excerpts_mark_every_form_and_whole_hyphenated_words():
    body = "Каждая единица подлежит маркировке; маркировку проверяют."
    assert str(search.excerpt(body, "маркировка", lang="ru")) == (
        "Каждая единица подлежит <mark>маркировке</mark>; <mark>маркировку</mark> проверяют."
    )
    marked = str(search.excerpt("An end-user certificate.", '"end-user"', lang="en"))
    assert marked == "An <mark>end-user</mark> certificate."


# --- On PostgreSQL: the SQLite analyser against PostgreSQL's own parser --------------------


@on_postgres
@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Every weapon is marked at manufacture; the State's end-user certificate."),
        ("en", "S/RES/2370 (2017), A/CONF.192/15, e.g. U.S. 1.0 2.3.1 -24 MQ-24 3D-printed"),
        ("en", "See https://www.un.org/en/a?b=1 or write to info@un.org, <b>now</b> &amp;"),
        ("en", "COVID-19-related state-of-the-art x86-64 a-b-1 1,000 10.5% H₂O ½"),
        ("ru", "Маркировка и учёт: «маркировки», Аль-Каиды, ёлка, Её, naïve café"),
        ("ru", "Резолюция 2370 (2017) Совета Безопасности, end-user certificates"),
    ],
)
def test_the_analyser_finds_what_to_tsvector_finds(db, lang, text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector(%s::regconfig, %s)::text", [search.CONFIGS[lang], text])
        (vector,) = cursor.fetchone()
    theirs = {
        m.group(1).replace("''", "'"): [int(p) for p in m.group(2).split(",")]
        for m in re.finditer(r"'((?:[^']|'')*)':([\d,]+)", vector)
    }
    mine: dict[str, list[int]] = {}
    for position, lexeme in enumerate(lexemes(text, lang), start=1):
        if lexeme is not None:
            mine.setdefault(lexeme, []).append(position)
    assert mine == theirs
