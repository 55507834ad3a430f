"""The review kit's comment table: a workbook in the columns of ISO's commenting template,
with every paragraph of the edition (or module) named as readers' links number it, drop-down
lists for the paragraph and the type, and how to fill it in, in both languages. Read back with
openpyxl and converted by LibreOffice, as the people filling it in would open it."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from feedback.comment_table import paragraph_id
from modules import services as content
from modules.models import Section
from tests.conftest import publish
from tests.feedback.conftest import libreoffice_csv

pytestmark = pytest.mark.django_db

BODY_EN = (
    "Each firearm is marked at manufacture.\n\n"
    "| Part | Mark |\n|---|---|\n| Frame | Serial |\n\n"
    "Polymer frames carry a metal plate.[^1]\n\n"
    "[^1]: A footnote is not a paragraph."
)
BODY_RU = "Каждое оружие маркируется.\n\nПолимерные рамки несут пластину."


@pytest.fixture
def edition(draft):
    marking = Section.objects.get(key="salw-marking")
    content.section_update(section=marking, body_en=BODY_EN, body_ru=BODY_RU)
    return publish("1.0")


def workbook(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response, load_workbook(io.BytesIO(response.content))


def test_the_table_names_every_paragraph_as_readers_links_do(client, edition):
    response, book = workbook(client, "/en/feedback/editions/1.0/comment-table.xlsx")
    assert 'filename="TG-2370_ed1.0_en_comment-table.xlsx"' in response["Content-Disposition"]
    assert book.sheetnames == ["Comments", "Paragraphs", "How to fill it in"]
    header = [c.value for c in book["Comments"][1]]
    assert header == ["State or organisation", "Paragraph", "Type", "Comment",
                      "Proposed change", "Observations of the secretariat"]  # fmt: skip
    marking = Section.objects.get(key="salw-marking")
    rows = list(book["Paragraphs"].iter_rows(min_row=2, values_only=True))
    mine = [row for row in rows if row[3] == "salw-marking"]
    assert [row[0] for row in mine] == [
        paragraph_id(marking.number, 1),
        paragraph_id(marking.number, 2),
    ]
    assert mine[1][2].startswith("Polymer frames carry a metal plate.")  # no table, no footnote
    assert all(" ¶" in row[0] for row in rows)


def test_drop_down_lists_offer_the_paragraphs_and_the_types(client, edition):
    _response, book = workbook(client, "/ru/feedback/editions/1.0/comment-table.xlsx")
    sheet = book["Комментарии"]
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    paragraphs = validations["B2:B301"]
    count = book["Абзацы"].max_row
    assert paragraphs.type == "list" and paragraphs.formula1 == f"='Абзацы'!$A$2:$A${count}"
    kinds = validations["C2:C301"]
    assert kinds.formula1 == '"Общий,Технический,Редакционный"'
    assert sheet["B2"].number_format == "@"  # typed text stays text


def test_the_table_speaks_russian_and_says_how_to_fill_it_in(client, edition):
    _response, book = workbook(client, "/ru/feedback/editions/1.0/comment-table.xlsx")
    assert book.sheetnames == ["Комментарии", "Абзацы", "Как заполнить"]
    assert book["Комментарии"]["A1"].value == "Государство или организация"
    guide = "\n".join(str(c.value or "") for c in book["Как заполнить"]["A"])
    assert "Издание 1.0, весь текст." in guide and "¶" in guide
    rows = list(book["Абзацы"].iter_rows(min_row=2, values_only=True))
    assert "Каждое оружие маркируется." in [row[2] for row in rows]


def test_a_modules_table_lists_only_its_paragraphs(client, edition):
    response, book = workbook(client, "/en/feedback/editions/1.0/modules/salw/comment-table.xlsx")
    assert "_SALW_comment-table.xlsx" in response["Content-Disposition"]
    keys = {row[3] for row in book["Paragraphs"].iter_rows(min_row=2, values_only=True)}
    assert keys and all(key.startswith("salw-") for key in keys)


def test_unknown_editions_and_modules_are_404(client, edition):
    assert client.get("/en/feedback/editions/9.9/comment-table.xlsx").status_code == 404
    assert (
        client.get("/en/feedback/editions/1.0/modules/nope/comment-table.xlsx").status_code == 404
    )


def test_the_reading_pages_link_to_the_table(client, edition):
    html = client.get("/en/modules/salw/salw-marking/").content.decode()
    assert "/en/feedback/editions/1.0/modules/salw/comment-table.xlsx" in html
    assert "/en/feedback/editions/1.0/comment-table.xlsx" in html


def test_libreoffice_opens_the_table(client, edition, tmp_path: Path):
    response = client.get("/en/feedback/editions/1.0/comment-table.xlsx")
    source = tmp_path / "table.xlsx"
    source.write_bytes(response.content)
    rows = libreoffice_csv(source)
    assert rows[0][:3] == ["State or organisation", "Paragraph", "Type"]
