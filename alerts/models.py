"""Readers who asked to be told by e-mail when the text they follow changes.

A subscriber is an address, a language and a rhythm (each edition, or a weekly digest); what
they follow is a list of ``Follow`` rows (the whole guidelines, a module, a section), each
confirmed from the e-mail it caused (double opt-in). No account: the links in the messages
carry a signed, random key (alerts.links). The address is kept only while the subscription
lasts: unsubscribing deletes the row and counts one more ``Erasure`` for the month.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("A message for each new edition")
    WEEKLY = "weekly", _("One weekly digest")


class Scope(models.TextChoices):
    WHOLE = "whole", _("The whole guidelines")
    MODULE = "module", _("A module")
    SECTION = "section", _("A section")


class Subscriber(models.Model):
    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    frequency = models.CharField(
        _("how often"), max_length=16, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    # Random, never shown alone: links carry it signed (alerts.links).
    key = models.CharField(max_length=32, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Confirmation messages sent in the current day (a flood sends no more than a few).
    confirmations_sent = models.PositiveSmallIntegerField(default=0)
    confirmations_since = models.DateTimeField(null=True, blank=True)
    last_confirmation_at = models.DateTimeField(null=True, blank=True)
    # Weekly digests list the editions published after this moment.
    digest_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        indexes = [models.Index(fields=["frequency", "confirmed_at"])]

    def __str__(self) -> str:
        return f"subscriber {self.pk}"  # never the address: this reaches logs


class Follow(models.Model):
    """What one subscriber follows: the whole text, a module (slug) or a section (key)."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="follows")
    scope = models.CharField(max_length=16, choices=Scope.choices)
    target = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "scope", "target"], name="alerts_follow_once"
            ),
            models.CheckConstraint(
                condition=models.Q(scope="whole", target="") | ~models.Q(scope="whole"),
                name="alerts_follow_whole_has_no_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.target}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    # The worker stopped while sending it: whether it left is unknown, so it is not sent
    # again (nothing is sent twice).
    UNCERTAIN = "uncertain", _("interrupted")
    FAILED = "failed", _("failed")


class Delivery(models.Model):
    """One message to one subscriber about one batch: an edition ("edition:1.2") or a week's
    digest ("week:2026-W49"). Unique per subscriber and batch, claimed before it is sent."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    batch = models.CharField(max_length=40)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "batch"], name="alerts_delivery_once")
        ]
        indexes = [models.Index(fields=["batch", "status"])]

    def __str__(self) -> str:
        return f"{self.batch} → subscriber {self.subscriber_id}"


class Erasure(models.Model):
    """How many subscriptions ended in a month (their addresses are gone)."""

    month = models.DateField(unique=True)
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.count}"
