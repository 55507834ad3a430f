"""The edition list, comparisons between editions and one section's change."""

import pytest

from modules import services
from modules.comparison import compare_editions, section_timeline
from modules.models import Edition, Section
from tests.conftest import make_large_module, make_section, publish


@pytest.fixture
def history(published):
    """1.0 -> 1.1: marking reworded, legislation removed (tracing renumbered), disposal added."""
    marking = Section.objects.get(key="salw-marking")
    services.section_update(
        section=marking,
        title_en="Marking and records",
        body_en="Every weapon must be marked.",
        body_ru="Каждая единица оружия должна быть маркирована.",
    )
    services.section_delete(section=Section.objects.get(key="salw-legislation"))
    make_section(marking.module, "salw-disposal", title_en="Disposal", body_en="Destroy surplus.")
    services.section_move(section=Section.objects.get(key="salw-tracing"), parent=None, position=1)
    return published, publish("1.1")


def test_publishing_counts_the_changes_since_the_previous_edition(history):
    first, second = history
    assert (first.sections_added, first.sections_changed, first.sections_removed) == (4, 0, 0)
    assert (second.sections_added, second.sections_changed, second.sections_removed) == (1, 1, 1)


def test_comparison_classifies_every_section(history):
    comparison = compare_editions(*history)
    statuses = {c.key: c.statuses for c in comparison.changes()}
    assert statuses == {
        "salw-tracing": ["renumbered"],
        "salw-upstream": ["renumbered"],
        "salw-marking": ["changed", "renumbered"],
        "salw-legislation": ["removed"],
        "salw-disposal": ["added"],
    }
    assert comparison.unchanged == 0


def test_edition_list_shows_counts_and_links(client, history):
    html = client.get("/en/editions/").text
    assert "Since edition 1.0: 1 sections added, 1 changed, 1 removed." in html
    assert 'href="/en/editions/1.0/compare/1.1/"' in html
    assert "First edition: 4 sections." in html
    ru = client.get("/ru/editions/").text
    assert "Сравнить с изданием 1.0" in ru


def test_compare_page_lists_changes_and_shows_word_diffs(client, history):
    html = client.get("/en/editions/1.0/compare/1.1/").text
    assert "Changes from edition 1.0 to edition 1.1" in html
    assert 'href="#change-salw-marking"' in html and 'id="change-salw-legislation"' in html
    assert '<ins><span class="visually-hidden">[Inserted text: </span>' in html
    assert "[Deleted text: </span>English body of salw-marking." in html
    assert "Removed" in html and "Renumbered" in html


def test_compare_page_in_russian_diffs_the_russian_text(client, history):
    html = client.get("/ru/editions/1.0/compare/1.1/").text
    assert '<html lang="ru">' in html
    assert "маркирована" in html and "Вставленный текст:" in html


def test_side_by_side_shows_both_languages(client, history):
    html = client.get("/en/editions/1.0/compare/1.1/?languages=both").text
    assert '<div class="diff__language" lang="en">' in html
    assert '<div class="diff__language" lang="ru">' in html


def test_a_section_whose_other_language_alone_changed_says_so(client, published):
    services.section_update(section=Section.objects.get(key="salw-marking"), body_ru="Новое.")
    publish("1.1")
    html = client.get("/en/editions/1.0/compare/1.1/sections/salw-marking/").text
    assert "only the other language version did" in html


def test_one_sections_change_alone(client, history):
    response = client.get("/en/editions/1.0/compare/1.1/sections/salw-marking/")
    assert response.status_code == 200
    assert "Section B.2.1: changes from edition 1.0 to edition 1.1" in response.text
    assert 'href="/en/editions/1.0/modules/salw/salw-marking/"' in response.text


def test_an_unchanged_section_says_it_did_not_change(client, published):
    services.section_update(section=Section.objects.get(key="salw-marking"), body_en="New.")
    publish("1.1")
    response = client.get("/en/editions/1.0/compare/1.1/sections/salw-tracing/")
    assert response.status_code == 200
    assert "did not change between editions 1.0 and 1.1" in response.text


# --- Bad input -------------------------------------------------------------------------


def test_comparing_an_edition_with_itself_is_a_clear_400(client, history):
    response = client.get("/ru/editions/1.1/compare/1.1/")
    assert response.status_code == 400
    assert "Выберите два разных издания" in response.text


def test_reversed_order_is_normalised(client, history):
    response = client.get("/en/editions/1.1/compare/1.0/?languages=both")
    assert response.status_code == 302
    assert response.url == "/en/editions/1.0/compare/1.1/?languages=both"
    section = client.get("/en/editions/1.1/compare/1.0/sections/salw-marking/")
    assert section.url == "/en/editions/1.0/compare/1.1/sections/salw-marking/"


@pytest.mark.parametrize(
    "url",
    [
        "/en/editions/1.0/compare/9.9/",
        "/en/editions/9.9/compare/1.0/",
        "/en/editions/1.0/compare/1.x/",
        "/en/editions/01.0/compare/1.1/",
        "/en/editions/1.0/compare/1.1/sections/nope/",
        "/en/editions/1.0/compare/1.1/sections/%3Cscript%3E/",
    ],
)
def test_unknown_or_malformed_comparisons_are_404(client, history, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "older=1.0&newer=1.0",
        "older=1.0",
        "older=x&newer=1.1",
        "older=1.0&newer=" + "9" * 5000,
        "older=1.0&newer=1.1%27%20OR%201=1",
    ],
)
def test_the_picker_rejects_bad_choices_with_a_400(client, history, query):
    response = client.get(f"/en/editions/compare/?{query}")
    assert response.status_code == 400
    assert "compare-picker" in response.text


def test_the_picker_sends_to_the_comparison(client, history):
    response = client.get("/en/editions/compare/?older=1.1&newer=1.0")
    assert response.url == "/en/editions/1.0/compare/1.1/"


def test_unknown_query_parameters_are_ignored(client, history):
    assert client.get("/en/editions/1.0/compare/1.1/?languages=" + "x" * 3000).status_code == 200


# --- Timeline --------------------------------------------------------------------------


def test_section_timeline_lists_the_editions_where_it_changed(history):
    editions = list(Edition.objects.published())
    marking = [(e.edition_number, e.status) for e in section_timeline("salw-marking", editions)]
    assert marking == [("1.0", "added"), ("1.1", "changed")]
    removed = [(e.edition_number, e.status) for e in section_timeline("salw-legislation", editions)]
    assert removed == [("1.0", "added"), ("1.1", "removed")]


# --- Performance -----------------------------------------------------------------------


@pytest.fixture
def large_history(db):
    module = make_large_module("SALW", chapters=20, per_chapter=20)
    publish("1.0")
    for key in ("salw-ch1-s1", "salw-ch10-s5", "salw-ch20-s20"):
        services.section_update(section=Section.objects.get(key=key), body_en="Rewritten.")
    services.section_delete(section=Section.objects.get(key="salw-ch5-s5"))
    make_section(module, "salw-new")
    return publish("1.1")


def test_compare_runs_a_bounded_number_of_queries_and_is_cached(
    client, large_history, django_assert_max_num_queries
):
    # Editions, modules, the cached comparison's reads, and the feedback each change answers.
    with django_assert_max_num_queries(6):
        response = client.get("/en/editions/1.0/compare/1.1/")
    assert response.status_code == 200
    assert response.text.count('class="change"') >= 5
    with django_assert_max_num_queries(3):
        assert client.get("/en/editions/1.0/compare/1.1/").status_code == 200


def test_section_change_runs_a_bounded_number_of_queries(
    client, large_history, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = client.get("/ru/editions/1.0/compare/1.1/sections/salw-ch10-s5/?languages=both")
    assert response.status_code == 200
