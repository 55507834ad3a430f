"""An editor changes a section and publishes 1.2: readers see 1.2, while 1.1 stays as it was."""

import datetime

import pytest
from django.contrib.auth.models import User

from accounts.roles import ensure_editors_group
from modules import services
from modules.models import Edition, Section
from tests.browser.helpers import sign_in
from tests.conftest import make_module, make_section, publish

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long editor password 42"


@pytest.fixture
def two_editions(db):
    module = make_module("SALW")
    make_section(module, "salw-marking", title_en="Marking", body_en="Old English text.",
                 body_ru="Старый русский текст.")  # fmt: skip
    publish("1.0", on=datetime.date(2022, 3, 18))
    services.section_update(section=Section.objects.get(key="salw-marking"), body_en="Text of 1.1.")
    publish("1.1", on=datetime.date(2023, 9, 15))
    editor = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    editor.groups.add(ensure_editors_group())


def test_editor_changes_a_section_and_publishes_a_new_edition(page, two_editions):
    sign_in(page, "editor", PASSWORD)

    page.goto("/admin/modules/section/")
    page.get_by_role("link", name="Marking", exact=True).click()
    page.click('a[href="#tab_id_body_ru"]')  # the Russian tab of the body
    page.fill("#id_body_ru", "Новый русский текст **1.2**.")
    preview = page.locator(".markdown-preview__body[lang=ru]")
    preview.get_by_text("1.2").wait_for()
    assert "<strong>1.2</strong>" in preview.inner_html()
    page.click("input[name=_save]")
    assert "was changed successfully" in page.locator(".messagelist").inner_text()

    page.goto("/admin/modules/edition/add/")
    assert page.input_value("#id_number") == "1.2"
    assert "1 changed" in page.locator("#content-main").inner_text()
    page.fill("#id_change_summary_en", "Russian text of B.1 revised.")
    page.fill("#id_change_summary_ru", "Пересмотрен русский текст раздела B.1.")
    page.fill("#id_override_reason", "Cleared at the workshop.")
    page.click("input[type=submit]")
    # The confirmation: exactly what will be published, before anything is.
    confirmation = page.locator("#content-main").inner_text()
    assert "Пересмотрен русский текст раздела B.1." in confirmation
    assert "B.1 Marking" in " ".join(page.locator(".publication-sections li").all_inner_texts())
    assert Edition.objects.count() == 2
    page.dblclick("input[name=publish]")  # an impatient double click publishes once
    assert "Edition 1.2 is published." in page.locator(".messagelist").inner_text()
    assert page.locator(".errornote").count() == 0
    assert list(Edition.objects.values_list("number", flat=True)) == ["1.2", "1.1", "1.0"]

    page.goto("/ru/modules/salw/salw-marking/")
    assert "Новый русский текст 1.2." in page.locator("main").inner_text()
    page.goto("/ru/editions/1.1/modules/salw/salw-marking/")
    main = page.locator("main").inner_text()
    assert "Старый русский текст." in main and "Новый" not in main
    assert "Это не действующее издание." in page.locator(".edition-banner").inner_text()


def test_a_russian_editor_schedules_an_edition_that_the_worker_publishes_at_its_moment(
    browser, live_server, two_editions, monkeypatch
):
    from django.core.management import call_command
    from django.utils import timezone

    from modules.models import ScheduledPublication

    monkeypatch.setattr("modules.pdf_builds.pdf_build", lambda **kwargs: None)  # no WeasyPrint
    context = browser.new_context(
        base_url=live_server.url, extra_http_headers={"Accept-Language": "ru"}, locale="ru-RU"
    )
    page = context.new_page()
    sign_in(page, "editor", PASSWORD)
    services.section_update(section=Section.objects.get(key="salw-marking"),
                            body_ru="Текст издания 1.2.")  # fmt: skip
    moment = (timezone.now() + datetime.timedelta(days=1)).replace(second=0, microsecond=0)

    page.goto("/admin/modules/edition/add/")
    page.fill("#id_change_summary_en", "Marking revised.")
    page.fill("#id_change_summary_ru", "Пересмотрен раздел о маркировке.\nВторая строка.")
    page.fill("#id_publish_at", moment.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_override_reason", "Cleared at the workshop.")
    page.click("#content-main input[type=submit]")
    stated = moment.strftime("%Y-%m-%d %H:%M UTC")
    page.click(f"input[name=schedule][value='Запланировать издание 1.2 на {stated}']")
    assert f"Издание 1.2 будет опубликовано {stated}" in page.locator(".messagelist").inner_text()
    assert "Запланированная публикация" in page.locator("#content-main").inner_text()
    scheduled = ScheduledPublication.objects.get()
    assert scheduled.change_summary_ru == "Пересмотрен раздел о маркировке.\nВторая строка."

    # The draft moves on; the worker publishes the confirmed text when the moment comes.
    services.section_update(section=Section.objects.get(key="salw-marking"),
                            body_ru="Позднейшая правка.")  # fmt: skip
    worker = ["db_worker", "--batch", "--no-startup-delay", "--interval", "0"]
    call_command(*worker, verbosity=0)
    assert Edition.objects.count() == 2  # not before its moment
    from django_tasks_db.models import DBTaskResult

    past = timezone.now() - datetime.timedelta(seconds=1)
    ScheduledPublication.objects.update(publish_at=past)
    DBTaskResult.objects.update(run_after=past)
    call_command(*worker, verbosity=0)
    assert Edition.objects.current().number == "1.2"

    page.goto("/ru/modules/salw/salw-marking/")
    main = page.locator("main").inner_text()
    assert "Текст издания 1.2." in main and "Позднейшая правка" not in main
    page.goto("/admin/modules/edition/add/")
    assert page.locator(".scheduled-publication").count() == 0
    assert page.input_value("#id_number") == "1.3"
    context.close()
