import datetime
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guidelines_portal.edit_guard import ConcurrentEditGuard
from guidelines_portal.text import TypedTextFormField
from modules import glossary
from modules.models import LANGS, SCHEDULE_MARGIN, Edition, parse_edition_number

MAX_PREVIEW_LENGTH = 200_000


# A Markdown field with the back office's live preview (static/admin-portal), labelled in the
# editor's language.
MARKDOWN_ATTRS = {
    "rows": 8,
    "class": "vLargeTextField markdown-field",
    "data-preview-label": _("Preview"),
}


class EditionPublishForm(forms.Form):
    number = forms.CharField(
        label=_("Edition number"),
        max_length=7,
        help_text=_("MAJOR.MINOR, greater than the latest edition, e.g. 1.2 or 2.0."),
    )
    published_on = forms.DateField(
        label=_("Publication date"),
        initial=timezone.localdate,
        # A date input takes ISO dates whatever the language (Russian would write 01.12.2026).
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    change_summary_en = TypedTextFormField(
        label=_("Change summary (English)"),
        widget=forms.Textarea(attrs=MARKDOWN_ATTRS),
        max_length=20_000,
        help_text=_("Markdown. What changed in this edition and why."),
    )
    change_summary_ru = TypedTextFormField(
        label=_("Change summary (Russian)"),
        widget=forms.Textarea(attrs=MARKDOWN_ATTRS),
        max_length=20_000,
        required=False,
    )

    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=_(
            "Leave empty to publish at once. Or a moment in UTC (24-hour clock) for the "
            "background worker to publish it then; the edition is dated that day."
        ),
    )

    override_reason = TypedTextFormField(
        label=_("Publish anyway, because"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        required=False,
        max_length=2000,
        help_text=_(
            "Only when changes are not approved or Russian texts are not up to date: why it "
            "cannot wait. Recorded with the edition."
        ),
    )

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        parse_edition_number(number)
        return number

    def clean_publish_at(self) -> datetime.datetime | None:
        moment = self.cleaned_data["publish_at"]
        if moment is not None and moment < timezone.now() + SCHEDULE_MARGIN:
            raise forms.ValidationError(
                _("That moment has passed: choose a later time, or publish at once."),
                code="past",
            )
        return moment

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("publish_at"):  # a scheduled edition is dated the day it is published
            data["published_on"] = timezone.localdate(data["publish_at"])
            self.errors.pop("published_on", None)
        return data


class MarkdownPreviewForm(forms.Form):
    text = forms.CharField(required=False, max_length=MAX_PREVIEW_LENGTH, strip=False)


class CompareForm(forms.Form):
    """Pick two editions to compare; any order, never the same one twice."""

    older = forms.ChoiceField(label=_("Compare edition"))
    newer = forms.ChoiceField(label=_("with edition"))

    def __init__(self, *args, editions: list[Edition], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._editions = {e.number: e for e in editions}
        choices = [(e.number, e.number) for e in editions]
        cast(forms.ChoiceField, self.fields["older"]).choices = choices
        cast(forms.ChoiceField, self.fields["newer"]).choices = choices
        if not self.is_bound and editions and "older" not in self.initial:
            self.initial["older"] = editions[1].number if len(editions) > 1 else editions[0].number
            self.initial["newer"] = editions[0].number

    @staticmethod
    def same_edition_message() -> str:
        return str(_("Choose two different editions to compare."))

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("older") and cleaned.get("older") == cleaned.get("newer"):
            raise forms.ValidationError(self.same_edition_message(), code="same")
        return cleaned

    def ordered(self) -> tuple[str, str]:
        """The two numbers, older edition first."""
        pair = [
            self._editions[self.cleaned_data["older"]],
            self._editions[self.cleaned_data["newer"]],
        ]
        pair.sort(key=lambda e: (e.major, e.minor))
        return pair[0].number, pair[1].number


class SearchForm(forms.Form):
    """The search page's GET form. A bad edition or module choice falls back to the default."""

    q = forms.CharField(
        label=_("Search the guidelines"),
        required=False,
        max_length=200,
        error_messages={
            "max_length": _("Shorten your search to %(limit_value)d characters at most.")
        },
    )
    module = forms.ChoiceField(label=_("Module"), required=False)
    edition = forms.ChoiceField(label=_("Edition"), required=False)

    def __init__(self, *args, editions: list[Edition], modules: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["edition"]).choices = [
            (e.number, _("Edition %(number)s") % {"number": e.number}) for e in editions
        ]
        cast(forms.ChoiceField, self.fields["module"]).choices = [("", _("All modules"))] + [
            (m.slug, m.short_title) for m in modules
        ]

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())


TRANSLATION_STATUSES = [
    ("missing", _("Missing")),
    ("outdated", _("Possibly outdated")),
    ("current", _("Up to date")),
]


class TranslationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *TRANSLATION_STATUSES]
    )
    module = forms.ChoiceField(label=_("Module"), required=False)

    def __init__(self, *args, modules: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["module"]).choices = [("", _("All modules"))] + [
            (m.slug, m.short_title) for m in modules
        ]


class XliffImportForm(forms.Form):
    file = forms.FileField(
        label=_("XLIFF file"),
        help_text=_("An XLIFF 1.2 file exported from this page for this module, at most 2 MB."),
    )

    def clean_file(self):
        from modules.xliff import MAX_BYTES

        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."), code="too_large")
        if not upload.name.lower().endswith((".xlf", ".xliff", ".xml")):
            raise forms.ValidationError(
                _("Choose an XLIFF file (.xlf, .xliff or .xml)."), code="extension"
            )
        return upload


SECTION_GUARDED_FIELDS = (
    "parent", "position",
    *(f"{name}_{lang}" for name in ("title", "body", "change_reason") for lang in LANGS),
)  # fmt: skip
MODULE_GUARDED_FIELDS = (
    "code", "slug", "kind", "order", "number_prefix",
    *(f"{name}_{lang}" for name in ("title", "short_title", "summary") for lang in LANGS),
)  # fmt: skip


class ModuleAdminForm(ConcurrentEditGuard):
    guarded_fields = MODULE_GUARDED_FIELDS
    conflict_message = _(
        "This module was changed by someone else since you opened it. Your text is kept "
        "below: compare it with the module's history, then save again."
    )


class SectionAdminForm(ConcurrentEditGuard):
    """A section in the back office (the feedback app adds the feedback its change may
    address: feedback.forms.SectionFeedbackAdminForm)."""

    guarded_fields = SECTION_GUARDED_FIELDS
    conflict_message = _(
        "This section was changed by someone else since you opened it. Your text is kept "
        "below: compare it with the section's history, then save again."
    )

    def clean_glossary_off(self) -> str:
        """Only terms the glossary defines: a misspelt term would silently stay marked."""
        value = self.cleaned_data.get("glossary_off") or ""
        lines = [" ".join(line.split()) for line in value.splitlines() if line.strip()]
        known = glossary.draft_term_names()
        unknown = [line for line in lines if line.casefold() not in known]
        if unknown:
            raise forms.ValidationError(
                _("Not a term of the glossary annex: %(terms)s. Write each term as the glossary "
                  "does, one per line.") % {"terms": ", ".join(unknown)},
                code="unknown_term",
            )  # fmt: skip
        return "\n".join(dict.fromkeys(lines))
