"""The working draft: modules and their numbered sections, translated with
django-modeltranslation (translation.py) and versioned with django-reversion (versioning.py)."""

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guidelines_portal.text import TypedTextField
from modules.markdown import render_markdown


class ModuleKind(models.TextChoices):
    GENERAL = "general", _("General part")
    THEMATIC = "thematic", _("Thematic module")
    ANNEX = "annex", _("Annexes")


class ModuleQuerySet(models.QuerySet):
    def in_order(self) -> "ModuleQuerySet":
        """Modules in reading order."""
        return self.order_by("order", "code")


ModuleManager = models.Manager.from_queryset(ModuleQuerySet)


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

    objects: ClassVar[ModuleManager] = ModuleManager()

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


SectionManager = models.Manager.from_queryset(SectionQuerySet)


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
    # Why the section changes in the next edition: frozen with it when it is published (if its
    # text changed), shown to readers on the section's change page, then cleared here.
    change_reason = TypedTextField(
        _("reason for the change"),
        blank=True,
        max_length=2000,
        help_text=_(
            "Why this section changes in the next edition, in a sentence or two: readers see it "
            "on the section's change page. Tick the feedback it answers below. Cleared once "
            "the edition is published."
        ),
    )
    # Glossary terms not marked in this section's text (modules.glossary), one per line.
    glossary_off = TypedTextField(
        _("glossary terms not marked"),
        blank=True,
        max_length=4000,
        help_text=_(
            "Terms of the glossary annex that should not be marked with their definition in "
            "this section, one per line, as the glossary writes them in English or Russian "
            "(for example where the word is used in another sense)."
        ),
    )
    # When the English and the Russian texts last changed: a Russian text older than the
    # English it translates may be out of date.
    en_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    ru_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects: ClassVar[SectionManager] = SectionManager()

    if TYPE_CHECKING:  # one column per language, added by django-modeltranslation
        title_en: str
        title_ru: str
        body_en: str
        body_ru: str
        body_html_en: str
        body_html_ru: str
        change_reason_en: str
        change_reason_ru: str

    class Meta:
        ordering = ["module__order", "sort_key"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        permissions = [
            # Translators may change sections, but only their Russian text.
            ("edit_source_text", _("Can edit the English text and the structure")),
            # Approve or send back other people's changes before they are published.
            ("review_change", _("Can approve changes to sections")),
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
        parent = self.parent
        if parent is None:
            return
        if parent.module_id != self.module_id:
            raise ValidationError(
                {"parent": _("The parent section must belong to the same module.")}
            )
        if self.pk is not None and self.pk in self._ancestor_ids_including(parent):
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

    objects: ClassVar[models.Manager["SectionReplacement"]] = models.Manager()

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
