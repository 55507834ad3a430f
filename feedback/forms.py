"""Forms: the public feedback form, and the back office's status and record forms."""

import secrets
from functools import partial
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from feedback import services
from feedback.kept import kept
from feedback.models import (
    ANSWER_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    NAME_MAX_LENGTH,
    AlertFrequency,
    Category,
    ConsultationRound,
    Feedback,
    Kind,
    Status,
)
from feedback.services import (
    PUBLIC_TEXT_FIELDS,
    PUBLICATION_FIELDS,
    publication_check,
    validate_status,
)
from feedback.targets import Offer, is_section
from feedback.widgets import KeptOptions, KeptOptionsSelect
from guidelines_portal.admin_widgets import LabelledSplitDateTime
from guidelines_portal.edit_guard import ConcurrentEditGuard
from guidelines_portal.text import TypedTextFormField
from modules.forms import SectionAdminForm
from modules.models import Edition


class FeedbackForm(forms.Form):
    """A comment on the guidelines, as a reader sends it."""

    # The long lists are written once per edition or language, not per page (feedback.widgets).
    about = forms.ChoiceField(label=_("Your comment is about"), widget=KeptOptionsSelect)
    paragraph = forms.IntegerField(
        label=_("Paragraph"), required=False, min_value=1, max_value=999, widget=forms.HiddenInput
    )
    kind = forms.ChoiceField(
        label=_("Type of comment"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "General: about the approach or scope. Technical: about the substance of a "
            "measure. Editorial: wording, translation, numbering or references."
        ),
    )
    comment = TypedTextFormField(
        label=_("Comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    proposed_wording = TypedTextFormField(
        label=_("Proposed wording (optional)"),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The text you suggest instead, if any."),
    )
    category = forms.ChoiceField(
        label=_("You are writing as"),
        choices=[("", "—"), *Category.choices],
        widget=KeptOptionsSelect,
    )
    country = forms.ChoiceField(
        label=_("Country"),
        choices=lambda: [("", "—"), *countries],  # named in the page language
        widget=KeptOptionsSelect,
        required=False,
        help_text=_("Required for Member State officials."),
    )
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    organisation = forms.CharField(
        label=_("Organisation (optional)"), max_length=NAME_MAX_LENGTH, required=False
    )
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("We send your reference number and a private link to follow your comment."),
    )
    # Consents are asked, never assumed: both start unticked.
    publishable = forms.BooleanField(
        label=_("My comment may be published in the response to comments"),
        required=False,
        help_text=_(
            "If you tick this, your comment (or a summary the editors write) and their response "
            "may appear in the response to comments published with a new edition. If not, only "
            "the editors read it; you are still told what they decided."
        ),
    )
    may_name = forms.BooleanField(
        label=_("You may name me and my organisation in the public response"),
        required=False,
        help_text=_(
            "If you tick this, the public response shows your name and organisation beside your "
            "comment. If not, it shows only who you wrote as and your country."
        ),
    )
    # Left empty by people; filled in by many robots. Hidden by the stylesheet.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    nonce = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, about: Offer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        about_field = cast(forms.ChoiceField, self.fields["about"])
        about_field.choices = about.choices
        about_field.widget.kept = about.options
        for name in ("category", "country"):
            field = cast(forms.ChoiceField, self.fields[name])
            # Their choices change only with the language.
            field.widget.kept = kept(
                ("options", name, get_language()), partial(KeptOptions.write, field.widget.choices)
            )
        # Interpolated here, in the reader's language (not once, at import, in English).
        self.fields["comment"].help_text = _(
            "Up to %(limit)s characters. Plain text: formatting is not kept."
        ) % {"limit": COMMENT_MAX_LENGTH}
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
        if not self.is_bound:
            self.initial.setdefault("nonce", secrets.token_urlsafe(16))

    FIELDS_TEMPLATE = "feedback/_form_fields.html"
    # Values a page may give a new form: none of them is shown by FIELDS_TEMPLATE.
    PAGE_INITIAL = frozenset({"about", "paragraph", "nonce"})

    def fields_html(self) -> SafeString:
        """The fields after "about", rendered. Until a reader fills them in, they are the
        same for every reader in a language: rendered once per process and kept."""
        if self.is_bound or self.initial.keys() - self.PAGE_INITIAL:
            return self._render_fields()
        return kept(("fields", get_language()), self._render_fields)

    def _render_fields(self) -> SafeString:
        html = render_to_string(self.FIELDS_TEMPLATE, {"form": self}).removesuffix("\n")
        return mark_safe(html)  # noqa: S308 - a template's output, escaped by it  # nosec

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))

    def clean(self) -> dict:
        # Plain text is plain text: "a<b", "<5 kg" or even "<b>" are kept as written, and
        # escaped wherever they are shown; nothing is refused for looking like HTML.
        super().clean()
        data = self.cleaned_data
        if data.get("category") == Category.STATE and not data.get("country"):
            self.add_error("country", _("Choose the country you represent."))
        if not is_section(data.get("about", "")):
            data["paragraph"] = None
        return data


class StatusForm(forms.Form):
    """The back office's bulk status change."""

    status = forms.ChoiceField(
        label=_("New status"),
        choices=[(s, label) for s, label in Status.choices if s != Status.DUPLICATE],
    )
    notify = forms.BooleanField(
        label=_("E-mail the contributors of a decision"), required=False, initial=True
    )


class FeedbackAdminForm(ConcurrentEditGuard):
    """One item in the back office: triage, decision and response; the contributor's words
    are read-only. Status changes are checked here and recorded by the services. Two
    reviewers deciding the same item at once: the second is told, and keeps their text."""

    guarded_fields = (
        "module", "section", "status", "duplicate_of", "assigned_to", *PUBLIC_TEXT_FIELDS,
        *PUBLICATION_FIELDS,
    )  # fmt: skip
    conflict_message = _(
        "This item was changed by someone else since you opened it. Your text is kept "
        "below: read its history, then save again."
    )

    note = TypedTextFormField(
        label=_("Add an internal note"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only editors see notes."),
    )

    class Meta:
        model = Feedback
        fields = [
            "source", "source_detail", "received_on", "edition", "language", "module",
            "section", "paragraph", "kind", "comment", "proposed_wording", "category",
            "country", "name", "organisation", "email", "may_name", "publishable", "status",
            "duplicate_of", "assigned_to", "summary_en", "summary_ru", "response_en",
            "response_ru", "confidentiality", "redacted_comment", "redacted_proposed_wording",
        ]  # fmt: skip

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if self.instance_before is not None and "status" in data:
            try:
                validate_status(self.instance_before, data["status"], data.get("duplicate_of"))
            except ValidationError as error:
                self.add_error(None, error)
        if self.instance_before is not None and "confidentiality" in data:
            try:
                publication_check(
                    self.instance_before,
                    confidentiality=data["confidentiality"],
                    redacted_comment=data.get("redacted_comment", ""),
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The item as stored, before the form changes the instance.
        self.instance_before = (
            Feedback.objects.select_related("incorporated_in").get(pk=self.instance.pk)
            if self.instance.pk
            else None
        )


# --- The feedback part of the content app's section form ----------------------------------


class AddressedFeedbackField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Feedback) -> str:
        # Whoever edits the section sees no restricted original here: the published form.
        text = obj.public_comment if obj.is_published else _("(text restricted)")
        comment = Truncator(" ".join(str(text).split())).chars(160)
        return f"{obj.reference} ({obj.get_status_display()}, {obj.get_kind_display()}): {comment}"


class SectionFeedbackAdminForm(SectionAdminForm):
    """A section in the back office, with the accepted feedback its change may address."""

    addresses_feedback = AddressedFeedbackField(
        queryset=Feedback.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("This change addresses"),
        help_text=_(
            "Accepted feedback on this section that is not in an edition yet. Tick what your "
            "change deals with: when the next edition is published, those items become "
            "“incorporated” and link to this section's change."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            items = list(
                Feedback.objects.awaiting_change()
                .filter(section=self.instance)
                .order_by("created_at")
            )
            field = cast(forms.ModelMultipleChoiceField, self.fields["addresses_feedback"])
            field.queryset = Feedback.objects.filter(pk__in=[item.pk for item in items])
            self.initial["addresses_feedback"] = [i.pk for i in items if i.addressed_at]


class RoundAdminForm(forms.ModelForm):
    """Open a consultation round, or change one: its texts at any time, its opening and scope
    until it opens, its deadline only later and with a reason (checked by the services)."""

    extension_reason_en = TypedTextFormField(
        label=_("reason for extending the deadline (English)"), required=False, max_length=2000,
        help_text=_("Needed when you move the deadline: readers are shown it."),
    )  # fmt: skip
    extension_reason_ru = TypedTextFormField(
        label=_("reason for extending the deadline (Russian)"), required=False, max_length=2000
    )

    class Meta:
        model = ConsultationRound
        fields = (
            "title_en", "title_ru", "description_en", "description_ru", "edition", "whole_text",
            "modules", "opens_at", "closes_at", "contact_email", "late_comments",
        )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "edition" in self.fields:
            edition = cast(forms.ModelChoiceField, self.fields["edition"])
            edition.queryset = Edition.objects.published()
            if self.instance.pk is None:
                edition.initial = Edition.objects.current()
        for name in ("opens_at", "closes_at"):
            if name in self.fields:
                self.fields[name].help_text = _("In UTC (readers also see their own time).")
                self.fields[name].widget = LabelledSplitDateTime()
        if "modules" in self.fields:  # a few modules: a box for each, each with its label
            modules = cast(forms.ModelMultipleChoiceField, self.fields["modules"])
            modules.widget = forms.CheckboxSelectMultiple()
            modules.queryset = modules.queryset  # gives the new widget its choices
            modules.help_text = _("When the round is not on the whole text: the modules it is on.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        get = partial(_value, self.cleaned_data, self.instance)
        try:
            if self.instance.pk is None:
                services.round_check(
                    edition=data.get("edition"), opens_at=data.get("opens_at"),
                    closes_at=data.get("closes_at"), whole_text=data.get("whole_text", False),
                    modules=data.get("modules") or [],
                )  # fmt: skip
                return data
            if self.instance.opens_at > timezone.now():  # not open yet: any dates and scope
                services.reschedule_check(
                    consultation=self.instance, opens_at=get("opens_at"),
                    whole_text=get("whole_text"), modules=get("modules"),
                    closes_at=get("closes_at"),
                )  # fmt: skip
            elif get("closes_at") != self.instance.closes_at:
                services.extension_check(
                    consultation=self.instance, closes_at=get("closes_at"),
                    reason_en=data.get("extension_reason_en", ""),
                )  # fmt: skip
        except ValidationError as error:
            self._add_errors(error)
        return data

    def _add_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.error_dict.items():
            field = {"reason_en": "extension_reason_en", "__all__": None}.get(name, name)
            self.add_error(field if field in self.fields or field is None else None, messages)


def _value(data: dict[str, Any], instance: ConsultationRound, name: str) -> Any:
    """A field's new value, or the round's own when the form does not offer it (read-only)."""
    if name in data:
        return data[name]
    if name == "modules":
        return list(instance.modules.all())
    return getattr(instance, name)


class AnswerForm(forms.Form):
    """The contributor's answer to the editors' decision, on their tracking page."""

    satisfied = forms.TypedChoiceField(
        label=_("Does this response satisfy you?"),
        choices=[("yes", _("Yes, it satisfies me")), ("no", _("No, it does not satisfy me"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the response satisfies you.")},
    )
    reply = TypedTextFormField(
        label=_("Your reply (optional)"), required=False, max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Up to 1,000 characters, for the editors. Where your comment is "
                    "published, only whether the response satisfies you is shown with it."),
    )  # fmt: skip


class AlertsForm(forms.Form):
    """How a person who triages feedback hears of new comments (feedback.alerts)."""

    frequency = forms.ChoiceField(
        label=_("E-mail me about new comments"),
        choices=AlertFrequency.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how often you hear of new comments."),
            "invalid_choice": _("Choose one of the options shown."),
        },
    )
    language = forms.ChoiceField(
        label=_("Language of the messages"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the language of the messages."),
            "invalid_choice": _("Choose one of the languages shown."),
        },
    )
