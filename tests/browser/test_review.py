"""Clearance, in two browsers: an editor working in Russian changes a section with a reason and
submits it; a second editor approves it; the first publishes, and readers see the reason."""

import datetime

import pytest
from django.contrib.auth.models import User

from accounts.roles import ensure_editors_group
from modules.models import Edition, Section
from tests.browser.helpers import sign_in
from tests.conftest import make_module, make_section, publish

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long editor password 42"


@pytest.fixture
def desk(db):
    module = make_module("SALW", title_ru="Стрелковое оружие")
    make_section(module, "salw-marking", title_en="Marking", title_ru="Маркировка",
                 body_en="Mark weapons.", body_ru="Маркируйте оружие.")  # fmt: skip
    publish("1.0", on=datetime.date(2022, 3, 18))
    for name in ("editor", "second"):
        person = User.objects.create_user(name, password=PASSWORD, is_staff=True)
        person.groups.add(ensure_editors_group())


def test_a_change_is_submitted_approved_by_another_editor_and_published_with_its_reason(
    browser, live_server, desk
):
    def context(lang):
        made = browser.new_context(
            base_url=live_server.url, extra_http_headers={"Accept-Language": lang}, locale=lang
        )
        made.set_default_timeout(15_000)
        return made.new_page()

    author = context("ru")
    sign_in(author, "editor", PASSWORD)
    section = Section.objects.get(key="salw-marking")
    author.goto(f"/admin/modules/section/{section.pk}/change/")
    author.click('a[href="#tab_id_body_en"]')
    author.fill("#id_body_en", "Mark every weapon, polymer frames included.")
    author.click('a[href="#tab_id_body_ru"]')
    author.fill("#id_body_ru", "Маркируйте всё оружие, включая полимерные рамки.")
    author.click('a[href="#tab_id_change_reason_en"]')
    author.fill("#id_change_reason_en", "States asked for polymer frames.")
    author.click('a[href="#tab_id_change_reason_ru"]')
    author.fill("#id_change_reason_ru", "Государства просили о полимерных рамках.")
    author.click("input[name=_continue]")
    author.get_by_role("link", name="Открыть страницу проверки").click()
    assert "Не направлено на проверку" in author.locator("#content-main").inner_text()
    author.get_by_role("button", name="Направить изменение на проверку").click()
    assert "Изменение направлено на проверку." in author.locator(".messagelist").inner_text()
    assert author.get_by_role("button", name="Одобрить изменение").count() == 0

    reviewer = context("en")
    sign_in(reviewer, "second", PASSWORD)
    reviewer.goto("/admin/modules/edition/add/")
    clearance = reviewer.locator(".publication-clearance")
    assert "1 change is not approved" in clearance.inner_text()
    clearance.get_by_role("link").click()
    assert "<ins>" in reviewer.locator(".feedback-compare").inner_html()
    reviewer.get_by_role("button", name="Approve this change").click()
    assert "The change is approved." in reviewer.locator(".messagelist").inner_text()

    author.goto("/admin/modules/edition/add/")
    assert "Все изменения одобрены." in author.locator("#content-main").inner_text()
    author.fill("#id_change_summary_en", "Polymer frames.")
    author.fill("#id_change_summary_ru", "Полимерные рамки.")
    author.click("#content-main input[type=submit]")
    author.click("input[name=publish]")
    assert Edition.objects.current().number == "1.1"
    assert Edition.objects.current().override_reason == ""

    author.goto("/ru/editions/1.0/compare/1.1/sections/salw-marking/")
    reason = author.locator(".change__reason").inner_text()
    assert "Почему изменён в издании 1.1:" in reason
    assert "Государства просили о полимерных рамках." in reason
