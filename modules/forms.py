from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.models import parse_edition_number

MAX_PREVIEW_LENGTH = 200_000


class EditionPublishForm(forms.Form):
    number = forms.CharField(
        label=_("Edition number"),
        max_length=7,
        help_text=_("MAJOR.MINOR, greater than the latest edition, e.g. 1.2 or 2.0."),
    )
    published_on = forms.DateField(
        label=_("Publication date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    change_summary_en = forms.CharField(
        label=_("Change summary (English)"),
        widget=forms.Textarea(attrs={"rows": 8, "class": "vLargeTextField markdown-field"}),
        max_length=20_000,
        help_text=_("Markdown. What changed in this edition and why."),
    )
    change_summary_ru = forms.CharField(
        label=_("Change summary (Russian)"),
        widget=forms.Textarea(attrs={"rows": 8, "class": "vLargeTextField markdown-field"}),
        max_length=20_000,
        required=False,
    )

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        parse_edition_number(number)
        return number


class MarkdownPreviewForm(forms.Form):
    text = forms.CharField(required=False, max_length=MAX_PREVIEW_LENGTH, strip=False)
