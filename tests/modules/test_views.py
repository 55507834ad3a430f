import pytest
from django.urls import reverse

from modules import services
from modules.models import Section
from tests.conftest import make_large_module, make_module, make_section, publish


def section_url(module="salw", key="salw-marking", lang="en", edition=None):
    prefix = f"/{lang}/editions/{edition}" if edition else f"/{lang}"
    return f"{prefix}/modules/{module}/{key}/"


# --- Success ---------------------------------------------------------------------------


def test_home_shows_the_current_edition_and_its_modules(client, published):
    response = client.get("/en/")
    assert response.status_code == 200
    assert "Current edition: <strong>1.0</strong>" in response.text
    assert 'href="/en/modules/salw/"' in response.text
    assert "Demonstration content" in response.text


def test_module_page_shows_summary_and_nested_table_of_contents(client, published):
    response = client.get("/en/modules/salw/")
    assert response.status_code == 200
    html = response.text
    assert "<strong>SALW</strong>" in html
    assert html.index("B.1.1") < html.index("B.1.2") < html.index("B.2")
    assert 'href="/en/modules/salw/salw-legislation/"' in html


def test_section_page_has_number_title_body_breadcrumbs_children_and_neighbours(client, published):
    html = client.get(section_url(key="salw-upstream")).text
    assert '<span class="section__number">B.1</span>' in html
    assert "Upstream measures" in html
    assert "English body of salw-upstream." in html
    assert 'aria-label="Breadcrumbs"' in html
    assert "In this section" in html and "/en/modules/salw/salw-marking/" in html
    assert 'rel="next" ' not in html  # attribute order: href first
    assert 'href="/en/modules/salw/salw-legislation/" rel="next"' in html


def test_first_and_last_sections_have_one_neighbour(client, published):
    first = client.get(section_url(key="salw-upstream")).text
    last = client.get(section_url(key="salw-tracing")).text
    assert 'rel="prev"' not in first and 'rel="next"' in first
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_russian_pages_show_the_russian_text(client, published):
    html = client.get(section_url(lang="ru")).text
    assert '<html lang="ru">' in html
    assert "Заголовок salw-marking" in html and "Русский текст раздела" in html


def test_russian_falls_back_to_english_and_says_so(client, draft):
    make_section(
        draft, "salw-new", title_ru="", body_ru="", title_en="Fresh", body_en="Only English."
    )
    publish("1.0")
    html = client.get(section_url(key="salw-new", lang="ru")).text
    assert "Only English." in html
    assert 'class="prose" lang="en"' in html
    assert "notice--translation" in html
    translated = client.get(section_url(lang="ru")).text
    assert "notice--translation" not in translated


def test_language_switch_keeps_the_reader_on_the_same_page(client, published):
    html = client.get(section_url(edition="1.0")).text
    assert 'href="/ru/editions/1.0/modules/salw/salw-marking/" hreflang="ru"' in html


def test_head_has_canonical_and_hreflang_links(client, published):
    html = client.get(section_url()).text
    assert (
        '<link rel="canonical" href="https://guidelines.test/en/modules/salw/salw-marking/">'
        in html
    )
    assert 'hreflang="ru" href="https://guidelines.test/ru/modules/salw/salw-marking/"' in html
    assert (
        'hreflang="x-default" href="https://guidelines.test/en/modules/salw/salw-marking/"' in html
    )


# --- Editions --------------------------------------------------------------------------


@pytest.fixture
def two_editions(published):
    marking = Section.objects.get(key="salw-marking")
    services.section_update(
        section=marking, title_en="Marking and records", body_en="Revised text."
    )
    services.section_delete(section=Section.objects.get(key="salw-legislation"))
    return published, publish("1.1")


def test_current_pages_show_the_latest_edition(client, two_editions):
    html = client.get(section_url()).text
    assert "Revised text." in html and "B.1.1" in html
    assert "not the current edition" not in html


def test_old_edition_pages_show_the_old_text_with_a_banner(client, two_editions):
    html = client.get(section_url(edition="1.0")).text
    assert "English body of salw-marking." in html and "Revised text." not in html
    assert "B.1.2" in html
    assert "It is not the current edition." in html
    assert 'href="/en/editions/1.0/modules/salw/salw-tracing/"' in html  # links stay in 1.0


def test_a_section_removed_later_is_still_readable_in_its_edition(client, two_editions):
    assert client.get(section_url(key="salw-legislation", edition="1.0")).status_code == 200


def test_a_removed_section_says_when_it_was_removed(client, two_editions):
    response = client.get(section_url(key="salw-legislation"))
    assert response.status_code == 410
    assert "It was removed in edition 1.1" in response.text
    assert 'href="/en/editions/1.0/modules/salw/salw-legislation/"' in response.text
    assert 'href="/en/editions/1.0/compare/1.1/sections/salw-legislation/"' in response.text


def test_a_removed_section_points_to_its_replacement_when_an_editor_said_so(client, published):
    from modules.models import SectionReplacement

    services.section_delete(section=Section.objects.get(key="salw-legislation"))
    SectionReplacement.objects.create(
        removed_key="salw-legislation",
        replaced_by=Section.objects.get(key="salw-marking"),
        note_en="Merged into marking.",
        note_ru="Объединено с разделом о маркировке.",
    )
    publish("1.1")
    html = client.get(section_url(key="salw-legislation", lang="ru")).text
    assert 'href="/ru/modules/salw/salw-marking/"' in html
    assert "Объединено с разделом о маркировке." in html


def test_edition_pages_for_the_current_edition_say_it_is_current(client, two_editions):
    html = client.get("/en/editions/1.1/").text
    assert "the current edition" in html and "It is not the current edition" not in html
    assert "Changes in 1.1." in html


def test_edition_list_shows_every_edition_newest_first(client, two_editions):
    html = client.get(reverse("modules:edition_list")).text
    assert html.index("Edition 1.1") < html.index("Edition 1.0")
    assert "Изменения" not in html and "Changes in 1.0." in html
    ru = client.get("/ru/editions/").text
    assert "Изменения в издании 1.0." in ru


# --- Bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/en/modules/nope/",
        "/en/modules/salw/nope/",
        "/en/editions/9.9/",
        "/en/editions/9.9/modules/salw/",
        "/en/editions/01.0/",
        "/en/editions/1.0.0/",
        "/en/editions/abc/",
        "/en/modules/salw/salw-marking/extra/",
        "/en/modules/salw/%3Cscript%3E/",
        "/xx/modules/salw/",
        "/en/modules/" + "a" * 5000 + "/",
    ],
)
def test_unknown_pages_are_404_never_500(client, published, url):
    assert client.get(url).status_code == 404


def test_a_section_under_the_wrong_module_redirects_to_its_module(client, published):
    make_section(make_module("IED", prefix="C."), "ied-scope")
    publish("1.1")
    response = client.get(section_url(module="ied", key="salw-marking", edition="1.1"))
    assert response.status_code == 301
    assert response.url == "/en/editions/1.1/modules/salw/salw-marking/"
    assert client.get(section_url(module="ied", key="salw-nope")).status_code == 404


def test_404_page_speaks_the_readers_language(client, published, settings):
    settings.DEBUG = False
    response = client.get("/ru/modules/nope/")
    assert response.status_code == 404
    assert '<html lang="ru">' in response.text
    assert "Страница не найдена" in response.text


def test_no_edition_yet_gives_a_404_not_a_500(client, draft):
    assert client.get("/en/").status_code == 404
    assert client.get("/en/editions/").status_code == 200


def test_readers_never_see_the_working_draft(client, published):
    services.section_update(section=Section.objects.get(key="salw-marking"), body_en="Draft only.")
    make_section(Section.objects.get(key="salw-tracing").module, "salw-unpublished")
    assert "Draft only." not in client.get(section_url()).text
    assert client.get(section_url(key="salw-unpublished")).status_code == 404


# --- Performance -----------------------------------------------------------------------


@pytest.fixture
def large_edition(db):
    make_large_module("SALW", chapters=20, per_chapter=20)  # 420 sections
    return publish("1.0")


@pytest.mark.parametrize(
    "url",
    [
        "/en/",
        "/ru/modules/salw/",
        "/en/modules/salw/salw-ch10-s10/",
        "/ru/editions/1.0/modules/salw/salw-ch20-s20/",
        "/en/editions/1.0/",
        "/en/editions/",
    ],
)
def test_pages_run_a_fixed_number_of_queries_on_a_large_document(
    client, large_edition, django_assert_max_num_queries, url
):
    # Section pages read the edition's glossary once (then kept: modules.glossary).
    with django_assert_max_num_queries(7 if "-s" in url else 6):
        response = client.get(url)
    assert response.status_code == 200


def test_query_count_does_not_grow_with_the_document(client, db, django_assert_num_queries):
    make_large_module("SALW", chapters=2, per_chapter=2)
    publish("1.0")
    url = "/en/modules/salw/salw-ch1-s1/"
    # With the edition's consultation rounds and its glossary.
    with django_assert_num_queries(7) as small:
        client.get(url)
    make_large_module("IED", chapters=30, per_chapter=10)
    publish("1.1")
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)
