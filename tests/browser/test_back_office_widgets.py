"""The back office's own widgets in Chromium: the language tabs of translated fields (ARIA
tabs, keyboard, the switch, a field with an error), the labelled version radios, and the
autocomplete boxes named by their label."""

import datetime

import pytest
from django.contrib.auth.models import User

from accounts.roles import ensure_editors_group
from modules.models import Section
from tests.browser.helpers import sign_in
from tests.conftest import make_module, make_section, publish

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long editor password 42"


@pytest.fixture
def page(browser, live_server, db):
    module = make_module("SALW", title_ru="Стрелковое оружие")
    make_section(module, "salw-marking", title_en="Marking", title_ru="Маркировка",
                 body_en="Mark weapons.", body_ru="Маркируйте оружие.")  # fmt: skip
    publish("1.0", on=datetime.date(2022, 3, 18))
    person = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    person.groups.add(ensure_editors_group())
    context = browser.new_context(
        base_url=live_server.url, extra_http_headers={"Accept-Language": "ru"}, locale="ru"
    )
    context.set_default_timeout(15_000)
    made = context.new_page()
    sign_in(made, "editor", PASSWORD)
    yield made
    context.close()


def test_language_tabs_follow_the_aria_tabs_pattern(page):
    section = Section.objects.get(key="salw-marking")
    page.goto(f"/admin/modules/section/{section.pk}/change/")
    body = page.get_by_role("tablist", name="Текст")
    english, russian = body.get_by_role("tab").all()
    assert english.inner_text() == "Английский" and russian.inner_text() == "Русский"
    assert english.get_attribute("aria-selected") == "true"
    assert page.is_visible("#id_body_en") and not page.is_visible("#id_body_ru")
    # The label names the field once; the tab names the language.
    assert "[ru]" not in page.locator("label[for=id_body_ru]").inner_text()

    english.focus()
    page.keyboard.press("ArrowRight")
    assert russian.get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.id") == "tablink_id_body_ru"
    assert page.is_visible("#id_body_ru") and not page.is_visible("#id_body_en")
    page.keyboard.press("Home")
    assert english.get_attribute("aria-selected") == "true"

    # The switch shows every translated field in one language.
    page.get_by_label("Показывать поля на:").select_option("ru")
    assert page.is_visible("#id_title_ru") and page.is_visible("#id_body_ru")
    assert not page.is_visible("#id_title_en")


def test_a_field_with_an_error_opens_on_its_language_and_its_tab_says_so(page):
    section = Section.objects.get(key="salw-marking")
    page.goto(f"/admin/modules/section/{section.pk}/change/")
    page.fill("#id_title_en", "")
    page.click("input[name=_continue]")
    tab = page.locator("#tablink_id_title_en")
    assert tab.get_attribute("aria-selected") == "true"
    assert "содержит ошибку" in tab.inner_text()
    assert page.is_visible("#id_title_en")


def test_version_radios_and_autocomplete_boxes_have_names(page):
    section = Section.objects.get(key="salw-marking")
    for title in ("Marking of weapons", "Marking"):  # two versions to compare
        page.goto(f"/admin/modules/section/{section.pk}/change/")
        page.fill("#id_title_en", title)
        page.click("input[name=_continue]")
    page.goto(f"/admin/modules/section/{section.pk}/history/")
    radios = page.get_by_role("radio")
    assert radios.count() >= 1
    for index in range(radios.count()):
        assert "Сравнить" in radios.nth(index).evaluate(
            "el => document.querySelector(`label[for='${el.id}']`).textContent"
        )
    page.goto("/admin/modules/sectionreplacement/add/")
    assert page.get_by_role("combobox", name="Заменён разделом").count() == 1
