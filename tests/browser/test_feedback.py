"""The feedback loop in a real browser: a reader comments on a paragraph in Russian, an editor
accepts it, changes the section and publishes; the reader's tracking page and the edition's
response to comments both lead to the change, and the change back to the comment."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.core import mail

from accounts.roles import ensure_editors_group
from feedback.models import Feedback
from modules.models import Section
from tests.browser.helpers import sign_in
from tests.conftest import deliver_queued_email, make_module, make_section, publish

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long editor password 42"


@pytest.fixture
def guidelines(db):
    module = make_module("SALW")
    make_section(
        module, "salw-marking", title_en="Marking", title_ru="Маркировка",
        body_en="Mark every firearm.\n\nKeep records.",
        body_ru="Маркируйте каждую единицу оружия.\n\nВедите учёт.",
    )  # fmt: skip
    publish("1.0", on=datetime.date(2022, 3, 18))
    editor = User.objects.create_user(
        "editor", password=PASSWORD, is_staff=True, email="editor@example.org"
    )
    editor.groups.add(ensure_editors_group())


def test_a_russian_comment_becomes_a_change_in_the_next_edition(page, guidelines):
    mail.outbox.clear()
    # A reader comments on the second paragraph, in Russian.
    page.goto("/ru/modules/salw/salw-marking/")
    page.locator("#p2 .para-comment").click()
    assert page.locator("#id_about").input_value() == "section:salw-marking"
    # The page may have come from a cache: the visitor holds no cookie of ours.
    page.context.clear_cookies()
    page.get_by_label("Технический").check()
    page.fill("#id_comment", "Укажите срок хранения учётных записей.")
    page.fill("#id_proposed_wording", "Храните учётные записи не менее 20 лет.")
    page.select_option("#id_category", "state")
    page.select_option("#id_country", "KZ")
    page.fill("#id_name", "Айгерим Садыкова")
    page.fill("#id_email", "aigerim@example.org")
    page.check("#id_publishable")  # she allows publication, not her name
    page.get_by_role("button", name="Отправить комментарий").click()
    receipt = page.locator("main").inner_text()
    reference = re.search(r"FB-\d{4}-\d{4,}", receipt).group(0)
    assert "ваш комментарий получен" in receipt
    item = Feedback.objects.get(reference=reference)
    assert (item.language, item.paragraph, item.edition.number) == ("ru", 2, "1.0")
    deliver_queued_email()  # the background worker sends the receipt
    acknowledgement = next(m for m in mail.outbox if m.to == ["aigerim@example.org"])
    tracking = re.search(r"https?://\S+/ru/feedback/track/\S+/", acknowledgement.body).group(0)
    tracking_path = "/" + tracking.split("/", 3)[3]
    assert any(m.to == ["editor@example.org"] for m in mail.outbox)

    # The editor accepts it, answers, changes the section and records what the change does.
    sign_in(page, "editor", PASSWORD)
    page.goto("/admin/feedback/feedback/?progress=to_decide")
    page.get_by_role("link", name=reference).click()
    page.select_option("#id_status", "accepted")
    page.fill("#id_response_en", "We added a retention period.")
    page.fill("#id_response_ru", "Мы добавили срок хранения.")
    page.click("input[name=_save]")
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    page.goto(f"/admin/modules/section/{Section.objects.get(key='salw-marking').pk}/change/")
    page.fill("#id_body_en", "Mark every firearm.\n\nKeep records for at least 20 years.")
    page.click('a[href="#tab_id_body_ru"]')
    page.fill("#id_body_ru", "Маркируйте каждую единицу оружия.\n\nХраните учёт не менее 20 лет.")
    page.get_by_label(re.compile(reference)).check()
    page.click("input[name=_save]")
    page.goto("/admin/modules/edition/add/")
    assert reference in page.locator("#content-main").inner_text()
    page.fill("#id_change_summary_en", "Record retention period added.")
    page.fill("#id_override_reason", "Cleared at the workshop.")
    page.click("input[type=submit]")
    page.click("input[name=publish]")  # the confirmation step
    assert "Edition 1.1 is published." in page.locator(".messagelist").inner_text()

    # The contributor's page says so and links to the exact change.
    page.goto(tracking_path)
    main = page.locator("main").inner_text()
    assert "учтён в издании 1.1" in main and "Мы добавили срок хранения." in main
    page.get_by_role("link", name=re.compile("изменение")).first.click()
    assert page.url.endswith("/ru/editions/1.0/compare/1.1/sections/salw-marking/")
    # The Russian diff (the page's language) marks the new retention period as inserted.
    assert "20" in " ".join(page.locator("ins").all_inner_texts())
    # The change names the comment that caused it; the response to comments lists it.
    page.get_by_role("link", name=reference).click()
    assert "/ru/feedback/editions/1.1/" in page.url
    response = page.locator(f"[id='{reference}']").inner_text()
    assert "Должностное лицо государства-члена, Казахстан" in response
    assert "Айгерим" not in response
    assert page.locator(f"[id='{reference}'] a[href$='/sections/salw-marking/']").count() == 1


def test_consents_start_unticked_and_plain_text_is_kept_as_written(page, guidelines):
    """Issue 13, points 8 and 9, as Chromium sends the form: an untouched consent box is
    omitted (never assumed), and text with < and > is stored as typed (CRLF aside) and shown
    as text."""
    page.goto("/en/feedback/?section=salw-marking")
    assert not page.is_checked("#id_publishable") and not page.is_checked("#id_may_name")
    help_text = page.locator("#id_publishable_helptext").inner_text()
    assert "only the editors read it" in help_text
    page.get_by_label("Editorial").check()
    comment = "Keep a<b и x > y as written.\nUnits under <5 kg and <b>bold</b> stay text."
    page.fill("#id_comment", comment)
    page.select_option("#id_category", "practitioner")
    page.fill("#id_name", "Kari <Nordmann>")
    page.fill("#id_email", "kari@example.org")
    page.get_by_role("button", name="Send comment").click()
    page.wait_for_url("**/feedback/track/**")
    item = Feedback.objects.get()
    assert item.comment.replace("\r\n", "\n") == comment
    assert item.name == "Kari <Nordmann>"
    assert (item.publishable, item.may_name) == (False, False)
    shown = page.locator("main").inner_text()
    assert "a<b и x > y" in shown and "<b>bold</b>" in shown  # as text, not markup
    assert page.locator("main b").count() == 0
