"""A reader subscribes in Russian to one section, confirms from the e-mail, an editor
publishes a change to that section, the reader receives one Russian message linking the
change, and leaves in one click, as a mail program does it (RFC 8058)."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from playwright.sync_api import expect

from accounts.roles import ensure_editors_group
from alerts.models import Erasure, Subscriber
from modules import services
from modules.models import Section
from tests.browser.helpers import sign_in
from tests.conftest import deliver_queued_email, make_module, make_section, publish

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long editor password 42"


def local(address: str) -> str:
    """A link from a message, on the test server (messages carry the public address)."""
    return "/" + address.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def current_edition(db):
    module = make_module("SALW")
    make_section(module, "salw-marking", title_en="Marking", title_ru="Маркировка",
                 body_en="Mark every weapon.", body_ru="Маркируйте каждую единицу.")  # fmt: skip
    make_section(module, "salw-tracing", title_en="Tracing", title_ru="Отслеживание")
    publish("1.0", on=datetime.date(2022, 3, 18))
    services.section_update(section=Section.objects.get(key="salw-tracing"), body_en="Trace.")
    publish("1.1", on=datetime.date(2023, 9, 15))
    editor = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    editor.groups.add(ensure_editors_group())


def test_a_reader_follows_a_section_in_russian_and_leaves_in_one_click(
    page, current_edition, tmp_path
):
    page.set_extra_http_headers({"Accept-Language": "ru"})
    page.goto("/ru/modules/salw/salw-marking/")
    page.get_by_role("link", name="Сообщать по почте об изменениях раздела").click()
    expect(page.locator("h1")).to_have_text("Уведомления по электронной почте")
    expect(page.locator(".lead")).to_contain_text("Маркировка")
    page.screenshot(path=tmp_path / "subscribe-ru.png", full_page=True)
    # Russian is chosen for the messages already: the reader's language.
    expect(page.get_by_label("Русский")).to_be_checked()
    page.get_by_label("Ваш адрес электронной почты").fill("reader@example.org")
    page.get_by_role("button", name="Подписаться").dblclick()  # an impatient double click
    expect(page.locator("h1")).to_have_text("Проверьте почту")

    mail.outbox.clear()
    deliver_queued_email()
    (confirmation,) = mail.outbox
    assert confirmation.to == ["reader@example.org"]
    assert "Подтвердите" in confirmation.subject and "Маркировка" in confirmation.body
    page.goto(local(re.search(r"https?://\S+/confirm/\S+/", confirmation.body).group(0)))
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.locator(".notice--success")).to_contain_text("подписка подтверждена")
    expect(page.locator(".alerts-follows")).to_contain_text("Маркировка")
    page.screenshot(path=tmp_path / "manage-ru.png", full_page=True)

    # An editor changes the section and publishes 1.2 in the back office.
    page.set_extra_http_headers({"Accept-Language": "en"})
    sign_in(page, "editor", PASSWORD)
    page.goto("/admin/modules/section/")
    page.get_by_role("link", name="Marking", exact=True).click()
    page.click('a[href="#tab_id_body_ru"]')
    page.fill("#id_body_ru", "Маркируйте каждую единицу дважды.")
    page.click("input[name=_save]")
    page.goto("/admin/modules/edition/add/")
    page.fill("#id_change_summary_en", "Marking made stricter.")
    page.fill("#id_change_summary_ru", "Требования к маркировке ужесточены.")
    page.fill("#id_override_reason", "Cleared at the workshop.")
    page.click("input[type=submit]")
    page.click("input[name=publish]")
    expect(page.locator(".messagelist")).to_contain_text("Edition 1.2 is published.")

    mail.outbox.clear()
    deliver_queued_email()
    deliver_queued_email()  # a restarted worker sends nothing twice
    (alert,) = [m for m in mail.outbox if m.to == ["reader@example.org"]]
    assert alert.subject.startswith("Издание 1.2")
    assert "Требования к маркировке ужесточены." in alert.body
    change = re.search(r"https?://\S+/ru/editions/1\.1/compare/1\.2/sections/salw-marking/",
                       alert.body).group(0)  # fmt: skip
    page.set_extra_http_headers({"Accept-Language": "ru"})
    page.goto(local(change))
    expect(page.locator("main")).to_contain_text("дважды")

    # The mail program's one click: a POST to the List-Unsubscribe address.
    one_click = re.fullmatch(r"\s*<([^>]+)>", alert.extra_headers["List-Unsubscribe"]).group(1)
    assert alert.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    response = page.request.post(
        local(one_click),
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 200
    assert not Subscriber.objects.exists()
    assert Erasure.objects.get().count == 1
    # The link in the message, opened later, says it is over and changes nothing.
    page.goto(local(one_click))
    expect(page.locator("h1")).to_have_text("Вы отписались")
