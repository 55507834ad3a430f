"""New-comment alerts: each message to one person, in their language, as each comment arrives,
in a daily digest, or never, as each person chooses on the back office's alerts page."""

import datetime
import io
import re
import smtplib

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from feedback import alerts
from feedback.models import AlertFrequency, Confidentiality, EditorAlerts, Feedback, Status
from tests.feedback.conftest import make_feedback, submit

pytestmark = pytest.mark.django_db

ALERTS = "/admin/feedback-desk/alerts/"


@pytest.fixture
def desk(editor, reviewer, superuser, translator):
    """Three people who triage feedback (and a translator, who does not), with addresses."""
    for user in (editor, reviewer, superuser, translator):
        user.email = f"{user.username}@example.org"
        user.save()
    return editor, reviewer, superuser


def alerts_sent(outbox) -> list:
    return [m for m in outbox if m.subject.startswith(("New feedback", "Новый отзыв"))]


def test_each_person_who_triages_gets_a_message_of_their_own_in_their_language(
    client, published, desk, emails_sent
):
    _editor, reviewer, _superuser = desk
    alerts.alerts_set(user=reviewer, frequency=AlertFrequency.IMMEDIATE, language="ru")
    mail.outbox.clear()
    with emails_sent():
        submit(client)
    sent = alerts_sent(mail.outbox)
    assert sorted(m.to for m in sent) == [
        ["admin@example.org"],
        ["editor@example.org"],
        ["reviewer@example.org"],
    ]
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in sent)
    by_person = {m.to[0]: m for m in sent}
    assert by_person["reviewer@example.org"].subject.startswith("Новый отзыв")
    assert "Marking of polymer frames" in by_person["reviewer@example.org"].body
    assert by_person["editor@example.org"].subject.startswith("New feedback")
    assert "/admin/feedback-desk/alerts/" in by_person["editor@example.org"].body
    assert "translator@example.org" not in {m.to[0] for m in mail.outbox}


def test_the_alert_is_one_event_in_the_items_history_however_many_it_reached(published, desk):
    from feedback import notifications

    item = make_feedback()
    assert notifications.notify_editors(item) is True
    events = list(item.events.filter(kind__in=("email_sent", "email_failed")))
    assert [(e.kind, e.text) for e in events] == [("email_sent", "new_feedback: 3")]


def test_nobody_sees_a_colleagues_address(client, published, desk, emails_sent):
    mail.outbox.clear()
    with emails_sent():
        submit(client)
    for message in alerts_sent(mail.outbox):
        others = {u.email for u in desk} - set(message.to)
        raw = message.message().as_string()
        assert not any(address in raw for address in others)


def test_people_who_chose_a_digest_or_nothing_get_no_message_per_comment(
    client, published, desk, emails_sent
):
    editor, reviewer, superuser = desk
    alerts.alerts_set(user=editor, frequency=AlertFrequency.DAILY, language="en")
    alerts.alerts_set(user=reviewer, frequency=AlertFrequency.OFF, language="en")
    mail.outbox.clear()
    with emails_sent():
        submit(client)
    assert [m.to for m in alerts_sent(mail.outbox)] == [[superuser.email]]


def test_a_fixed_desk_address_gets_its_own_message(client, published, desk, settings, emails_sent):
    settings.FEEDBACK_NOTIFY_EMAILS = ["desk@example.org", "chief@example.org", "desk@example.org"]
    mail.outbox.clear()
    with emails_sent():
        submit(client)
    assert sorted(m.to for m in alerts_sent(mail.outbox)) == [
        ["chief@example.org"],
        ["desk@example.org"],
    ]


def test_one_failed_address_does_not_stop_the_others(published, desk, monkeypatch):
    item = make_feedback()
    mail.outbox.clear()
    real_send = mail.EmailMessage.send

    def send(message, fail_silently=False):
        if message.to == ["editor@example.org"]:
            raise smtplib.SMTPRecipientsRefused({})
        return real_send(message, fail_silently)

    monkeypatch.setattr(mail.EmailMessage, "send", send)
    from feedback import notifications

    assert notifications.notify_editors(item) is False
    assert sorted(m.to[0] for m in alerts_sent(mail.outbox)) == [
        "admin@example.org",
        "reviewer@example.org",
    ]
    failed = item.events.get(kind="email_failed")
    assert failed.text.startswith("new_feedback: 1 of 3 not sent")
    assert not item.events.filter(kind="email_sent").exists()


# --- Daily digests ------------------------------------------------------------------------


def at(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def day(n: int, hour: float) -> datetime.datetime:
    """``hour`` o'clock (UTC, the site's zone) ``n`` days from today."""
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    return today + datetime.timedelta(days=n, hours=hour)


def recorded_at(item: Feedback, moment: datetime.datetime) -> Feedback:
    Feedback.objects.filter(pk=item.pk).update(created_at=moment)
    return item


def test_a_daily_digest_lists_the_new_comments_once_in_the_readers_language(
    published, desk, settings
):
    settings.FEEDBACK_DIGEST_HOUR = 6
    editor, reviewer, _superuser = desk
    alerts.alerts_set(user=editor, frequency=AlertFrequency.DAILY, language="ru")
    alerts.alerts_set(user=reviewer, frequency=AlertFrequency.OFF, language="en")
    EditorAlerts.objects.filter(user=editor).update(digest_through=day(-1, 10))
    older = recorded_at(make_feedback(comment="Before the digests began."), day(-2, 12))
    first = recorded_at(make_feedback(comment="Polymer frames need a metal insert."), day(0, 3))
    second = make_feedback("salw-marking", comment="Secret wording.", email="b@example.org")
    recorded_at(second, day(0, 4))
    Feedback.objects.filter(pk=second.pk).update(confidentiality=Confidentiality.SECRETARIAT)
    spam = recorded_at(make_feedback(comment="Buy now.", email="c@example.org"), day(0, 4))
    Feedback.objects.filter(pk=spam.pk).update(status=Status.SPAM)
    # Written just before the digest, committed just after: the next digest lists it.
    late = recorded_at(make_feedback(comment="Just in time.", email="e@example.org"), day(0, 6.99))
    mail.outbox.clear()

    assert alerts.send_digests(now=day(0, 5)) == 0  # before the day's hour: not yet
    assert alerts.send_digests(now=day(0, 7)) == 1
    (digest,) = mail.outbox
    assert digest.to == ["editor@example.org"]
    assert digest.subject == "2 новых комментария к руководящим принципам"
    assert first.reference in digest.body and second.reference in digest.body
    assert older.reference not in digest.body and spam.reference not in digest.body
    assert late.reference not in digest.body
    assert "Polymer frames need a metal insert." in digest.body
    assert "Secret wording." not in digest.body and "Secret wording." not in str(
        digest.alternatives
    )
    assert f"/admin/feedback/feedback/{first.pk}/change/" in digest.body
    assert "/admin/feedback-desk/alerts/" in digest.body

    # Cron runs hourly: nothing more that day; the next day, only what is new.
    for hour in (8, 12, 23.9):
        assert alerts.send_digests(now=day(0, hour)) == 0
    third = recorded_at(make_feedback(comment="Another one.", email="d@example.org"), day(0, 20))
    mail.outbox.clear()
    assert alerts.send_digests(now=day(1, 6.1)) == 1
    body = mail.outbox[0].body
    assert third.reference in body and late.reference in body
    assert first.reference not in body
    assert alerts.send_digests(now=day(1, 7.1)) == 0
    # A day without comments sends nothing.
    mail.outbox.clear()
    assert alerts.send_digests(now=day(2, 6.5)) == 0 and mail.outbox == []


def test_a_digest_that_fails_is_sent_at_the_next_run(published, desk, monkeypatch):
    editor = desk[0]
    alerts.alerts_set(user=editor, frequency=AlertFrequency.DAILY, language="en")
    item = make_feedback()
    mail.outbox.clear()

    def refuse(message, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("down")

    with monkeypatch.context() as patch:
        patch.setattr(mail.EmailMessage, "send", refuse)
        assert alerts.send_digests(now=at(1)) == 0
    assert alerts.send_digests(now=at(1.1)) == 1
    assert item.reference in mail.outbox[-1].body


def test_a_long_digest_lists_a_hundred_and_counts_the_rest(
    published, desk, django_assert_max_num_queries
):
    editor = desk[0]
    alerts.alerts_set(user=editor, frequency=AlertFrequency.DAILY, language="en")
    for n in range(alerts.DIGEST_MAX_ITEMS + 3):
        make_feedback(comment=f"Comment {n}.", email=f"p{n}@example.org")
    mail.outbox.clear()
    with django_assert_max_num_queries(12):
        assert alerts.send_digests(now=at(1)) == 1
    body = mail.outbox[0].body
    assert body.count("/admin/feedback/feedback/") == alerts.DIGEST_MAX_ITEMS + 1  # + the queue
    assert "And 3 more" in body


def test_the_digest_command_runs_from_cron(published, desk):
    alerts.alerts_set(user=desk[0], frequency=AlertFrequency.DAILY, language="en")
    EditorAlerts.objects.update(digest_through=at(-2))
    recorded_at(make_feedback(), at(-1))
    mail.outbox.clear()
    out = io.StringIO()
    call_command("feedback_send_digests", stdout=out)
    assert out.getvalue().strip() == "Digests sent: 1."
    assert len(mail.outbox) == 1


# --- The alerts page ----------------------------------------------------------------------


def test_a_person_chooses_how_they_hear_of_new_comments(editor_client, editor):
    page = editor_client.get(ALERTS, HTTP_ACCEPT_LANGUAGE="ru")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Оповещения о новых комментариях" in html
    assert page.context["form"]["frequency"].value() == "immediate"  # the default

    response = editor_client.post(
        ALERTS, {"frequency": "daily", "language": "ru"}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 302 and response["Location"] == ALERTS
    chosen = EditorAlerts.objects.get(user=editor)
    assert (chosen.frequency, chosen.language) == ("daily", "ru")
    assert chosen.digest_through is not None  # the digests start now, not with the whole queue
    page = editor_client.get(ALERTS, HTTP_ACCEPT_LANGUAGE="ru")
    assert "Сохранено" in page.content.decode()
    # Linked from every back-office page of those who triage.
    assert f'href="{ALERTS}"' in editor_client.get("/admin/").content.decode()


@pytest.mark.parametrize(
    "data",
    [{}, {"frequency": "hourly", "language": "en"}, {"frequency": "daily", "language": "fr"},
     {"frequency": "<script>", "language": "en"}],
)  # fmt: skip
def test_a_wrong_choice_gets_a_clear_message_and_changes_nothing(editor_client, editor, data):
    response = editor_client.post(ALERTS, data, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Выберите" in html and "<script>" not in html
    assert not EditorAlerts.objects.filter(user=editor).exists()


def test_the_page_says_when_nothing_can_reach_the_person(editor_client, editor, settings):
    editor.email = ""
    editor.save()
    assert "no e-mail address" in editor_client.get(ALERTS).content.decode()
    settings.FEEDBACK_NOTIFY_EMAILS = ["desk@example.org"]
    assert "fixed addresses" in editor_client.get(ALERTS).content.decode()


def test_the_alerts_page_is_for_those_who_triage(client, translator, reader):
    assert client.get(ALERTS)["Location"].startswith("/admin/login/")
    for person in (translator, reader):
        client.force_login(person)
        assert client.get(ALERTS).status_code == 403
        assert client.post(ALERTS, {"frequency": "off", "language": "en"}).status_code == 403
    assert not EditorAlerts.objects.exists()


def test_the_alerts_page_runs_a_fixed_number_of_queries(
    editor_client, editor, django_assert_max_num_queries
):
    alerts.alerts_set(user=editor, frequency=AlertFrequency.DAILY, language="en")
    with django_assert_max_num_queries(9):
        assert editor_client.get(ALERTS).status_code == 200


def test_russian_alerts_and_digests_have_no_english(published, desk):
    from feedback import notifications
    from tests.test_russian_completeness import english_in, english_words, visible_text

    words = english_words()
    editor, reviewer, _superuser = desk
    alerts.alerts_set(user=editor, frequency=AlertFrequency.DAILY, language="ru")
    alerts.alerts_set(user=reviewer, frequency=AlertFrequency.IMMEDIATE, language="ru")
    EditorAlerts.objects.update(digest_through=at(-2))
    item = make_feedback(comment="Полимерные рамки требуют металлической вставки.")
    recorded_at(item, at(-1))
    mail.outbox.clear()
    notifications.notify_editors(item)
    alerts.send_digests()
    russian = [m for m in mail.outbox if m.to[0] in (editor.email, reviewer.email)]
    assert len(russian) == 2
    for message in russian:
        html = visible_text(message.alternatives[0][0])
        for text in (message.subject, message.body, html):
            text = re.sub(r"https?://\S+", "", text.replace(item.reference, ""))  # addresses
            assert english_in(text, words) == [], text
