"""Who hears of new feedback, and in which language contributors hear of decisions."""

import io

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
    sent = [m for m in mail.outbox if "New feedback" in m.subject]
    # One message each (tests/feedback/test_alerts.py): nobody sees a colleague's address.
    assert sorted(m.to for m in sent) == [["editor@example.org"], ["reviewer@example.org"]]
    assert all("/admin/feedback/feedback/" in m.body for m in sent)
    assert all("Marking of polymer frames" in m.body for m in sent)


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
    # Feedback's own messages (readers' alerts share the queue: alerts.tasks).
    queued = DBTaskResult.objects.filter(queue_name="email", task_path__startswith="feedback.")
    assert queued.count() == 6  # one receipt, five decisions

    deliver_queued_email()
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(
        ["aigerim@example.org", "reviewer@example.org", *(f"c{n}@example.org" for n in range(5))]
    )  # the receipt, the editors' alert, five decisions
    assert not DBTaskResult.objects.filter(queue_name="email").ready().exists()


def test_decisions_and_notices_that_failed_are_sent_again_once(published, reviewer, settings):
    """The mail server was down when the editors decided: the cron command catches up, one
    e-mail per item about where it stands now, and never twice."""
    from django.core.management import call_command
    from django.utils import timezone

    from feedback import services
    from feedback.models import EventKind, Feedback, Status

    decided = make_feedback(comment="One.", email="one@example.org", language="ru")
    decided_again = make_feedback(comment="Two.", email="two@example.org")
    reopened = make_feedback(comment="Three.", email="three@example.org")
    incorporated = make_feedback(comment="Four.", email="four@example.org")
    Feedback.objects.update(acknowledged_at=timezone.now())  # the receipts went out
    for item in (decided, decided_again, reopened, incorporated):
        services.feedback_set_status(
            feedback=item, status=Status.ACCEPTED, user=reviewer, notify=False
        )
        item.refresh_from_db()

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    for item in (decided, decided_again, reopened, incorporated):
        assert not notifications.decision_made(item)
    Feedback.objects.filter(pk=incorporated.pk).update(incorporated_in=published)
    incorporated.refresh_from_db()
    assert not notifications.incorporated(incorporated)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.decision_made(decided_again)  # a later decision e-mail got through
    services.feedback_set_status(
        feedback=reopened, status=Status.UNDER_REVIEW, user=reviewer, notify=False
    )
    mail.outbox.clear()

    call_command("feedback_send_pending", "--dry-run", stdout=(listing := io.StringIO()))
    assert listing.getvalue().split("\n")[:-1] == [
        f"{decided.reference} decision",
        f"{incorporated.reference} incorporated",
    ]
    assert mail.outbox == []

    call_command("feedback_send_pending", stdout=io.StringIO())
    call_command("feedback_send_pending", stdout=(second := io.StringIO()))
    assert [m.to for m in mail.outbox] == [["one@example.org"], ["four@example.org"]]
    assert "приняли решение" in mail.outbox[0].body  # in the contributor's language
    assert decided.reference in mail.outbox[0].body
    assert "E-mails sent: 0; still failing: 0." in second.getvalue()
    sent = incorporated.events.filter(kind=EventKind.EMAIL_SENT).values_list("text", flat=True)
    assert list(sent) == ["incorporated"]
