"""Who hears of new feedback, and in which language contributors hear of decisions."""

import pytest
from django.core import mail

from feedback import notifications
from tests.feedback.conftest import make_feedback, submit

pytestmark = pytest.mark.django_db


def test_everyone_who_may_triage_hears_of_new_feedback(
    client, published, reviewer, editor, translator, django_capture_on_commit_callbacks
):
    editor.email, translator.email = "editor@example.org", "translator@example.org"
    editor.save(), translator.save()
    with django_capture_on_commit_callbacks(execute=True):
        submit(client)
    alert = next(m for m in mail.outbox if "New feedback" in m.subject)
    assert sorted(alert.to) == ["editor@example.org", "reviewer@example.org"]
    assert "/admin/feedback/feedback/" in alert.body
    assert "Marking of polymer frames" in alert.body


def test_editor_alerts_can_go_to_a_fixed_list_or_nowhere(
    client, published, reviewer, settings, django_capture_on_commit_callbacks
):
    settings.FEEDBACK_NOTIFY_EMAILS = ["desk@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        submit(client)
    assert [m.to for m in mail.outbox if "New feedback" in m.subject] == [["desk@example.org"]]
    mail.outbox.clear()
    settings.FEEDBACK_NOTIFY_EDITORS = False
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, comment="Another one.")
    assert not [m for m in mail.outbox if "New feedback" in m.subject]


def test_e_mail_carries_no_markup_from_a_stored_comment(published, settings):
    settings.FEEDBACK_NOTIFY_EMAILS = ["desk@example.org"]
    item = make_feedback(comment='See <img src=x onerror="alert(1)"> here.')
    notifications.notify_editors(item)
    html = mail.outbox[-1].alternatives[0][0]
    assert "<img" not in html and "&lt;img" in html
    assert item.reference in mail.outbox[-1].subject and "\n" not in mail.outbox[-1].subject
