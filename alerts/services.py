"""Every write the alerts app makes: subscribing, confirming, changing, leaving, and the
deliveries that tell subscribers what a new edition changed.

Delivery is exactly-once-or-never per subscriber and batch: the row is unique, claimed
(pending → sending) by one conditional UPDATE before the message leaves, and marked sent
after. A worker that dies between the two leaves the row "sending"; the next run marks such
rows "uncertain" and does not send them again.
"""

import datetime
import logging
from dataclasses import dataclass

from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from alerts import links, selectors
from alerts.models import (
    Delivery,
    DeliveryStatus,
    Erasure,
    Follow,
    Frequency,
    Subscriber,
)
from guidelines_portal.mail import SEND_ERRORS, compose
from modules.models import Edition

log = logging.getLogger(__name__)

# At most this many confirmation messages to one address a day, whoever asks.
CONFIRMATIONS_PER_DAY = 3
REPEAT_WINDOW = datetime.timedelta(minutes=2)
# A message claimed longer ago than this, and never marked sent, is taken as interrupted.
SENDING_TIMEOUT = datetime.timedelta(minutes=30)
MAX_ATTEMPTS = 3
CHUNK = 500


def normalised(email: str) -> str:
    """One address, one subscriber: surrounding space dropped, letters in lower case (no mail
    system of the readers' governments tells two addresses apart by case)."""
    return email.strip().lower()


@dataclass
class Request:
    """What a subscription form asked for (the response never says whether the address was
    known: ``send`` is for the caller's e-mail task only)."""

    subscriber: Subscriber
    send: bool


@transaction.atomic
def subscription_request(
    *, email: str, language: str, frequency: str, scope: str, target: str, now=None
) -> Request:
    """Record a request to follow ``scope``/``target``: the address's subscriber (made if
    new, in ``language`` and ``frequency``) and a follow waiting for confirmation. A known
    address keeps its own language and frequency: only its confirmed owner changes them."""
    now = now or timezone.now()
    subscriber, _created = Subscriber.objects.select_for_update().get_or_create(
        email=normalised(email),
        defaults={"language": language, "frequency": frequency, "key": links.new_key()},
    )
    _follow, new = Follow.objects.get_or_create(subscriber=subscriber, scope=scope, target=target)
    since = subscriber.confirmations_since
    if since is None or now - since > datetime.timedelta(days=1):
        subscriber.confirmations_since, subscriber.confirmations_sent = now, 0
    last = subscriber.last_confirmation_at
    # A double click or a reload asks for nothing new: one message is enough.
    repeated = not new and last is not None and now - last < REPEAT_WINDOW
    send = not repeated and subscriber.confirmations_sent < CONFIRMATIONS_PER_DAY
    if send:
        subscriber.confirmations_sent += 1
        subscriber.last_confirmation_at = now
    subscriber.save(
        update_fields=["confirmations_since", "confirmations_sent", "last_confirmation_at"]
    )
    return Request(subscriber, send)


def subscription_confirmation(subscriber_id: int) -> None:
    """Send the confirmation message (the worker's part of subscription_request)."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return
    pending = list(subscriber.follows.filter(confirmed_at__isnull=True))
    confirmed = list(subscriber.follows.filter(confirmed_at__isnull=False))
    current = Edition.objects.current()
    with translation.override(subscriber.language):
        context = {
            "pending": selectors.follow_labels(pending, current),
            "confirmed": selectors.follow_labels(confirmed, current),
            "confirm_url": links.url(
                "confirm", links.confirm_token(subscriber.key), subscriber.language
            ),
            "manage_url": links.url(
                "manage", links.manage_token(subscriber.key), subscriber.language
            ),
            "days": links.CONFIRM_MAX_AGE // 86400,
        }
    message = compose(
        "alerts/emails/confirm",
        to=[subscriber.email],
        language=subscriber.language,
        context=context,
    )
    try:
        message.send()
    except SEND_ERRORS:
        log.exception("Confirmation message to %s not sent", subscriber)


@transaction.atomic
def subscription_confirm(subscriber: Subscriber, *, now=None) -> int:
    """Confirm the subscriber and every follow waiting; the number of follows confirmed."""
    now = now or timezone.now()
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = now
        subscriber.digest_since = now
        subscriber.save(update_fields=["confirmed_at", "digest_since"])
    return subscriber.follows.filter(confirmed_at__isnull=True).update(confirmed_at=now)


def subscription_change(subscriber: Subscriber, *, frequency: str, language: str) -> None:
    subscriber.frequency, subscriber.language = frequency, language
    subscriber.save(update_fields=["frequency", "language"])


@transaction.atomic
def follow_remove(subscriber: Subscriber, follow_id: int) -> bool:
    """Stop following one thing; True when that was the last, and the address is erased."""
    subscriber.follows.filter(pk=follow_id).delete()
    if not subscriber.follows.filter(confirmed_at__isnull=False).exists():
        subscriber_erase(subscriber)
        return True
    return False


@transaction.atomic
def subscriber_erase(subscriber: Subscriber, *, now=None) -> None:
    """Unsubscribe: the address and everything about it deleted, one more counted."""
    now = now or timezone.now()
    counted = subscriber.confirmed_at is not None
    Subscriber.objects.filter(pk=subscriber.pk).delete()
    if counted:
        month = now.date().replace(day=1)
        Erasure.objects.get_or_create(month=month)
        Erasure.objects.filter(month=month).update(count=F("count") + 1)


def forget_unconfirmed(*, now=None) -> int:
    """Erase addresses never confirmed, and follows never confirmed, once their link expired."""
    now = now or timezone.now()
    before = now - datetime.timedelta(seconds=links.CONFIRM_MAX_AGE)
    Follow.objects.filter(confirmed_at__isnull=True, created_at__lt=before).delete()
    deleted, _by_model = Subscriber.objects.filter(
        confirmed_at__isnull=True, created_at__lt=before
    ).delete()
    return deleted


# Deliveries


def edition_batch(edition: Edition) -> str:
    return f"edition:{edition.number}"


def week_batch(moment: datetime.datetime) -> str:
    year, week, _day = timezone.localtime(moment, datetime.UTC).isocalendar()
    return f"week:{year}-W{week:02d}"


def previous_edition(edition: Edition) -> Edition | None:
    older = Edition.objects.published().filter(
        Q(major__lt=edition.major) | Q(major=edition.major, minor__lt=edition.minor)
    )
    return older.first()


def edition_deliveries_plan(edition: Edition) -> int:
    """A delivery for each confirmed subscriber (each edition) who follows something this
    edition changed; none twice (a second run adds nothing). The number planned now."""
    previous = previous_edition(edition)
    if previous is None:
        return 0
    lines = selectors.edition_changes(edition, previous).lines
    if not lines:
        return 0
    subscribers = Subscriber.objects.filter(
        frequency=Frequency.IMMEDIATE, confirmed_at__isnull=False
    ).values_list("pk", flat=True)
    batch = edition_batch(edition)
    planned = 0
    ids = list(subscribers)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        follows = selectors.confirmed_follows(chunk)
        rows = [
            Delivery(subscriber_id=pk, batch=batch)
            for pk in chunk
            if selectors.followed_lines(lines, follows.get(pk, []))
        ]
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        planned += len(rows)
    return planned


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    left: int = 0


def _interrupted(batch: str, now: datetime.datetime) -> None:
    stale = Delivery.objects.filter(
        batch=batch, status=DeliveryStatus.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
    )
    count = stale.update(status=DeliveryStatus.UNCERTAIN)
    if count:
        log.warning("%s alert message(s) of %s interrupted: not sent again", count, batch)


def deliveries_send(batch: str, compose_for, *, sent=None, now=None) -> SendReport:
    """Send the pending deliveries of ``batch``; ``compose_for(subscriber, follows)`` makes
    the message (None: nothing to say after all), ``sent(subscriber)`` runs after each
    message left. One SMTP connection for the run."""
    now = now or timezone.now()
    _interrupted(batch, now)
    report = SendReport()
    pending = Delivery.objects.filter(batch=batch, status=DeliveryStatus.PENDING)
    if not pending.exists():
        return report  # no connection to the mail server for nothing
    connection = get_connection()
    last = 0
    with connection:
        while True:
            chunk = list(
                pending.filter(pk__gt=last).select_related("subscriber").order_by("pk")[:CHUNK]
            )
            if not chunk:
                break
            last = chunk[-1].pk
            follows = selectors.confirmed_follows(d.subscriber_id for d in chunk)
            for delivery in chunk:
                follows_of = follows.get(delivery.subscriber_id, [])
                if _send_one(delivery, follows_of, compose_for, connection, report) and sent:
                    sent(delivery.subscriber)
    report.left = pending.count()
    return report


def _send_one(delivery, follows, compose_for, connection, report) -> bool:
    claimed = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return False  # another worker has it
    message = compose_for(delivery.subscriber, follows)
    if message is None:
        Delivery.objects.filter(pk=delivery.pk).delete()
        return False
    message.connection = connection
    try:
        message.send()
    except SEND_ERRORS:
        log.exception("Alert message %s not sent", delivery)
        failed = delivery.attempts + 1 >= MAX_ATTEMPTS
        status = DeliveryStatus.FAILED if failed else DeliveryStatus.PENDING
        Delivery.objects.filter(pk=delivery.pk).update(status=status)
        report.failed += 1
        return False
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now()
    )
    report.sent += 1
    return True


def weekly_deliveries_plan(*, now=None) -> str:
    """This week's digest batch, planned for each weekly subscriber with news since their
    last digest; the batch name."""
    now = now or timezone.now()
    batch = week_batch(now)
    published = list(Edition.objects.published().filter(published_at__lte=now))
    if len(published) < 2:
        return batch
    # Every edition but the first has a predecessor to be compared with.
    newest_news = max(e.published_at for e in published[:-1])
    candidates = Subscriber.objects.filter(
        frequency=Frequency.WEEKLY, confirmed_at__isnull=False, digest_since__lt=newest_news
    ).values_list("pk", flat=True)
    rows = [Delivery(subscriber_id=pk, batch=batch) for pk in candidates.iterator(CHUNK)]
    for start in range(0, len(rows), CHUNK):
        Delivery.objects.bulk_create(rows[start : start + CHUNK], ignore_conflicts=True)
    return batch


def digest_sent(subscriber: Subscriber, until: datetime.datetime) -> None:
    """The digest listed everything published up to ``until``: the next starts there."""
    Subscriber.objects.filter(pk=subscriber.pk).update(digest_since=until)


def unsubscribe_headers(subscriber: Subscriber) -> dict[str, str]:
    """RFC 8058 one-click unsubscription, as mail programs offer it beside the sender."""
    address = links.url("unsubscribe", links.unsubscribe_token(subscriber.key), subscriber.language)
    return {
        "List-Unsubscribe": f"<{address}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def follow_add(subscriber: Subscriber, scope: str, target: str) -> Follow:
    """From the manage page (the link proves the owner): follow at once, no confirmation."""
    try:
        with transaction.atomic():
            follow, _ = Follow.objects.get_or_create(
                subscriber=subscriber, scope=scope, target=target,
                defaults={"confirmed_at": timezone.now()},
            )  # fmt: skip
    except IntegrityError:
        follow = Follow.objects.get(subscriber=subscriber, scope=scope, target=target)
    return follow
