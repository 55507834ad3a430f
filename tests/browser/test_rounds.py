"""A consultation round in a real browser: an editor opens it in the back office, a reader
finds it in Russian and comments on a section within it; a comment whose deadline passed while
the form was open is refused with the text kept, then sent again as an ordinary comment. Once
closed and answered, the round's disposition report is read and its table downloaded."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from accounts.roles import ensure_editors_group
from feedback import services
from feedback.models import ConsultationRound, Feedback, Status
from tests.browser.helpers import sign_in
from tests.conftest import make_module, make_section, publish
from tests.feedback.conftest import make_feedback

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long editor password 42"


@pytest.fixture
def guidelines(db):
    module = make_module("SALW")
    make_section(
        module, "salw-marking", title_en="Marking", title_ru="Маркировка",
        body_en="Mark every firearm.", body_ru="Маркируйте каждую единицу оружия.",
    )  # fmt: skip
    publish("1.0", on=datetime.date(2022, 3, 18))
    editor = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    editor.groups.add(ensure_editors_group())


def fill_comment(page, text: str) -> None:
    page.get_by_label("Технический").check()
    page.fill("#id_comment", text)
    page.select_option("#id_category", "state")
    page.select_option("#id_country", "KZ")
    page.fill("#id_name", "Айгерим Садыкова")
    page.fill("#id_email", "aigerim@example.org")


def test_a_round_opened_by_an_editor_takes_a_russian_comment_and_keeps_its_deadline(
    page, guidelines
):
    sign_in(page, "editor", PASSWORD)
    page.goto("/admin/feedback/consultationround/add/")
    page.fill("#id_title_en", "Consultation on edition 1.0")
    page.fill("#id_title_ru", "Консультация по изданию 1.0")
    page.fill("#id_description_en", "Comments are invited.\r\nAll of them.")
    now = timezone.now()
    closes = now + datetime.timedelta(days=30)
    page.fill("#id_opens_at_0", now.strftime("%Y-%m-%d"))
    page.fill("#id_opens_at_1", now.strftime("%H:%M:%S"))
    page.fill("#id_closes_at_0", closes.strftime("%Y-%m-%d"))
    page.fill("#id_closes_at_1", closes.strftime("%H:%M:%S"))
    page.fill("#id_contact_email", "guidelines@example.org")
    page.click("input[name=_save]")
    assert "was added successfully" in page.locator(".messagelist").inner_text()
    consultation = ConsultationRound.objects.get()
    assert consultation.description_en == "Comments are invited.\nAll of them."  # no CR kept
    page.context.clear_cookies()

    # A reader finds the round from the footer, in Russian, and comments within it.
    page.goto("/ru/")
    page.get_by_role("link", name="Раунды консультаций").click()
    page.get_by_role("link", name="Консультация по изданию 1.0").click()
    main = page.locator("main")
    assert "открыт для комментариев" in main.inner_text().lower()
    # No Russian description yet: the English one is shown, marked as English.
    assert main.locator("[lang=en]", has_text="Comments are invited.").count() == 1
    page.get_by_role("link", name="Отправить комментарий").click()
    assert "открыт раунд консультаций по всему тексту" in page.locator("main").inner_text()
    page.select_option("#id_about", "section:salw-marking")
    fill_comment(page, "Уточните маркировку при ввозе.")
    page.get_by_role("button", name="Отправить комментарий").click()
    assert "ваш комментарий получен" in page.locator("main").inner_text()
    item = Feedback.objects.get()
    assert (item.round, item.late, item.language) == (consultation, False, "ru")

    # Another reader opens the form; the deadline passes before they send it.
    page.goto("/ru/feedback/?section=salw-marking")
    fill_comment(page, "Отправлено слишком поздно.")
    past = timezone.now() - datetime.timedelta(microseconds=1)  # after the form was opened
    ConsultationRound.objects.update(opens_at=past - datetime.timedelta(days=1), closes_at=past)
    page.get_by_role("button", name="Отправить комментарий").click()
    alert = page.get_by_role("alert").first.inner_text()
    assert "закрылся" in alert and "не принимаются" in alert
    assert page.locator("#id_comment").input_value() == "Отправлено слишком поздно."
    assert Feedback.objects.count() == 1
    # Sent again from that page: kept, outside the round.
    page.get_by_role("button", name="Отправить комментарий").click()
    assert "ваш комментарий получен" in page.locator("main").inner_text()
    late = Feedback.objects.latest("pk")
    assert late.comment == "Отправлено слишком поздно." and late.round is None


def test_a_reader_follows_a_closed_round_to_its_report_and_downloads_the_table(page, guidelines):
    edition = publish("1.1")  # the round is on 1.1; its comments are answered in 1.2
    now = timezone.now()
    consultation = services.round_open(
        edition=edition, opens_at=now, closes_at=now + datetime.timedelta(days=30),
        whole_text=True, title_en="Consultation on edition 1.1",
        title_ru="Консультация по изданию 1.1", description_en="Comments are invited.",
        contact_email="guidelines@example.org",
    )  # fmt: skip
    item = make_feedback(
        "salw-marking", category="state", country="KZ", language="ru",
        comment="Уточните маркировку при ввозе.",
    )  # fmt: skip
    Feedback.objects.filter(pk=item.pk).update(round=consultation, response_ru="Не принято.")
    services.feedback_set_status(feedback=item, status=Status.NOT_ACCEPTED, user=None)
    publish("1.2")
    past = timezone.now() - datetime.timedelta(microseconds=1)
    ConsultationRound.objects.update(opens_at=past - datetime.timedelta(days=1), closes_at=past)

    page.goto("/ru/feedback/rounds/")
    page.locator(".round-summary", has_text="Консультация по изданию 1.1").get_by_role(
        "link", name="Рассмотрение комментариев"
    ).click()
    main = page.locator("main")
    assert page.get_by_role("heading", level=1).inner_text() == "Консультация по изданию 1.1"
    row = main.locator("tr", has_text=item.reference)
    assert "Уточните маркировку при ввозе." in row.inner_text()
    assert "Не принято." in row.inner_text()
    # The chart's figures are a table a screen reader can read.
    figure = page.get_by_role("figure", name="Комментарии по модулям и решениям")
    assert figure.get_by_role("row").count() == 3  # heading, the module, the total
    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать таблицу (XLSX)").click()
    assert download.value.suggested_filename.endswith("_disposition_ru.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    rows = list(book["Комментарии"].iter_rows(values_only=True))
    assert rows[1][0] == item.reference and rows[1][9] == "Не принято."


def test_a_reader_downloads_the_comment_table_of_a_section_s_module_in_russian(page, guidelines):
    page.goto("/ru/modules/salw/salw-marking/")
    with page.expect_download() as download:
        page.get_by_role("link", name="таблица комментариев к модулю «SALW» (XLSX)").click()
    assert download.value.suggested_filename == "TG-2370_ed1.0_ru_SALW_comment-table.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert book.sheetnames == ["Комментарии", "Абзацы", "Как заполнить"]
    paragraphs = list(book["Абзацы"].iter_rows(min_row=2, values_only=True))
    assert [row[2] for row in paragraphs] == ["Маркируйте каждую единицу оружия."]
