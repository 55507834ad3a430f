"""A contributor answers the editors' decision from their tracking page in Chromium, in
Russian: a form sent without a choice says what is missing and keeps the reply; the reply
typed on two lines is stored as written (the browser sends CRLF)."""

import pytest
from django.contrib.auth.models import User

from feedback import services
from feedback.models import Answer, Feedback, Status
from tests.conftest import publish
from tests.feedback.conftest import make_feedback, tracking_path

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_contributor_answers_a_decision_in_russian(page, draft):
    publish("1.0")
    item = make_feedback(language="ru")
    editor = User.objects.create_user("editor", is_staff=True)
    Feedback.objects.filter(pk=item.pk).update(response_ru="Вне сферы охвата.")
    services.feedback_set_status(
        feedback=item, status=Status.OUT_OF_SCOPE, user=editor, notify=False
    )
    page.goto(tracking_path(item, "ru"))
    page.fill("#id_reply", "Прошу пересмотреть.\nЭто важно для пограничников.")
    page.get_by_role("button", name="Отправить мой ответ").click()
    assert "Укажите, удовлетворяет ли вас ответ." in page.locator("main").inner_text()
    assert page.locator("#id_reply").input_value().startswith("Прошу пересмотреть.")
    page.get_by_label("Нет, не удовлетворяет").check()
    page.get_by_role("button", name="Отправить мой ответ").click()
    assert "ваш ответ записан" in page.locator("main").inner_text()
    item.refresh_from_db()
    assert item.answer == Answer.NOT_SATISFIED
    assert item.answer_text == "Прошу пересмотреть.\nЭто важно для пограничников."
