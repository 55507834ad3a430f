"""Citations, paragraph anchors, feeds and translation freshness on the reading pages.

The feeds are tested in full in test_feeds.py."""

import datetime
import xml.etree.ElementTree as ET

from modules import services
from modules.models import EditionSection, Section
from modules.templatetags.reading import reading_body
from tests.conftest import publish

ATOM = "{http://www.w3.org/2005/Atom}"


def test_citation_names_module_section_edition_and_stable_url(client, published):
    html = client.get("/en/modules/salw/salw-marking/").text
    assert (
        'section B.1.2 “Marking”, edition 1.0 (<time datetime="2022-03-18">18 March 2022</time>)'
        in html
    )
    assert "https://guidelines.test/en/editions/1.0/modules/salw/salw-marking/" in html
    ru = client.get("/ru/modules/salw/salw-marking/").text
    assert (
        "раздел B.1.2 «Заголовок salw-marking», издание 1.0 "
        '(<time datetime="2022-03-18">18 марта 2022 г.</time>)' in ru
    )


def test_paragraphs_get_anchors_but_footnotes_do_not():
    html = reading_body(
        '<p>One</p><p>Two</p><div class="footnote"><ol><li><p>Note</p></li></ol></div>'
    )
    assert '<p id="p1" class="para">' in html and '<p id="p2" class="para">' in html
    assert 'href="#p2"' in html
    assert "<li><p>Note</p></li>" in html


def test_section_pages_carry_paragraph_links(client, published):
    assert 'aria-label="Link to paragraph 1"' in client.get("/en/modules/salw/salw-marking/").text


def test_timeline_on_the_section_page_links_to_the_change(client, published):
    services.section_update(section=Section.objects.get(key="salw-marking"), body_en="New.")
    publish("1.1")
    html = client.get("/en/modules/salw/salw-marking/").text
    assert "History of this section" in html
    assert 'href="/en/editions/1.0/compare/1.1/sections/salw-marking/"' in html
    old = client.get("/en/editions/1.0/modules/salw/salw-marking/").text
    assert 'href="/en/editions/1.1/modules/salw/salw-marking/"' in old


def test_editions_feed_is_valid_atom_in_the_readers_language(client, published):
    response = client.get("/ru/editions/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Издание 1.0"]
    assert entries[0].find(f"{ATOM}link").get("href") == "https://guidelines.test/ru/editions/1.0/"


def test_text_change_dates_are_recorded_per_language(published):
    marking = Section.objects.get(key="salw-marking")
    before_ru = marking.ru_changed_at
    services.section_update(section=marking, body_en="English moved on.")
    marking.refresh_from_db()
    assert marking.ru_changed_at == before_ru
    assert marking.en_changed_at > marking.ru_changed_at
    assert marking.russian_outdated


def test_an_outdated_russian_translation_is_flagged_to_readers(client, published):
    services.section_update(
        section=Section.objects.get(key="salw-marking"), body_en="English moved on."
    )
    publish("1.1", on=datetime.date(2024, 6, 1))
    assert EditionSection.objects.get(edition__number="1.1", key="salw-marking").ru_outdated
    html = client.get("/ru/modules/salw/salw-marking/").text
    assert "перевод может быть устаревшим" in html
    assert 'href="/en/modules/salw/salw-marking/"' in html
    assert (
        "перевод может быть устаревшим"
        not in client.get("/ru/editions/1.0/modules/salw/salw-marking/").text
    )


def test_updating_the_russian_text_clears_the_flag(published):
    marking = Section.objects.get(key="salw-marking")
    services.section_update(section=marking, body_en="English moved on.")
    services.section_update(section=marking, body_ru="Русский текст догнал.")
    marking.refresh_from_db()
    assert not marking.russian_outdated


def test_publish_form_warns_about_outdated_russian(editor_client, published):
    services.section_update(
        section=Section.objects.get(key="salw-marking"), body_en="English moved on."
    )
    html = editor_client.get("/admin/modules/edition/add/").text
    assert "1 section has a Russian text older than its latest English change" in html


def test_tables_get_a_focusable_labelled_scroll_region():
    html = reading_body("<p>x</p><table><tr><td>1</td></tr></table>")
    assert '<div class="table-scroll" role="region" tabindex="0" aria-label="Table"><table>' in html
