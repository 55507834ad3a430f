"""The contributor's answer to the editors' decision: given on the private tracking page once
decided, changed if need be, kept in the history, and shown with the public response."""

import csv
import io

import pytest

from feedback import services
from feedback.models import Answer, EventKind, Feedback, Status
from tests.conftest import publish
from tests.feedback.conftest import make_feedback, tracking_path

pytestmark = pytest.mark.django_db


def decide(item: Feedback, editor, status=Status.NOT_ACCEPTED) -> Feedback:
    Feedback.objects.filter(pk=item.pk).update(
        response_en="Out of the guidelines' scope.", response_ru="Вне сферы охвата."
    )
    services.feedback_set_status(feedback=item, status=status, user=editor, notify=False)
    item.refresh_from_db()
    return item


def test_no_answer_is_asked_before_a_decision(client, published):
    item = make_feedback()
    page = client.get(tracking_path(item))
    assert "Does this response satisfy you?" not in page.text
    refused = client.post(tracking_path(item), {"satisfied": "yes"})
    assert refused.status_code == 409
    assert "once the editors have decided" in refused.text
    item.refresh_from_db()
    assert item.answer == ""


def test_a_contributor_answers_in_russian_and_may_change_the_answer(client, published, editor):
    item = decide(make_feedback(language="ru"), editor)
    path = tracking_path(item, "ru")
    assert "Удовлетворяет ли вас этот ответ?" in client.get(path).text
    sent = client.post(path, {"satisfied": "no", "reply": "Прошу пересмотреть.\r\nСпасибо."})
    assert sent.status_code == 302 and sent["Location"].endswith("?answered=1")
    item.refresh_from_db()
    assert (item.answer, item.answer_text) == (
        Answer.NOT_SATISFIED,
        "Прошу пересмотреть.\nСпасибо.",
    )
    page = client.get(sent["Location"]).text
    assert "ваш ответ записан" in page and "Ответ не удовлетворяет" in page
    assert "Изменить мой ответ" in page
    client.post(path, {"satisfied": "yes", "reply": ""})
    item.refresh_from_db()
    assert item.answer == Answer.SATISFIED and item.answer_text == ""
    assert item.events.filter(kind=EventKind.ANSWER).count() == 2


def test_the_same_answer_sent_twice_is_recorded_once(client, published, editor):
    item = decide(make_feedback(), editor)
    path = tracking_path(item)
    for _attempt in range(2):  # a double click
        assert client.post(path, {"satisfied": "yes", "reply": "Fine."}).status_code == 302
    assert item.events.filter(kind=EventKind.ANSWER).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose whether the response satisfies you."),
        ({"satisfied": "maybe"}, "Select a valid choice."),
        ({"satisfied": "no", "reply": "x" * 1001}, "at most 1000 characters"),
    ],
)
def test_a_bad_answer_gets_a_clear_message_and_keeps_the_text(
    client, published, editor, data, message
):
    item = decide(make_feedback(), editor)
    response = client.post(tracking_path(item), data)
    assert response.status_code == 400
    assert message in response.text
    if "reply" in data:
        assert data["reply"] in response.text
    item.refresh_from_db()
    assert item.answer == ""


def test_answers_stop_after_many_changes(client, published, editor, settings):
    item = decide(make_feedback(), editor)
    path = tracking_path(item)
    for n in range(services.MAX_ANSWERS):
        client.post(path, {"satisfied": "yes" if n % 2 else "no"})
    refused = client.post(path, {"satisfied": "yes", "reply": "Once more."})
    assert refused.status_code == 409
    assert "cannot be changed again" in refused.text


def test_an_unknown_link_reveals_nothing(client, published):
    assert (
        client.post("/en/feedback/track/" + "x" * 43 + "/", {"satisfied": "yes"}).status_code == 404
    )


def test_the_answer_is_shown_with_the_public_response_escaped(client, published, editor):
    item = decide(make_feedback(), editor)
    client.post(tracking_path(item), {"satisfied": "no", "reply": "<script>alert(1)</script>"})
    edition = publish("1.1")
    page = client.get(f"/en/feedback/editions/{edition.number}/").text
    assert "Not satisfied with the response" in page
    download = client.get(f"/en/feedback/editions/{edition.number}/responses.csv")
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][-1] == "The contributor's answer"
    assert rows[1][-1] == "Not satisfied with the response"
    # The reply is for the editors: never published.
    assert "alert(1)" not in page and "alert(1)" not in text


def test_editors_see_the_answer_in_the_back_office(editor_client, published, editor):
    item = decide(make_feedback(), editor)
    services.feedback_answer(feedback=item, satisfied=False, text="Please reconsider.")
    page = editor_client.get(f"/admin/feedback/feedback/{item.pk}/change/").text
    assert "Please reconsider." in page and "Not satisfied with the response" in page
    listed = editor_client.get("/admin/feedback/feedback/?answer__exact=not_satisfied").text
    assert item.reference in listed


def test_an_answer_from_another_site_is_refused_and_one_from_this_page_is_taken(
    client, published, editor
):
    item = decide(make_feedback(), editor)
    path = tracking_path(item)
    forged = client.post(
        path, {"satisfied": "no", "reply": "Forged."}, HTTP_ORIGIN="https://evil.example",
        HTTP_SEC_FETCH_SITE="cross-site",
    )  # fmt: skip
    assert forged.status_code == 403 and "Forged." in forged.text
    item.refresh_from_db()
    assert item.answer == ""
    # The tracking page sends no referrer, so browsers send "Origin: null" from it.
    own = client.post(
        path, {"satisfied": "yes"}, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert own.status_code == 302
    item.refresh_from_db()
    assert item.answer == Answer.SATISFIED


def test_a_new_decision_or_response_withdraws_the_answer_and_history_keeps_it(
    client, published, editor
):
    item = decide(make_feedback(), editor)
    services.feedback_answer(feedback=item, satisfied=False, text="Please reconsider.")
    services.feedback_edit_public_texts(
        feedback=item, user=editor, response_en="Reconsidered: now in scope."
    )
    item.refresh_from_db()
    assert (item.answer, item.answer_text, item.answered_at) == ("", "", None)
    services.feedback_answer(feedback=item, satisfied=True, text="Thank you.")
    services.feedback_set_status(feedback=item, status=Status.ACCEPTED, user=editor, notify=False)
    item.refresh_from_db()
    assert item.answer == ""
    answers = item.events.filter(kind=EventKind.ANSWER).values_list("text", flat=True)
    assert list(answers) == ["not_satisfied\nPlease reconsider.", "satisfied\nThank you."]
