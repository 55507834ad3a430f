"""Readers search in both languages; a translator brings an outdated Russian text up to date."""

import datetime

import pytest
from django.contrib.auth.models import User

from accounts.roles import ensure_editors_group, ensure_translators_group
from modules import services
from modules.models import Section
from tests.browser.helpers import sign_in
from tests.conftest import make_module, make_section, publish

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long back-office password 42"


@pytest.fixture
def guidelines(db):
    module = make_module("SALW", title_en="Small arms", title_ru="Стрелковое оружие")
    make_section(module, "salw-marking", title_en="Marking", title_ru="Маркировка",
                 body_en="Every weapon is marked at manufacture.",
                 body_ru="Каждая единица оружия маркируется при изготовлении.")  # fmt: skip
    make_section(module, "salw-tracing", title_en="Tracing", title_ru="Отслеживание",
                 body_en="Tracing follows the marking.", body_ru="Отслеживание опирается на маркировку.")  # fmt: skip
    publish("1.0", on=datetime.date(2022, 3, 18))
    services.section_update(
        section=Section.objects.get(key="salw-marking"),
        body_en="Every weapon is marked at manufacture and on import.",
    )
    publish("1.1", on=datetime.date(2023, 9, 15))
    for name, ensure in (
        ("translator", ensure_translators_group),
        ("editor", ensure_editors_group),
    ):
        User.objects.create_user(name, password=PASSWORD, is_staff=True).groups.add(ensure())


@pytest.mark.parametrize(
    ("lang", "query", "expected"),
    [("en", "manufacture", "Marking"), ("ru", "изготовлении", "Маркировка")],
)
def test_reader_searches_from_the_header(page, guidelines, lang, query, expected):
    page.goto(f"/{lang}/modules/salw/")
    page.get_by_role("search").first.get_by_role("searchbox").fill(query)
    page.get_by_role("search").first.get_by_role("searchbox").press("Enter")
    page.wait_for_url(f"**/{lang}/search/**")
    results = page.locator(".search-results")
    assert query in results.locator("mark").first.inner_text()
    results.get_by_role("link", name=expected).click()
    assert page.url.endswith(f"/{lang}/modules/salw/salw-marking/")


def test_translator_brings_the_russian_text_up_to_date(page, guidelines):
    page.goto("/ru/modules/salw/salw-marking/")
    assert "перевод может быть устаревшим" in page.locator("main").inner_text()

    sign_in(page, "translator", PASSWORD)
    page.goto("/ru/translation/?status=outdated")
    page.get_by_role("link", name="B.1 Marking").click()
    assert "on import" in page.locator(".diff ins").first.text_content()
    page.get_by_role("link", name="Изменить русский текст").click()
    page.click('a[href="#tab_id_body_ru"]')
    page.fill("#id_body_ru", "Каждая единица оружия маркируется при изготовлении и при ввозе.")
    page.click("input[name=_save]")

    page.goto("/ru/preview/modules/salw/salw-marking/")
    main = page.locator("main").inner_text()
    assert "при ввозе" in main and "перевод может быть устаревшим" not in main
    page.goto("/ru/translation/")
    row = page.locator("tr", has_text="B.1")
    assert "Актуален" in row.inner_text()


def test_editor_sees_the_translation_status(page, guidelines):
    sign_in(page, "editor", PASSWORD)
    page.goto("/admin/")
    page.get_by_role("link", name="Translation status").click()
    assert page.locator("h1").inner_text() == "Translation status of the working draft"
    assert "Possibly outdated: 1" in page.locator(".compare-counts").inner_text()


# Issue 13, point 1: multi-line texts, as every real section has. Browsers send a textarea's
# text with CRLF; the Russian below is stored with LF and must not count as changed.
ENGLISH = "Marking has two parts:\n\n- a unique mark;\n- a record of it.\n\nBoth are kept."
RUSSIAN = (
    "Маркировка состоит из двух частей:\n\n- уникальная маркировка;\n- её учёт.\n\nОбе хранятся."
)


@pytest.fixture
def multiline(db):
    module = make_module("SALW", title_en="Small arms", title_ru="Стрелковое оружие")
    make_section(module, "salw-marking", title_en="Marking", title_ru="Маркировка",
                 body_en=ENGLISH, body_ru=RUSSIAN)  # fmt: skip
    publish("1.0", on=datetime.date(2022, 3, 18))
    for name, ensure in (
        ("translator", ensure_translators_group),
        ("editor", ensure_editors_group),
    ):
        User.objects.create_user(name, password=PASSWORD, is_staff=True).groups.add(ensure())


def test_an_english_edit_from_the_browser_leaves_the_russian_outdated(page, multiline):
    sign_in(page, "editor", PASSWORD)
    page.goto("/admin/modules/section/")
    page.get_by_role("link", name="Marking", exact=True).click()
    page.fill("#id_body_en", ENGLISH.replace("Both are kept.", "Both are kept for 20 years."))
    page.click("input[name=_save]")
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    section = Section.objects.get(key="salw-marking")
    assert section.body_ru == RUSSIAN and "\r" not in section.body_en
    assert section.russian_outdated

    page.goto("/en/translation/")
    assert "Possibly outdated: 1" in page.locator(".compare-counts").inner_text()
    page.goto("/admin/modules/edition/add/")
    warning = page.locator(".errornote", has_text="older than its latest English change")
    assert "B.1" in warning.inner_text()
    page.fill("#id_change_summary_en", "Retention period added to B.1.")
    page.fill("#id_change_summary_ru", "В раздел B.1 добавлен срок хранения.")
    page.fill("#id_override_reason", "Cleared at the workshop.")
    page.click("input[type=submit]")
    page.click("input[name=publish]")  # the confirmation step
    assert "Edition 1.1 is published." in page.locator(".messagelist").inner_text()
    page.goto("/ru/modules/salw/salw-marking/")
    assert "перевод может быть устаревшим" in page.locator("main").inner_text()

    page.context.clear_cookies()
    sign_in(page, "translator", PASSWORD)
    page.goto(f"/admin/modules/section/{section.pk}/change/")
    page.click('a[href="#tab_id_body_ru"]')
    page.fill("#id_body_ru", RUSSIAN.replace("Обе хранятся.", "Обе хранятся 20 лет."))
    page.click("input[name=_save]")
    section.refresh_from_db()
    assert not section.russian_outdated and section.body_ru.endswith("Обе хранятся 20 лет.")
    page.goto("/ru/translation/")
    assert "Актуален" in page.locator("tr", has_text="B.1").inner_text()
    page.goto("/ru/preview/modules/salw/salw-marking/")
    assert "перевод может быть устаревшим" not in page.locator("main").inner_text()


def test_translator_round_trips_an_xliff_file_through_a_translation_tool(
    page, guidelines, tmp_path
):
    """Export, translate in translate-toolkit, import: the report says what changed and
    why a block was refused; the Russian Markdown list survives."""
    from translate.storage.xliff import xlifffile

    services.section_update(
        section=Section.objects.get(key="salw-tracing"),
        body_en="Tracing needs:\n\n- records\n- cooperation",
        body_ru="Для отслеживания нужны:\n\n- учёт\n- сотрудничество",
    )
    sign_in(page, "translator", PASSWORD)
    page.goto("/en/translation/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export XLIFF").first.click()
    store = xlifffile.parsestring(download.value.path().read_bytes())
    by_source = {unit.source: unit for unit in store.units}
    by_source["records"].target = "учёт оружия"
    by_source[
        "Every weapon is marked at manufacture and on import."
    ].target = "Каждая единица оружия маркируется при изготовлении\n- и при ввозе."
    upload = tmp_path / "salw.xlf"
    upload.write_bytes(bytes(store))

    page.goto("/en/translation/")
    page.get_by_role("link", name="Import XLIFF").first.click()
    page.set_input_files("input[type=file]", str(upload))
    page.locator("form.import-form button[type=submit]").click()
    report = page.get_by_role("status").inner_text()
    assert "B.2 (body)" in report  # updated
    assert "B.1 (body): unit “salw-marking/body/paragraph-" in report
    assert "Markdown block markup" in report
    tracing = Section.objects.get(key="salw-tracing")
    assert tracing.body_ru == "Для отслеживания нужны:\n\n- учёт оружия\n- сотрудничество"
    assert tracing.body_html_ru.count("<li>") == 2
