"""Glossary terms recognised in the text, in both languages and their word forms, and marked
with their definition and a link to the glossary's row."""

import datetime
import re

import pytest
from django.core.cache import caches

from modules import glossary, services
from modules.markdown import render_markdown
from modules.models import EditionSection, Section
from tests.conftest import (
    admin_change_url,
    make_module,
    make_section,
    publish,
    section_admin_form,
)

TABLE_EN = """
| Term | Definition |
|---|---|
| Firearm | A portable barrelled weapon.[^1] |
| Improvised explosive device (IED) | A device made outside production, often < 5 kg. |
| Marking | Putting a unique mark on a weapon. |
| Light weapon | A weapon for a crew of two or three. |

[^1]: As in the Firearms Protocol.
"""
TABLE_RU = """
| Термин | Определение |
|---|---|
| Маркировка | Нанесение уникальной маркировки на оружие. |
| Огнестрельное оружие | Переносное ствольное оружие. |
| Самодельное взрывное устройство (СВУ) | Устройство, изготовленное вне промышленного производства. |
"""


def terms(lang: str) -> glossary.Glossary:
    table = TABLE_EN if lang == "en" else TABLE_RU
    return glossary.Glossary(lang, glossary.parse_terms(render_markdown(table), lang), frozenset())


def marked(html: str, lang: str = "en", **kwargs) -> list[str]:
    out = glossary.mark(html, terms(lang), link=lambda t: f"/g/#{t.anchor}", **kwargs)
    return re.findall(r'<a class="term__word" href="/g/#([^"]+)"[^>]*>([^<]+)</a>', out)


def test_terms_are_read_from_the_tables_without_headers_or_footnote_marks():
    found = terms("en").terms
    assert [t.name for t in found] == ["Firearm", "Improvised explosive device", "Marking",
                                       "Light weapon"]  # fmt: skip
    assert found[0].definition == "A portable barrelled weapon."
    assert found[1].abbreviation == "IED" and found[1].label == "Improvised explosive device (IED)"
    assert found[1].definition == "A device made outside production, often < 5 kg."


def test_russian_word_forms_are_recognised():
    html = "<p>Для маркировки огнестрельного оружия и СВУ.</p>"
    assert marked(html, "ru") == [
        ("term-маркировка", "маркировки"),
        ("term-огнестрельное-оружие", "огнестрельного оружия"),
        ("term-самодельное-взрывное-устройство", "СВУ"),
    ]


def test_english_word_forms_and_abbreviations():
    html = "<p>Firearms, light weapons and improvised explosive devices (IEDs are not IED).</p>"
    assert marked(html) == [
        ("term-firearm", "Firearms"),
        ("term-light-weapon", "light weapons"),
        ("term-improvised-explosive-device", "improvised explosive devices"),
    ]


def test_only_the_first_occurrence_in_running_text_is_marked():
    html = (
        "<h2>Marking</h2><p><a href='/x'>marking</a> <code>marking</code> marks "
        "and marking again.</p><table><thead><tr><th>Marking</th></tr></thead></table>"
    )
    assert marked(html) == [("term-marking", "marks")]


def test_words_of_a_term_must_be_adjacent():
    assert marked("<p>A light, weapon-free zone.</p>") == []
    assert marked("<p>Light <em>weapon</em>.</p>") == []


def test_editors_can_switch_a_term_off():
    found = terms("en")
    off = glossary.switched_off(found, "marking\nIED\n")
    assert {t.name for t in off} == {"Marking", "Improvised explosive device"}
    assert marked("<p>Marking an IED firearm.</p>", off=off) == [("term-firearm", "firearm")]


def test_a_definition_is_escaped_and_described_for_screen_readers():
    out = glossary.mark("<p>An IED.</p>", terms("en"), link=lambda t: "/g/#x")
    assert 'aria-describedby="tip-term-improvised-explosive-device"' in out
    assert 'role="tooltip" id="tip-term-improvised-explosive-device"' in out
    assert "often &lt; 5 kg" in out


def test_glossary_rows_get_the_anchors_marks_link_to():
    out = glossary.anchor_rows(render_markdown(TABLE_RU), "ru")
    assert '<tr id="term-маркировка">' in out
    assert '<tr id="term-самодельное-взрывное-устройство">' in out


@pytest.fixture
def with_glossary(db):
    salw = make_module("SALW")
    make_section(salw, "salw-marking", title_en="Marking", title_ru="Маркировка",
                 body_en="Marking of every firearm.\n\nMarking again.",
                 body_ru="Маркировка каждой единицы огнестрельного оружия.")  # fmt: skip
    make_section(salw, "salw-tracing", title_en="Tracing", body_en="Trace the firearm.",
                 body_ru="Отследить.")  # fmt: skip
    annexes = make_module("ANNEXES", order=9, prefix="Annex ")
    root = make_section(annexes, "annex-glossary", title_en="Glossary", title_ru="Глоссарий",
                        body_en="Terms.", body_ru="Термины.")  # fmt: skip
    make_section(annexes, "annex-glossary-terms", parent=root, title_en="Terms",
                 title_ru="Термины", body_en=TABLE_EN, body_ru=TABLE_RU)  # fmt: skip
    caches["published"].clear()
    return publish("1.0", on=datetime.date(2024, 1, 1))


def test_the_section_page_marks_terms_and_links_to_the_glossary(client, with_glossary):
    page = client.get("/en/modules/salw/salw-marking/").content.decode()
    assert 'href="/en/modules/annexes/annex-glossary-terms/#term-marking"' in page
    assert 'href="/en/modules/annexes/annex-glossary-terms/#term-firearm"' in page
    assert "<strong>Firearm</strong>: A portable barrelled weapon." in page
    russian = client.get("/ru/modules/salw/salw-marking/").content.decode()
    assert 'href="/ru/modules/annexes/annex-glossary-terms/#term-маркировка"' in russian
    assert ">огнестрельного оружия</a>" in russian
    annex = client.get("/en/modules/annexes/annex-glossary-terms/").content.decode()
    assert '<tr id="term-firearm">' in annex and 'class="term"' not in annex


def test_an_old_edition_links_to_its_own_glossary(client, with_glossary):
    services.section_update(section=Section.objects.get(key="salw-tracing"), body_en="Trace it.")
    publish("1.1", on=datetime.date(2024, 6, 1))
    page = client.get("/en/editions/1.0/modules/salw/salw-tracing/").content.decode()
    assert 'href="/en/editions/1.0/modules/annexes/annex-glossary-terms/#term-firearm"' in page


def test_a_term_switched_off_by_the_editors_is_published_with_the_section(client, with_glossary):
    section = Section.objects.get(key="salw-marking")
    Section.objects.filter(pk=section.pk).update(glossary_off="Firearm\nОгнестрельное оружие")
    services.section_update(
        section=Section.objects.get(pk=section.pk), body_en="Marking every firearm."
    )
    publish("1.1", on=datetime.date(2024, 6, 1))
    assert EditionSection.objects.get(edition__number="1.1", key="salw-marking").glossary_off
    page = client.get("/en/modules/salw/salw-marking/").content.decode()
    assert "#term-firearm" not in page and "#term-marking" in page
    russian = client.get("/ru/modules/salw/salw-marking/").content.decode()
    assert "#term-огнестрельное-оружие" not in russian


def test_the_glossary_is_read_once_per_edition_and_language(client, with_glossary):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def glossary_queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return sum("annex-glossary" in q["sql"] for q in captured.captured_queries)

    assert glossary_queries("/en/modules/salw/salw-tracing/") == 1
    assert glossary_queries("/en/modules/salw/salw-marking/") == 0
    assert glossary_queries("/ru/modules/salw/salw-marking/") == 1


def test_editors_switch_terms_off_in_the_back_office_by_their_glossary_names(
    editor_client, with_glossary
):
    section = Section.objects.get(key="salw-marking")
    url = admin_change_url(section)
    refused = editor_client.post(url, section_admin_form(section, glossary_off="Firearm\nFirarm"))
    assert refused.status_code == 200
    assert "Not a term of the glossary annex: Firarm." in refused.content.decode()
    assert Section.objects.get(pk=section.pk).glossary_off == ""
    saved = editor_client.post(
        url, section_admin_form(section, glossary_off="  firearm \r\nСВУ\r\nfirearm\r\n")
    )
    assert saved.status_code == 302
    assert Section.objects.get(pk=section.pk).glossary_off == "firearm\nСВУ"
