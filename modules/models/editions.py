"""Published editions: frozen copies of the draft in plain columns (EditionModule,
EditionSection), queryable for reading, search and comparison; nothing changes them once
written (InsertedOnce), but an edition's date can be corrected with a record of why."""

import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guidelines_portal.text import TypedTextField
from modules.models.draft import ModuleKind
from modules.models.language import Localized
from modules.search import SearchDocumentField


class PublishedError(ValidationError):
    """Published editions are never changed or deleted."""


def _refuse(*args, **kwargs):
    raise PublishedError(_("A published edition cannot be changed."))


class ImmutableQuerySet(models.QuerySet):
    """Rows of published editions: inserted once, never updated or deleted in bulk either
    (on top of the database triggers of migration 0012)."""

    update = _refuse
    delete = _refuse


class InsertedOnce(models.Model):
    """A row of a published edition: saved once, never changed or deleted afterwards."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse()


class EditionQuerySet(ImmutableQuerySet):
    def published(self) -> "EditionQuerySet":
        """Every published edition, newest first."""
        return self.order_by("-major", "-minor")

    def current(self) -> "Edition | None":
        """The edition readers see by default: the newest one."""
        return self.published().first()

    def by_number(self, number: str) -> "Edition | None":
        """The edition with this number, or None."""
        return self.filter(number=number).first()

    def set_publication_date(self, edition: "Edition", published_on: datetime.date) -> None:
        """The one change a published edition allows: its date, which is not part of its text.
        Only ``services.edition_correct_date`` calls this, recording an EditionCorrection."""
        models.QuerySet.update(self.filter(pk=edition.pk), published_on=published_on)


class Edition(InsertedOnce):
    number = models.CharField(_("number"), max_length=7, unique=True)
    major = models.PositiveSmallIntegerField(editable=False)
    minor = models.PositiveSmallIntegerField(editable=False)
    published_on = models.DateField(_("publication date"))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    change_summary_en = TypedTextField(_("change summary (English)"))
    change_summary_ru = TypedTextField(_("change summary (Russian)"), blank=True)
    change_summary_html_en = models.TextField(editable=False, blank=True)
    change_summary_html_ru = models.TextField(editable=False, blank=True)
    # Counted against the previous edition when this one is published.
    sections_added = models.PositiveIntegerField(default=0, editable=False)
    sections_changed = models.PositiveIntegerField(default=0, editable=False)
    sections_removed = models.PositiveIntegerField(default=0, editable=False)
    # SHA-256 of the edition's text in both languages (snapshots.edition_fingerprint): printed
    # in every PDF and shown on the site, so a reader can tell which text a copy holds.
    text_fingerprint = models.CharField(
        _("text fingerprint"), max_length=64, editable=False, default=""
    )
    # Why it was published with changes not approved or Russian texts not up to date ("" when
    # everything was cleared). For the editors; readers are not shown it.
    override_reason = TypedTextField(_("published without clearance because"), blank=True)

    change_summary_html = Localized("change_summary_html")

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-major", "-minor"]
        constraints = [
            models.UniqueConstraint(fields=["major", "minor"], name="edition_unique_major_minor")
        ]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")

    def __str__(self) -> str:
        return str(_("Edition %(number)s") % {"number": self.number})

    def get_absolute_url(self) -> str:
        return reverse("modules:edition_home", kwargs={"edition": self.number})


class EditionCorrection(InsertedOnce):
    """A correction of an edition's publication date, made after it was published.

    The text of an edition never changes; a date entered wrongly at publication can be put
    right through ``services.edition_correct_date``, which keeps the date before and after,
    who corrected it, when and why. Readers see the correction beside the edition. On
    PostgreSQL a trigger accepts a change of an edition's date only with its correction row,
    and refuses any change to a correction.
    """

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="corrections")
    published_on_before = models.DateField(_("publication date before the correction"))
    published_on = models.DateField(_("corrected publication date"))
    reason_en = TypedTextField(_("reason (English)"), max_length=2000)
    reason_ru = TypedTextField(_("reason (Russian)"), max_length=2000, blank=True)
    corrected_at = models.DateTimeField(_("corrected at"), auto_now_add=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corrected by"),
    )

    reason = Localized("reason")

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["corrected_at", "pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self) -> str:
        return f"{self.edition_id}: {self.published_on_before} → {self.published_on}"


class EditionModule(models.Model):
    """A module as it stood when its edition was published."""

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="modules")
    code = models.CharField(max_length=8)
    slug = models.SlugField(max_length=40)
    kind = models.CharField(max_length=10, choices=ModuleKind.choices)
    order = models.PositiveSmallIntegerField()
    number_prefix = models.CharField(max_length=16, blank=True)
    title_en = models.CharField(max_length=255)
    title_ru = models.CharField(max_length=255, blank=True)
    short_title_en = models.CharField(max_length=80)
    short_title_ru = models.CharField(max_length=80, blank=True)
    summary_html_en = models.TextField(blank=True)
    summary_html_ru = models.TextField(blank=True)

    title = Localized("title")
    short_title = Localized("short_title")
    summary_html = Localized("summary_html")

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="edition_module_unique_slug")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.edition_id})"


class EditionSectionQuerySet(ImmutableQuerySet):
    # Only the search columns are filled in after the insert (modules.search).
    SEARCH_FIELDS = frozenset({"search_en", "search_ru"})

    def update(self, **kwargs):
        if set(kwargs) - self.SEARCH_FIELDS:
            _refuse()
        return super(ImmutableQuerySet, self).update(**kwargs)

    def outline(self, *also: str) -> "EditionSectionQuerySet":
        """Only what a table of contents needs (and the fields ``also`` names), in reading
        order (no bodies)."""
        return self.only(
            "key", "parent_key", "number", "depth", "sort_key", "title_en", "title_ru",
            "module_id", "edition_id", "text_hash", *also,
        ).order_by("sort_key")  # fmt: skip

    def newest_first(self) -> "EditionSectionQuerySet":
        """With their edition and module, from the newest edition to the oldest."""
        return self.select_related("edition", "module").order_by(
            "-edition__major", "-edition__minor"
        )


class EditionSection(InsertedOnce):
    """A section as it stood when its edition was published."""

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="sections")
    module = models.ForeignKey(EditionModule, on_delete=models.PROTECT, related_name="sections")
    key = models.SlugField(max_length=80)
    parent_key = models.SlugField(max_length=80, blank=True)
    number = models.CharField(max_length=40)
    sort_key = models.CharField(max_length=255)
    depth = models.PositiveSmallIntegerField()
    title_en = models.CharField(max_length=255)
    title_ru = models.CharField(max_length=255, blank=True)
    body_en = models.TextField(blank=True)
    body_ru = models.TextField(blank=True)
    body_html_en = models.TextField(blank=True)
    body_html_ru = models.TextField(blank=True)
    # SHA-256 of the title and body in both languages: equal hashes mean unchanged text.
    text_hash = models.CharField(max_length=64, default="")
    # The Russian text was older than the English when this edition was published.
    ru_outdated = models.BooleanField(default=False)
    # Why its text changed in this edition (the draft's Section.change_reason), or "".
    change_reason_en = models.TextField(blank=True, default="")
    change_reason_ru = models.TextField(blank=True, default="")
    # Glossary terms not marked in this section (the draft's Section.glossary_off).
    glossary_off = models.TextField(blank=True, default="")
    # Filled once at publication (modules.search): a tsvector on PostgreSQL; empty on SQLite,
    # whose index is an FTS5 table per language (migration 0016).
    search_en = SearchDocumentField(null=True, editable=False)
    search_ru = SearchDocumentField(null=True, editable=False)

    title = Localized("title")
    body_html = Localized("body_html")
    change_reason = Localized("change_reason")

    objects = EditionSectionQuerySet.as_manager()

    class Meta:
        ordering = ["sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "key"], name="edition_section_unique_key")
        ]
        indexes = [models.Index(fields=["module", "sort_key"], name="edition_section_toc")]

    def __str__(self) -> str:
        return f"{self.number} {self.title_en}"

    @property
    def is_translated(self) -> bool:
        """False when the Russian title or body is missing (the page then shows English)."""
        return bool(self.title_ru and (self.body_ru or not self.body_en))

    @staticmethod
    def compute_text_hash(*, title_en: str, title_ru: str, body_en: str, body_ru: str) -> str:
        text = "\x1f".join([title_en, title_ru, body_en, body_ru])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
