"""Clearance: a change to a section of the working draft, submitted for review and approved
(or sent back) by someone other than its authors before it is published."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guidelines_portal.text import TypedTextField
from modules.models.draft import Section


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Sent back")


class SectionReview(models.Model):
    """One submission of a section's change for review, and its outcome.

    It concerns the section's text as submitted (``text_hash``, snapshots.text_hash): once the
    text changes again, the submission and any approval lapse, and the change is submitted
    again. Rows are kept as the section's record of clearance.
    """

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="reviews")
    text_hash = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    comment = TypedTextField(_("reviewer's comment"), blank=True, max_length=4000)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("section review")
        verbose_name_plural = _("section reviews")

    def __str__(self) -> str:
        return f"{self.section_id} {self.status} ({self.text_hash[:8]})"
