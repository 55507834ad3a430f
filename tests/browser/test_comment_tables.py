"""A workshop's comment table in Chromium: the rapporteur fills in the kit's workbook, the
editor uploads it, sees the preview with one row in error, corrects the file, uploads it again,
confirms (with the double click people give a button), and finds the comments on the triage
desk beside the paragraphs they are about, in English and in Russian."""

import datetime
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook

from accounts.roles import ensure_editors_group
from feedback.models import Feedback, Workshop
from modules.models import Edition
from tests.browser.helpers import sign_in
from tests.conftest import make_module, make_section, publish

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long editor password 42"
WORDS = {
    "en": {
        "upload": "Upload a filled comment table",
        "read": "Read the table",
        "wrong": "There is no paragraph “B.1.3 ¶2” in edition 1.0. Did you mean “B.1.2 ¶2”?",
        "corrected": "Upload the corrected file",
        "ready": "2 will be recorded",
        "record": "Record the comments",
        "recorded": "2 comments.",
        "desk": "Open them on the triage desk",
    },
    "ru": {
        "upload": "Загрузить заполненную таблицу комментариев",
        "read": "Прочитать таблицу",
        "wrong": "В издании 1.0 нет абзаца «B.1.3 ¶2». Возможно, имелся в виду «B.1.2 ¶2»?",
        "corrected": "Загрузить исправленный файл",
        "ready": "2 будут записаны",
        "record": "Записать комментарии",
        "recorded": "2 комментария.",
        "desk": "Открыть их в разборе отзывов",
    },
}


@pytest.fixture
def workshop(db) -> Workshop:
    module = make_module("SALW", title_ru="Стрелковое оружие")
    chapter = make_section(module, "salw-upstream", title_en="Upstream measures")
    make_section(module, "salw-legislation", parent=chapter, title_en="Legislation")
    make_section(module, "salw-marking", parent=chapter, title_en="Marking",
                 title_ru="Маркировка",
                 body_en="Mark weapons.\n\nPolymer frames carry a metal plate.",
                 body_ru="Маркируйте оружие.\n\nПолимерные рамки несут пластину.")  # fmt: skip
    publish("1.0", on=datetime.date(2022, 3, 18))
    person = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    person.groups.add(ensure_editors_group())
    return Workshop.objects.create(
        slug="europe-2022", title_en="Regional workshop for Europe", title_ru="Семинар для Европы",
        region_en="Europe", starts_on=datetime.date(2022, 4, 5),
        ends_on=datetime.date(2022, 4, 6), place_en="Vienna", organisers_en="UNOCT",
        edition=Edition.objects.get(),
    )  # fmt: skip


def filled(kit: bytes, rows: list[list[str]], path: Path) -> Path:
    book = load_workbook(io.BytesIO(kit))
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            book.worksheets[0].cell(row=2 + offset, column=column, value=value)
    book.save(path)
    return path


def send(page, path: Path, workshop: Workshop, button: str) -> None:
    """The upload form filled in as the editor does, and the table sent to be read."""
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_source", "workshop")
    page.select_option("#id_workshop", str(workshop.pk))
    page.fill("#id_received_on", "2022-04-06")
    page.get_by_role("button", name=button).click()
    page.wait_for_url("**/tables/*/")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_an_editor_records_a_workshop_s_comment_table(
    browser, live_server, workshop, tmp_path, language
):
    words = WORDS[language]
    context = browser.new_context(
        base_url=live_server.url,
        extra_http_headers={"Accept-Language": language},
        locale=language,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    kit = page.request.get(f"/{language}/feedback/editions/1.0/comment-table.xlsx").body()
    state = "Kenya" if language == "en" else "Кения"
    rows = [
        [state, "B.1.2 ¶2", "Technical" if language == "en" else "Технический",
         "Polymer frames need a deeper mark.\nAt least 0.2 mm.", ""],
        ["INTERPOL", "B.1.3 ¶2", "", "Say “tracing request”.", ""],
    ]  # fmt: skip
    sign_in(page, "editor", PASSWORD)
    page.goto("/admin/feedback/feedback/")
    page.get_by_role("link", name=words["upload"]).click()

    send(page, filled(kit, rows, tmp_path / "europe.xlsx"), workshop, words["read"])
    assert words["wrong"] in page.locator("#row-3").inner_text()
    assert page.get_by_role("button", name=words["record"]).count() == 0
    assert Feedback.objects.count() == 0

    rows[1][1] = "B.1.2 ¶2"  # the rapporteur corrects the identifier
    page.get_by_role("link", name=words["corrected"]).click()
    send(page, filled(kit, rows, tmp_path / "europe-v2.xlsx"), workshop, words["read"])
    assert words["ready"] in page.locator("h2").first.inner_text()
    page.get_by_role("button", name=words["record"]).dblclick()
    page.wait_for_selector(f"text={words['desk']}")
    assert words["recorded"] in page.locator("h2").first.inner_text()

    items = list(Feedback.objects.order_by("pk"))
    assert len(items) == 2  # a double click records the table once
    assert items[0].comment == "Polymer frames need a deeper mark.\nAt least 0.2 mm."
    assert {(i.section_key, i.paragraph, i.workshop_id, i.language) for i in items} == {
        ("salw-marking", 2, workshop.pk, language)
    }
    page.get_by_role("link", name=words["desk"]).click()
    desk = page.locator(".triage").inner_text()
    paragraph = "Polymer frames carry a metal plate." if language == "en" else "Полимерные рамки"
    assert items[0].reference in desk and items[1].reference in desk and paragraph in desk
