"""Edition PDFs: built once in the background, their state recorded."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.models.editions import Edition


class PDFStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Being built")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class EditionPDF(models.Model):
    """The PDF of a published edition, whole (module_slug "") or one module, in one language;
    for reading, or (``review``) the review kit's copy: every paragraph's identifier in the
    margin (B.4.5 ¶3, as the comment table names it) and room for notes.

    Built once in the background (modules.tasks); the row records its state, so a reader
    asking too early sees "being prepared", and a failure is kept with its error and retried.
    """

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="pdfs")
    module_slug = models.SlugField(max_length=40, blank=True)
    language = models.CharField(max_length=5, choices=settings.LANGUAGES)
    review = models.BooleanField(_("review copy"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=PDFStatus.choices, default=PDFStatus.QUEUED
    )
    file = models.FileField(upload_to="pdfs/", blank=True)
    filename = models.CharField(max_length=100, blank=True)
    pages = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(null=True, blank=True)
    build_seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("edition PDF")
        verbose_name_plural = _("edition PDFs")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "module_slug", "language", "review"],
                name="edition_pdf_unique_copy",
            )
        ]

    def __str__(self) -> str:
        return self.filename or f"{self.edition_id} {self.module_slug or 'all'} {self.language}"
