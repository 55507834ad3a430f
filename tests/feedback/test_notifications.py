"""Who hears of new feedback, and in which language contributors hear of decisions."""

import pytest
from django.core import mail

from feedback import notifications
from tests.feedback.conftest import make_feedback, submit

pytestmark = pytest.mark.django_db


def test_everyone_who_may_triage_hears_of_new_feedback(
    client, published, reviewer, editor, translator, emails_sent
):
    editor.email, translator.email = "editor@example.org", "translator@example.org"
    editor.save(), translator.save()
    with emails_sent():
        submit(client)
    alert = next(m for m in mail.outbox if "New feedback" in m.subject)
    assert sorted(alert.to) == ["editor@example.org", "reviewer@example.org"]
    assert "/admin/feedback/feedback/" in alert.body
    assert "Marking of polymer frames" in alert.body


def test_editor_alerts_can_go_to_a_fixed_list_or_nowhere(
    client, published, reviewer, settings, emails_sent
):
    settings.FEEDBACK_NOTIFY_EMAILS = ["desk@example.org"]
    with emails_sent():
        submit(client)
    assert [m.to for m in mail.outbox if "New feedback" in m.subject] == [["desk@example.org"]]
    mail.outbox.clear()
    settings.FEEDBACK_NOTIFY_EDITORS = False
    with emails_sent():
        submit(client, comment="Another one.")
    assert not [m for m in mail.outbox if "New feedback" in m.subject]


def test_e_mail_carries_no_markup_from_a_stored_comment(published, settings):
    settings.FEEDBACK_NOTIFY_EMAILS = ["desk@example.org"]
    item = make_feedback(comment='See <img src=x onerror="alert(1)"> here.')
    notifications.notify_editors(item)
    html = mail.outbox[-1].alternatives[0][0]
    assert "<img" not in html and "&lt;img" in html
    assert item.reference in mail.outbox[-1].subject and "\n" not in mail.outbox[-1].subject


def test_no_request_waits_on_the_mail_server(
    client, transactional_db, published, reviewer, django_capture_on_commit_callbacks
):
    """Submitting and deciding in bulk only queue e-mail; the worker sends it."""
    from django_tasks_db.models import DBTaskResult

    from feedback import services
    from feedback.models import Feedback, Status
    from tests.conftest import deliver_queued_email

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit(client)
    items = [make_feedback(comment=f"Item {n}.", email=f"c{n}@example.org") for n in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_bulk_status(
            items=Feedback.objects.filter(pk__in=[i.pk for i in items]),
            status=Status.UNDER_REVIEW, user=reviewer,
        )  # fmt: skip
        services.feedback_bulk_status(
            items=Feedback.objects.filter(pk__in=[i.pk for i in items]),
            status=Status.NOT_ACCEPTED, user=reviewer,
        )  # fmt: skip
    assert mail.outbox == []
    queued = DBTaskResult.objects.filter(queue_name="email")
    assert queued.count() == 6  # one receipt, five decisions

    deliver_queued_email()
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(
        ["aigerim@example.org", "reviewer@example.org", *(f"c{n}@example.org" for n in range(5))]
    )  # the receipt, the editors' alert, five decisions
    assert not DBTaskResult.objects.filter(queue_name="email").ready().exists()
