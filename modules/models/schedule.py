"""Editions set to be published later, by the background worker, at a chosen moment."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guidelines_portal.text import TypedTextField
from modules.models.editions import Edition

# A moment closer than this to now is refused: publish at once instead.
SCHEDULE_MARGIN = datetime.timedelta(minutes=1)


class ScheduleStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")


class ScheduledPublicationQuerySet(models.QuerySet):
    def waiting(self) -> "ScheduledPublication | None":
        """The publication scheduled and not yet done (one at most), or None."""
        return self.filter(status=ScheduleStatus.SCHEDULED).first()


class ScheduledPublication(models.Model):
    """An edition an editor confirmed and set to be published at ``publish_at``.

    ``snapshot`` holds the working draft frozen as it was confirmed (the modules and sections
    the edition will have), so the worker publishes exactly that text, whatever is edited in
    the draft meanwhile. One publication at most is scheduled at a time (a constraint), and
    nothing is published by hand while it is; it can be cancelled until its moment.
    """

    number = models.CharField(_("edition number"), max_length=7)
    publish_at = models.DateTimeField(_("to be published at"))
    change_summary_en = TypedTextField(_("change summary (English)"))
    change_summary_ru = TypedTextField(_("change summary (Russian)"), blank=True)
    override_reason = TypedTextField(_("published without clearance because"), blank=True)
    snapshot = models.JSONField(editable=False)
    fingerprint = models.CharField(_("text fingerprint"), max_length=64, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ScheduleStatus.choices,
        default=ScheduleStatus.SCHEDULED,
    )
    scheduled_at = models.DateTimeField(_("scheduled at"), auto_now_add=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("scheduled by"),
    )
    # When it was published, cancelled or failed, and by whom it was cancelled.
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    failure = models.TextField(_("why it was not published"), blank=True)

    objects = ScheduledPublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-scheduled_at", "-pk"]
        verbose_name = _("scheduled publication")
        verbose_name_plural = _("scheduled publications")
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="scheduled"),
                name="one_publication_scheduled",
                violation_error_message=_("Another edition is already scheduled."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} @ {self.publish_at:%Y-%m-%d %H:%M} UTC ({self.status})"

    @property
    def pdfs_expected(self) -> int:
        """Its PDFs: the whole text and each module, in each language."""
        return len(settings.LANGUAGES) * (1 + len(self.snapshot.get("modules", [])))

    @property
    def pdfs_made(self) -> int:
        """How many of them are made ahead of its moment (tasks.build_scheduled_pdfs)."""
        return self.pdfs.exclude(sha256="").count()


class ScheduledPDF(models.Model):
    """A PDF of a scheduled edition, made from its frozen text before its moment, so that the
    edition's PDFs are ready the moment it is published (its EditionPDF rows then take these
    files). One per module or the whole text, per language."""

    scheduled = models.ForeignKey(
        ScheduledPublication, on_delete=models.CASCADE, related_name="pdfs"
    )
    module_slug = models.SlugField(max_length=40, blank=True)
    language = models.CharField(max_length=5, choices=settings.LANGUAGES)
    file = models.FileField(upload_to="pdfs/", blank=True)
    filename = models.CharField(max_length=100, blank=True)
    pages = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    build_seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("PDF of a scheduled edition")
        verbose_name_plural = _("PDFs of scheduled editions")
        constraints = [
            models.UniqueConstraint(
                fields=["scheduled", "module_slug", "language"], name="scheduled_pdf_unique"
            )
        ]

    def __str__(self) -> str:
        return self.filename or f"{self.scheduled_id} {self.module_slug or 'all'} {self.language}"
