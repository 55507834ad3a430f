"""XLIFF round trips through real translation tools (translate-toolkit): the Russian Markdown
comes back exactly as a careful editor would have typed it, or the import says why not."""

import io
import re

import pytest
from translate.convert import po2xliff, xliff2po
from translate.storage import po
from translate.storage.xliff import xlifffile

from modules import services
from modules.models import Section
from tests.modules.test_translation import export, upload

EN = """## Marking at manufacture

States should **mark** every weapon[^1] as set out in [the ITI](https://example.org/iti).
They keep the records.

- Marking at manufacture
    - the country of manufacture
    - the serial number
- Marking on import

| Measure | Responsible |
|---------|-------------|
| Marking | Manufacturer |
| Records | State |

[^1]: International Tracing Instrument, paragraph 8."""

RU = """## Маркировка при изготовлении

Государствам следует **маркировать** каждую единицу оружия[^1], как указано в [МДО](https://example.org/iti).
Они ведут учёт.

- Маркировка при изготовлении
    - страна изготовления
    - серийный номер
- Маркировка при ввозе

| Мера | Ответственный |
|------|---------------|
| Маркировка | Изготовитель |
| Учёт | Государство |

[^1]: Международный документ по отслеживанию, пункт 8."""

# What a careful editor would have typed into the Russian body for the edits below.
EDITED = (
    RU.replace("## Маркировка при изготовлении", "## Маркировка на заводе")
    .replace("    - серийный номер", "    - заводской серийный номер")
    .replace("| Учёт | Государство |", "| Учёт | Государство флага |")
    .replace(
        "как указано в [МДО](https://example.org/iti).\nОни ведут учёт.",
        "как указано в [Международном документе](https://example.org/iti).\nОни ведут учёт.",
    )
    .replace("пункт 8.", "пункт 8 (а).")
)
EDITS = {
    "Маркировка при изготовлении": "Маркировка на заводе",  # the heading (the first one)
    "серийный номер": "заводской серийный номер",
    "Государство": "Государство флага",
    "Государствам следует **маркировать** каждую единицу оружия[^1], как указано в "
    "[МДО](https://example.org/iti).\nОни ведут учёт.": "Государствам следует **маркировать** "
    "каждую единицу оружия[^1], как указано в [Международном документе]"
    "(https://example.org/iti).\nОни ведут учёт.",
    "Международный документ по отслеживанию, пункт 8.": "Международный документ по "
    "отслеживанию, пункт 8 (а).",
}


@pytest.fixture
def structured(published):
    """B.1.2 with a heading, a two-line paragraph (bold, link, footnote reference), a nested
    list, a table and a footnote, in English and an up-to-date Russian; B.2 outdated; B.1
    without Russian text."""
    marking = Section.objects.get(key="salw-marking")
    # The English ends with a newline and the Russian table is padded differently: neither
    # stops the blocks pairing, and the Russian keeps its own padding.
    services.section_update(section=marking, body_en=EN + "\n", body_ru=RU)
    services.section_update(
        section=Section.objects.get(key="salw-tracing"), body_en="Tracing follows marking."
    )
    services.section_update(
        section=Section.objects.get(key="salw-upstream"), title_ru="", body_ru=""
    )
    return marking


def units(store, key: str, field: str = "body"):
    prefix = f"salw\x04{key}/{field}"
    return [u for u in store.units if u.getid().startswith(prefix)]


def edit_first(store, key: str, old: str, new: str) -> None:
    unit = next(u for u in units(store, key) if u.target == old)
    unit.target = new


def test_units_are_the_translatable_blocks_and_tools_read_their_states(client, editor, structured):
    client.force_login(editor)
    content = export(client)
    store = xlifffile.parsestring(content)
    body = units(store, "salw-marking")
    kinds = [u.getid().rpartition("/")[2].split("-")[0] for u in body]
    assert kinds == ["heading", "paragraph"] + ["item"] * 4 + ["cell"] * 6 + ["footnote"]
    assert [u.source for u in body][2:4] == ["Marking at manufacture", "the country of manufacture"]
    assert body[1].source.endswith("[the ITI](https://example.org/iti).\nThey keep the records.")
    # Markdown block markup stays out of the units.
    assert not any(re.match(r"\s*(- |\||\[\^1\]:|#)", u.source) for u in body)
    assert content.count(b'xml:space="preserve"') == len(store.units)
    # Up to date: translated, approved, not fuzzy.
    assert all(u.istranslated() and u.isapproved() and not u.isfuzzy() for u in body)
    # Possibly outdated: the old Russian as a fuzzy target, for review.
    tracing = units(store, "salw-tracing")
    assert [u.isfuzzy() for u in tracing] == [True]
    assert b'state="needs-review-translation"' in content
    # Missing: no target.
    assert [u.istranslated() for u in units(store, "salw-upstream", "")] == [False, False]


def test_after_an_english_edit_only_the_changed_blocks_are_for_review(client, editor, structured):
    client.force_login(editor)
    services.section_update(section=structured, body_en=EN.replace("| Records |", "| Registers |"))
    store = xlifffile.parsestring(export(client))
    fuzzy = [u.source for u in store.units if u.isfuzzy()]
    assert fuzzy == ["Registers", "Tracing follows marking."]
    assert units(store, "salw-tracing", "title")[0].isapproved()
    changed = next(u for u in store.units if u.source == "Registers")
    assert changed.target == "Учёт" and not changed.isapproved()


def test_ids_survive_a_re_export_and_an_english_edit_elsewhere(client, editor, structured):
    client.force_login(editor)
    before = [u.getid() for u in xlifffile.parsestring(export(client)).units]
    assert before == [u.getid() for u in xlifffile.parsestring(export(client)).units]
    services.section_update(section=structured, body_en=EN.replace("Records", "Registers"))
    after = [u.getid() for u in xlifffile.parsestring(export(client)).units]
    assert len(set(before) - set(after)) == 1


def test_round_trip_through_translate_toolkit_keeps_the_markdown(client, translator, structured):
    client.force_login(translator)
    store = xlifffile.parsestring(export(client))
    for old, new in EDITS.items():
        edit_first(store, "salw-marking", old, new)
    units(store, "salw-upstream", "title")[0].target = "Меры на начальном этапе"
    units(store, "salw-upstream")[0].target = "Русский текст главы."
    response = upload(client, bytes(store))
    assert response.status_code == 200
    report = response.context["report"]
    assert report.skipped == []
    assert sorted(report.updated) == [("B.1", "body"), ("B.1", "title"), ("B.1.2", "body")]
    assert ("B.2", "body") in report.unchanged
    structured.refresh_from_db()
    assert structured.body_ru == EDITED
    assert structured.body_en == EN + "\n"
    assert Section.objects.get(key="salw-upstream").title_ru == "Меры на начальном этапе"
    # The rendered Russian keeps its list, table and footnote.
    html = structured.body_html_ru
    assert html.count("<li") == 5 and "<table>" in html and 'class="footnote"' in html


def test_the_po_route_comes_back_in(client, translator, structured):
    client.force_login(translator)
    template = export(client)
    catalogue = io.BytesIO()
    xliff2po.convertxliff(io.BytesIO(template), catalogue, None)
    pofile = po.pofile(catalogue.getvalue())
    edited = xlifffile.parsestring(template)
    for old, new in EDITS.items():
        edit_first(edited, "salw-marking", old, new)
    wanted = {u.getid().partition("\x04")[2]: u.target for u in edited.units}
    for unit in pofile.units:
        [location] = unit.getlocations() or [""]
        if location.startswith("salw-marking/body/"):
            unit.target = wanted[location]
        elif location.startswith("salw-tracing/body/"):
            unit.target = "Отслеживание следует за маркировкой."
            unit.markfuzzy(False)
    back = io.BytesIO()
    po2xliff.convertpo(io.BytesIO(bytes(pofile)), back, io.BytesIO(template))
    response = upload(client, back.getvalue())
    assert response.status_code == 200, response.text
    report = response.context["report"]
    assert report.skipped == [
        ("B.1", "title", "the file has no Russian text for it"),
        ("B.1", "body", "the file has no Russian text for it"),
    ]
    assert sorted(report.updated) == [("B.1.2", "body"), ("B.2", "body")]
    structured.refresh_from_db()
    assert structured.body_ru == EDITED
    assert Section.objects.get(key="salw-tracing").body_ru == "Отслеживание следует за маркировкой."


def test_segments_marked_by_a_cat_tool_are_joined(client, translator, structured):
    client.force_login(translator)
    content = export(client).decode()
    source = "Tracing follows marking."
    content = content.replace(
        f'<source xml:lang="en">{source}</source>'
        '<target xml:lang="ru" state="needs-review-translation">'
        "Русский текст раздела salw-tracing.</target>",
        f'<source xml:lang="en">{source}</source>'
        f'<seg-source><mrk mtype="seg" mid="1">{source}</mrk></seg-source>'
        '<target xml:lang="ru" state="translated"><mrk mtype="seg" mid="1">Отслеживание</mrk> '
        '<mrk mtype="seg" mid="2">следует за маркировкой.</mrk></target>',
    )
    assert "seg-source" in content
    report = upload(client, content.encode()).context["report"]
    assert report.updated == [("B.2", "body")]
    assert Section.objects.get(key="salw-tracing").body_ru == "Отслеживание следует за маркировкой."


def test_a_target_with_inline_codes_is_refused_not_flattened(client, translator, structured):
    client.force_login(translator)
    content = (
        export(client)
        .decode()
        .replace(
            ">Русский текст раздела salw-tracing.</target>",
            '>Отслеживание <x id="1"/>следует.</target>',
        )
    )
    report = upload(client, content.encode()).context["report"]
    assert report.updated == []
    [(number, field, reason)] = [s for s in report.skipped if s[0] == "B.2"]
    assert (number, field) == ("B.2", "body") and "inline codes (<x>)" in reason
    assert Section.objects.get(key="salw-tracing").body_ru == "Русский текст раздела salw-tracing."


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("серийный номер", "серийный номер\n- номер партии", "Markdown block markup"),
        ("Государство", "Государство | флаг", "would split the table cell"),
        ("Учёт", "Учёт\nи хранение", "line break would end the heading or table cell"),
        ("Международный документ по отслеживанию, пункт 8.", "", "no Russian text"),
    ],
)
def test_a_target_that_would_break_the_structure_is_refused_unit_by_unit(
    client, translator, structured, old, new, message
):
    client.force_login(translator)
    store = xlifffile.parsestring(export(client))
    edit_first(store, "salw-marking", old, new)
    edit_first(store, "salw-marking", "страна изготовления", "страна-изготовитель")
    response = upload(client, bytes(store))
    report = response.context["report"]
    assert report.updated == []
    [(number, field, reason)] = [s for s in report.skipped if s[0] == "B.1.2"]
    assert (number, field) == ("B.1.2", "body")
    assert reason.startswith("unit “salw-marking/body/") and message in reason
    assert message in response.text
    structured.refresh_from_db()
    assert structured.body_ru == RU


def test_a_lost_footnote_reference_or_link_is_refused(client, translator, structured):
    client.force_login(translator)
    store = xlifffile.parsestring(export(client))
    paragraph = units(store, "salw-marking")[1]
    paragraph.target = "Государствам следует маркировать оружие, как указано в МДО."
    report = upload(client, bytes(store)).context["report"]
    [(_number, _field, reason)] = [s for s in report.skipped if s[0] == "B.1.2"]
    assert "footnote references differ from the English (English: [^1]; Russian: —)" in reason
    paragraph.target = "Государствам следует маркировать оружие[^1], как указано в МДО."
    report = upload(client, bytes(store)).context["report"]
    assert (
        "number of links differs from the English (English: 1; Russian: 0)"
        in (report.skipped[-1][2])
    )
    structured.refresh_from_db()
    assert structured.body_ru == RU


def test_sources_re_normalised_by_a_tool_are_not_a_false_english_change(
    client, translator, structured
):
    client.force_login(translator)
    content = export(client).decode()
    content = content.replace(
        "[the ITI](https://example.org/iti).\nThey keep the records.",
        "[the ITI](https://example.org/iti).\n      They   keep the records. ",
    ).replace(
        '<source xml:lang="en">Records</source>', '<source xml:lang="en">\n  Records\n</source>'
    )
    content = content.replace(">Учёт</target>", ">Учёт оружия</target>")
    report = upload(client, content.encode()).context["report"]
    assert [s for s in report.skipped if s[0] != "B.1"] == []
    assert report.updated == [("B.1.2", "body")]
    structured.refresh_from_db()
    assert structured.body_ru == RU.replace("| Учёт |", "| Учёт оружия |")


def test_units_whose_english_changed_are_refused_one_by_one(client, translator, structured):
    client.force_login(translator)
    store = xlifffile.parsestring(export(client))
    edit_first(store, "salw-marking", "Государство", "Государство флага")
    services.section_update(section=structured, body_en=EN.replace("| State |", "| Flag State |"))
    report = upload(client, bytes(store)).context["report"]
    reasons = [r for n, f, r in report.skipped if n == "B.1.2"]
    assert len(reasons) == 2
    assert all("the English text changed since the export" in r for r in reasons)
    assert "missing from the file" in reasons[1]
    structured.refresh_from_db()
    assert structured.body_ru == RU


def test_a_russian_body_built_differently_is_one_unit_whose_line_breaks_must_survive(
    client, translator, structured
):
    client.force_login(translator)
    different = RU.replace("- Маркировка при ввозе\n", "")  # one list item fewer
    services.section_update(section=structured, body_ru=different)
    store = xlifffile.parsestring(export(client))
    [whole] = units(store, "salw-marking")
    assert whole.getid().endswith("salw-marking/body") and whole.target == different
    assert "whole body is one unit" in whole.getnotes()
    whole.target = " ".join(RU.split())  # a tool collapsed the line breaks
    report = upload(client, bytes(store)).context["report"]
    [(_number, _field, reason)] = [s for s in report.skipped if s[0] == "B.1.2"]
    assert "line breaks of the text were lost" in reason
    structured.refresh_from_db()
    assert structured.body_ru == different
    whole.target = RU
    report = upload(client, bytes(store)).context["report"]
    assert ("B.1.2", "body") in report.updated
    structured.refresh_from_db()
    assert structured.body_ru == RU


def test_a_file_exported_before_the_blocks_is_refused(client, translator, structured):
    client.force_login(translator)
    response = upload(client, export(client).replace(b' build-num="2"', b""))
    assert response.status_code == 400
    assert "exported by an earlier version of the portal" in response.text


def test_a_source_copied_into_an_untranslated_target_is_refused(client, translator, structured):
    """CAT tools pre-fill targets with the source and mark them state="new": English must not
    come in as the Russian text."""
    client.force_login(translator)
    english = "Tracing follows marking."
    content, count = re.subn(
        r'(<source xml:lang="en">' + re.escape(english) + r"</source>)<target [^>]*>[^<]*</target>",
        rf'\1<target xml:lang="ru" state="new">{english}</target>',
        export(client).decode(),
    )
    assert count == 1
    report = upload(client, content.encode()).context["report"]
    [(_number, field, reason)] = [s for s in report.skipped if s[0] == "B.2"]
    assert field == "body" and "copy of the English source" in reason and "“new”" in reason
    assert Section.objects.get(key="salw-tracing").body_ru == "Русский текст раздела salw-tracing."
