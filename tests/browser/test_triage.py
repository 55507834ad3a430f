"""The triage desk in Chromium: a reviewer working in Russian moves through the comments with
the keyboard, decides on one with a response template (filled in by the page's script), goes
on to the next, and decides on two more at once."""

import datetime

import pytest
from django.contrib.auth.models import User

from accounts.roles import ensure_feedback_reviewers_group
from feedback.models import Feedback, ResponseTemplate, Status
from tests.browser.helpers import sign_in
from tests.conftest import make_module, make_section, publish
from tests.feedback.conftest import make_feedback

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long reviewer password 42"


@pytest.fixture
def items(db) -> list[Feedback]:
    module = make_module("SALW", title_ru="Стрелковое оружие")
    make_section(module, "salw-marking", title_en="Marking", title_ru="Маркировка",
                 body_en="Mark weapons.\n\nRecord the marks.",
                 body_ru="Маркируйте оружие.\n\nУчитывайте маркировку.")  # fmt: skip
    publish("1.0", on=datetime.date(2022, 3, 18))
    person = User.objects.create_user("reviewer", password=PASSWORD, is_staff=True)
    person.groups.add(ensure_feedback_reviewers_group())
    ResponseTemplate.objects.create(
        title_en="Already covered", title_ru="Уже отражено", status=Status.NOT_ACCEPTED,
        response_en="Already covered.", response_ru="Уже отражено.",
    )  # fmt: skip
    made = [
        make_feedback(comment=f"Комментарий {n}.", language="ru", paragraph=2,
                      email=f"{n}@example.org", category="state", country="KZ")
        for n in range(1, 5)
    ]  # fmt: skip
    return made[::-1]  # the desk lists the newest first


def focused_id(page) -> str:
    return page.evaluate("document.activeElement.closest('.triage-item')?.id || ''")


def test_a_reviewer_triages_from_the_keyboard_in_russian(browser, live_server, items):
    context = browser.new_context(
        base_url=live_server.url, extra_http_headers={"Accept-Language": "ru"}, locale="ru"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, "reviewer", PASSWORD)
    page.goto("/admin/feedback/feedback/?progress=to_decide")
    page.get_by_role("link", name="Разбор отзывов").click()
    assert "?progress=to_decide" in page.url
    assert "Учитывайте маркировку." in page.locator(f"#item-{items[0].pk}").inner_text()

    # Into the list, then from item to item with J and K; X ticks; Enter opens the decision.
    page.focus(f"#item-{items[0].pk} h3 a")
    page.keyboard.press("j")
    assert focused_id(page) == f"item-{items[1].pk}"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("k")
    assert focused_id(page) == f"item-{items[1].pk}"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{items[1].pk}/decide/?progress=to_decide")

    # The template fills both responses; typed lines reach the server with LF line ends.
    page.select_option("#id_status", Status.NOT_ACCEPTED.value)
    page.select_option("#id_template", label="Уже отражено")
    assert page.input_value("#id_response_ru") == "Уже отражено."
    assert page.input_value("#id_response_en") == "Already covered."
    page.click("#id_note")
    page.keyboard.type("Сверено с разделом B.4.")
    page.keyboard.press("Enter")
    page.keyboard.type("Вторая строка.")
    page.get_by_role("button", name="Сохранить и перейти к следующему отзыву").click()
    page.wait_for_url(f"**/{items[2].pk}/decide/?progress=to_decide")
    assert "решение сохранено" in page.locator(".messagelist").inner_text()
    decided = Feedback.objects.get(pk=items[1].pk)
    assert decided.status == Status.NOT_ACCEPTED and decided.response_ru == "Уже отражено."
    note = decided.events.get(kind="note").text
    assert note == "Сверено с разделом B.4.\nВторая строка."

    # Back on the desk, the decided item has left the list; two more are decided at once.
    page.get_by_role("link", name="Назад к разбору").click()
    assert page.locator(f"#item-{items[1].pk}").count() == 0
    page.focus(f"#item-{items[0].pk} h3 a")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.select_option("#id_status", Status.UNDER_REVIEW.value)
    page.get_by_role("button", name="Применить к отмеченным отзывам").click()
    assert "Изменено отзывов: 2." in page.locator(".messagelist").inner_text()
    statuses = set(
        Feedback.objects.filter(pk__in=[items[0].pk, items[2].pk]).values_list("status", flat=True)
    )
    assert statuses == {Status.UNDER_REVIEW}
    assert Feedback.objects.get(pk=items[3].pk).status == Status.RECEIVED
    context.close()
