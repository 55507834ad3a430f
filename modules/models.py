"""Guidelines content: the working draft (Module, Section) and published editions.

The working draft is translated with django-modeltranslation (see translation.py) and
versioned with django-reversion (see versioning.py). A published edition is a frozen copy
of the draft in plain columns (EditionModule, EditionSection), queryable for reading,
search and comparison; nothing changes it once it is written.
"""

import datetime
import hashlib
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from guidelines_portal.text import TypedTextField
from modules.markdown import render_markdown
from modules.search import SearchDocumentField

SOURCE_LANGUAGE = "en"
LANGS = tuple(code for code, _name in settings.LANGUAGES)
EDITION_NUMBER_RE = r"(?:0|[1-9][0-9]{0,2})\.(?:0|[1-9][0-9]{0,2})"


class ModuleKind(models.TextChoices):
    GENERAL = "general", _("General part")
    THEMATIC = "thematic", _("Thematic module")
    ANNEX = "annex", _("Annexes")


# --- Working draft ---------------------------------------------------------------------


class ModuleQuerySet(models.QuerySet):
    def in_order(self) -> "ModuleQuerySet":
        """Modules in reading order."""
        return self.order_by("order", "code")


class Module(models.Model):
    code = models.CharField(
        _("code"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,8}$", _("Use 2 to 8 capital letters."))],
        help_text=_("Short code, e.g. SALW."),
    )
    slug = models.SlugField(_("slug"), max_length=40, unique=True, help_text=_("Used in URLs."))
    kind = models.CharField(_("kind"), max_length=10, choices=ModuleKind.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    number_prefix = models.CharField(
        _("number prefix"),
        max_length=16,
        blank=True,
        help_text=_('Put before section numbers, e.g. "B." gives B.1, B.2.3.'),
    )
    title = models.CharField(_("title"), max_length=255)
    short_title = models.CharField(_("short title"), max_length=80)
    summary = TypedTextField(_("executive summary"), blank=True, help_text=_("Markdown."))
    summary_html = models.TextField(editable=False, blank=True)

    objects = ModuleQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def __str__(self) -> str:
        return f"{self.code}: {self.short_title}"

    def save(self, *args, **kwargs) -> None:
        # Derived HTML of this row only; rendering once here keeps pages cheap.
        for lang, _name in settings.LANGUAGES:
            text = getattr(self, f"summary_{lang}") or ""
            setattr(self, f"summary_html_{lang}", render_markdown(text, id_prefix="summary"))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The staff preview: draft rows are never public ("View on site" in the admin)."""
        return reverse("modules:preview_module", kwargs={"module": self.slug})


class SectionQuerySet(models.QuerySet):
    def in_module(self, module: Module) -> "SectionQuerySet":
        """Sections of one module, in reading order."""
        return self.filter(module=module).order_by("sort_key")

    def siblings_of(self, *, module: Module, parent: "Section | None") -> "SectionQuerySet":
        """Sections sharing a parent, in order."""
        return self.filter(module=module, parent=parent).order_by("position", "pk")


class Section(models.Model):
    module = models.ForeignKey(
        Module, on_delete=models.PROTECT, related_name="sections", verbose_name=_("module")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent section"),
    )
    key = models.SlugField(
        _("key"),
        max_length=80,
        unique=True,
        help_text=_("Permanent identifier used in links. It never changes once created."),
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Order among the sections with the same parent.")
    )
    number = models.CharField(_("number"), max_length=40, editable=False, blank=True)
    sort_key = models.CharField(max_length=255, editable=False, blank=True, db_index=True)
    depth = models.PositiveSmallIntegerField(editable=False, default=1)
    title = models.CharField(_("title"), max_length=255)
    body = TypedTextField(
        _("body"), blank=True, help_text=_("Markdown, with tables and footnotes.")
    )
    body_html = models.TextField(editable=False, blank=True)
    # When the English and the Russian texts last changed: a Russian text older than the
    # English it translates may be out of date.
    en_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    ru_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["module__order", "sort_key"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        permissions = [
            # Translators may change sections, but only their Russian text.
            ("edit_source_text", _("Can edit the English text and the structure")),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    def save(self, *args, **kwargs) -> None:
        for lang, _name in settings.LANGUAGES:
            text = getattr(self, f"body_{lang}") or ""
            setattr(self, f"body_html_{lang}", render_markdown(text, id_prefix=self.key))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The staff preview: draft rows are never public ("View on site" in the admin)."""
        return reverse(
            "modules:preview_section", kwargs={"module": self.module.slug, "key": self.key}
        )

    def clean(self) -> None:
        super().clean()
        if self.parent_id is None:
            return
        if self.parent.module_id != self.module_id:
            raise ValidationError(
                {"parent": _("The parent section must belong to the same module.")}
            )
        if self.pk is not None and self.pk in self._ancestor_ids_including(self.parent):
            raise ValidationError(
                {
                    "parent": _(
                        "A section cannot be moved under itself or one of its own sub-sections."
                    )
                }
            )

    @property
    def russian_outdated(self) -> bool:
        """The Russian text exists but is older than the latest English change."""
        return bool(
            self.ru_changed_at and self.en_changed_at and self.ru_changed_at < self.en_changed_at
        )

    @staticmethod
    def _ancestor_ids_including(section: "Section") -> set[int]:
        ids: set[int] = set()
        node: Section | None = section
        while node is not None and node.pk not in ids:
            ids.add(node.pk)
            node = node.parent
        return ids


class SectionReplacement(models.Model):
    """An editor's note that a removed section's content now lives in another section.

    Shown to readers who follow a link to the removed section in the current edition.
    """

    removed_key = models.SlugField(
        _("removed section key"),
        max_length=80,
        unique=True,
        help_text=_("The key of the section that no longer exists, e.g. uas-geofencing."),
    )
    replaced_by = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        related_name="replaces",
        verbose_name=_("replaced by"),
        help_text=_("The section of the working draft that now holds its content."),
    )
    note = TypedTextField(_("note"), blank=True, help_text=_("Optional explanation for readers."))

    class Meta:
        verbose_name = _("section replacement")
        verbose_name_plural = _("section replacements")

    def __str__(self) -> str:
        return f"{self.removed_key} → {self.replaced_by.key}"

    def clean(self) -> None:
        super().clean()
        if Section.objects.filter(key=self.removed_key).exists():
            raise ValidationError(
                {"removed_key": _("A section with this key still exists in the working draft.")}
            )


# --- Published editions ----------------------------------------------------------------


class Localized:
    """Read ``<name>_<active language>``, falling back to English when it is empty."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        value = getattr(obj, f"{self.name}_{active_language()}", "")
        return value or getattr(obj, f"{self.name}_{SOURCE_LANGUAGE}", "")


def active_language() -> str:
    lang = (get_language() or SOURCE_LANGUAGE).split("-")[0]
    return lang if lang in dict(settings.LANGUAGES) else SOURCE_LANGUAGE


def parse_edition_number(number: str) -> tuple[int, int]:
    """Split "1.10" into (1, 10); ValidationError for anything else."""
    if not re.fullmatch(EDITION_NUMBER_RE, number or ""):
        raise ValidationError(
            _("An edition number has the form MAJOR.MINOR, for example 1.2 or 2.0."),
            code="invalid",
        )
    major, minor = number.split(".")
    return int(major), int(minor)


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

    def outline(self) -> "EditionSectionQuerySet":
        """Only what a table of contents needs, in reading order (no bodies)."""
        return self.only(
            "key", "parent_key", "number", "depth", "sort_key", "title_en", "title_ru",
            "module_id", "edition_id", "text_hash",
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
    # Filled once at publication (modules.search): tsvector on PostgreSQL, text on SQLite.
    search_en = SearchDocumentField(null=True, editable=False)
    search_ru = SearchDocumentField(null=True, editable=False)

    title = Localized("title")
    body_html = Localized("body_html")

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


class PDFStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Being built")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class EditionPDF(models.Model):
    """The PDF of a published edition, whole (module_slug "") or one module, in one language.

    Built once in the background (modules.tasks); the row records its state, so a reader
    asking too early sees "being prepared", and a failure is kept with its error and retried.
    """

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="pdfs")
    module_slug = models.SlugField(max_length=40, blank=True)
    language = models.CharField(max_length=5, choices=settings.LANGUAGES)
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
                fields=["edition", "module_slug", "language"], name="edition_pdf_unique"
            )
        ]

    def __str__(self) -> str:
        return self.filename or f"{self.edition_id} {self.module_slug or 'all'} {self.language}"
