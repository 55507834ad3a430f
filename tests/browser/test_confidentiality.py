"""A comment published in a redacted form, in a real browser: an editor writes the redacted
form in the back office (an empty one is refused with the choice kept), the edition that
answers it is published, and a Russian reader of the response to comments sees the redacted
form, never the original; a feedback reviewer sees the original named, not shown."""

import datetime

import pytest
from django.contrib.auth.models import User

from accounts.roles import ensure_editors_group, ensure_feedback_reviewers_group
from feedback import services
from feedback.models import Confidentiality, Feedback, Status
from tests.browser.helpers import sign_in
from tests.conftest import make_module, make_section, publish
from tests.feedback.conftest import make_feedback

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long editor password 42"
ORIGINAL = "Our depot K-7 lost 40 rifles in March."
REDACTED = "A national depot reported the loss of rifles."


@pytest.fixture
def item(db):
    module = make_module("SALW")
    make_section(module, "salw-marking", title_en="Marking", title_ru="Маркировка")
    publish("1.0", on=datetime.date(2022, 3, 18))
    editor = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    editor.groups.add(ensure_editors_group())
    reviewer = User.objects.create_user("reviewer", password=PASSWORD, is_staff=True)
    reviewer.groups.add(ensure_feedback_reviewers_group())
    item = make_feedback(comment=ORIGINAL)
    Feedback.objects.filter(pk=item.pk).update(response_ru="Принято к сведению.")
    services.feedback_set_status(
        feedback=item, status=Status.NOT_ACCEPTED, user=editor, notify=False
    )
    return item


def test_an_editor_publishes_a_comment_in_a_redacted_form(page, item):
    sign_in(page, "editor", PASSWORD)
    page.goto(f"/admin/feedback/feedback/{item.pk}/change/")
    page.select_option("#id_confidentiality", Confidentiality.REDACTED)
    page.click("input[name=_save]")
    assert "redacted comment" in page.locator(".errorlist").first.inner_text()
    assert page.locator("#id_confidentiality").input_value() == Confidentiality.REDACTED
    page.fill("#id_redacted_comment", REDACTED + "\r\n\r\nNothing else.")
    page.click("input[name=_save]")
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    item.refresh_from_db()
    assert item.redacted_comment == REDACTED + "\n\nNothing else." and item.comment == ORIGINAL

    page.context.clear_cookies()
    sign_in(page, "reviewer", PASSWORD)
    page.goto(f"/admin/feedback/feedback/{item.pk}/change/")
    text = page.locator("#content").inner_text()
    assert ORIGINAL not in text and "Restricted" in text
    assert page.locator("#id_confidentiality").count() == 0  # not theirs to change

    page.context.clear_cookies()
    publish("1.1")
    page.goto("/ru/feedback/editions/1.1/")
    entry = page.locator(f"#{item.reference}")
    assert REDACTED in entry.inner_text() and "Принято к сведению." in entry.inner_text()
    assert ORIGINAL not in page.content()
