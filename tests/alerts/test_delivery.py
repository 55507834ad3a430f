"""What a publication sends: one message per subscriber who follows something it changed, in
their language, with the links to each change and to leave in one click; never twice."""

import datetime
import email
import email.policy
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from alerts import messages, selectors, services, tasks
from alerts.models import Delivery, DeliveryStatus, Frequency, Scope, Subscriber
from modules import services as content
from modules.models import Edition, Section
from tests.alerts.conftest import subscribe
from tests.conftest import publish


def publish_marking_change(number: str = "1.2", **kwargs) -> Edition:
    section = Section.objects.get(key="salw-marking")
    content.section_update(
        section=section,
        body_en="Every weapon must be marked, twice.",
        body_ru="Каждая единица оружия маркируется дважды.",
        change_reason_en="Second marking.",
        change_reason_ru="Вторая маркировка.",
    )
    return publish(number, on=datetime.date(2024, 6, 1), **kwargs)


def announce(edition: Edition) -> None:
    tasks.announce_edition.call(edition.pk)


@pytest.fixture
def followers(editions):
    return {
        "section": subscribe(
            "s@example.org", scope=Scope.SECTION, target="salw-marking", language="ru"
        ),
        "module": subscribe("m@example.org", scope=Scope.MODULE, target="salw"),
        "whole": subscribe("w@example.org"),
        "other": subscribe("o@example.org", scope=Scope.SECTION, target="uas-scope"),
        "weekly": subscribe("k@example.org", frequency=Frequency.WEEKLY),
        "unconfirmed": subscribe("u@example.org", confirm=False),
    }


def test_a_publication_tells_each_follower_once_in_their_language(followers):
    mail.outbox.clear()
    edition = publish_marking_change()
    announce(edition)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["m@example.org", "s@example.org", "w@example.org"]
    russian = next(m for m in mail.outbox if m.to == ["s@example.org"])
    assert "Издание 1.2" in russian.subject
    assert "/ru/editions/1.1/compare/1.2/sections/salw-marking/" in russian.body
    assert "Вторая маркировка." in russian.body
    assert "Изменён" in russian.body
    assert "Changes in" not in russian.body  # the Russian summary, not the English one
    english = next(m for m in mail.outbox if m.to == ["w@example.org"])
    assert "/en/editions/1.1/compare/1.2/sections/salw-marking/" in english.body
    assert "Second marking." in english.body
    # Run again (a retry, a restart): nothing more.
    announce(edition)
    assert len(mail.outbox) == 3
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 3


def test_every_message_offers_one_click_unsubscription(followers):
    mail.outbox.clear()
    announce(publish_marking_change())
    message = next(m for m in mail.outbox if m.to == ["w@example.org"])
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = parsed["List-Unsubscribe"].strip()  # folded after the colon: still one value
    found = re.fullmatch(r"<(https?://[^>]+)>", header)
    assert found, header
    address = found.group(1)
    path = address.split("://", 1)[1].split("/", 1)[1]
    assert path.startswith("en/alerts/unsubscribe/")
    assert address in message.body  # and in the text, for people
    # What a mail program does (RFC 8058): a POST, from outside the site, no cookie.
    response = Client(enforce_csrf_checks=True).post(
        "/" + path, {"List-Unsubscribe": "One-Click"}, HTTP_ORIGIN="https://mail.example.net"
    )
    assert response.status_code == 200
    assert not Subscriber.objects.filter(email="w@example.org").exists()


def test_an_interrupted_message_is_not_sent_again(followers):
    mail.outbox.clear()
    edition = publish_marking_change(notify=False)
    services.edition_deliveries_plan(edition)
    # A worker claimed one and died before marking it sent.
    stuck = Delivery.objects.get(subscriber=followers["whole"])
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    Delivery.objects.filter(pk=stuck.pk).update(status=DeliveryStatus.SENDING, claimed_at=long_ago)
    announce(edition)
    assert sorted(m.to[0] for m in mail.outbox) == ["m@example.org", "s@example.org"]
    assert Delivery.objects.get(pk=stuck.pk).status == DeliveryStatus.UNCERTAIN


def test_a_failed_send_is_tried_again_then_given_up(followers, monkeypatch):
    edition = publish_marking_change(notify=False)
    services.edition_deliveries_plan(edition)
    compose = messages.for_edition(
        selectors.edition_changes(edition, Edition.objects.get(number="1.1"))
    )

    def broken(subscriber, follows):
        message = compose(subscriber, follows)
        message.send = lambda *a, **k: (_ for _ in ()).throw(OSError("mail server down"))
        return message

    batch = services.edition_batch(edition)
    for _attempt in range(services.MAX_ATTEMPTS):
        report = services.deliveries_send(batch, broken)
    assert report.failed == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.FAILED}


def test_nothing_is_planned_for_followers_of_unchanged_text(followers):
    edition = publish_marking_change(notify=False)
    assert services.edition_deliveries_plan(edition) == 3
    assert not Delivery.objects.filter(subscriber=followers["other"]).exists()
    assert not Delivery.objects.filter(subscriber=followers["weekly"]).exists()


def test_a_weekly_digest_lists_the_week_s_editions_once(followers):
    mail.outbox.clear()
    publish_marking_change(notify=False)
    tasks.send_digests()
    digests = [m for m in mail.outbox if m.to == ["k@example.org"]]
    assert len(digests) == 1
    assert "1.2" in digests[0].body and "salw-marking" in digests[0].body
    tasks.send_digests()  # run daily by cron: one a week
    assert len([m for m in mail.outbox if m.to == ["k@example.org"]]) == 1


def test_unconfirmed_addresses_are_erased_when_their_link_expires(followers):
    later = timezone.now() + datetime.timedelta(days=8)
    services.forget_unconfirmed(now=later)
    assert not Subscriber.objects.filter(email="u@example.org").exists()
    assert Subscriber.objects.filter(email="w@example.org").exists()


def test_announcing_runs_two_queries_per_message_and_a_few_per_500(
    editions, django_assert_max_num_queries
):
    now = timezone.now()
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(email=f"r{n}@example.org", language="en", key=f"k{n}", confirmed_at=now)
        for n in range(200)
    )
    from alerts.models import Follow

    Follow.objects.bulk_create(
        Follow(subscriber=s, scope=Scope.WHOLE, target="", confirmed_at=now) for s in subscribers
    )
    edition = publish_marking_change(notify=False)
    mail.outbox.clear()
    # Per message: claim and mark sent (2); per 500: the deliveries and the follows (2); the
    # edition, its predecessor and the comparison once.
    with django_assert_max_num_queries(2 * 200 + 20):
        announce(edition)
    assert len(mail.outbox) == 200
