"""The subscription form and the manage page's form, as readers send them."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from alerts.disposable import is_disposable
from alerts.models import Frequency


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("We send a message to this address: alerts start once you confirm it."),
        error_messages={"invalid": _("Enter an e-mail address such as name@example.org.")},
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Frequency.choices,
        initial=Frequency.IMMEDIATE,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("Language of the messages"), choices=settings.LANGUAGES, widget=forms.RadioSelect
    )
    # Left empty by people; filled in by many robots. Hidden by the stylesheet.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if is_disposable(email):
            raise forms.ValidationError(
                _(
                    "This address belongs to a service of temporary mailboxes. Please use an "
                    "address you will still read when the next edition is published."
                ),
                code="disposable",
            )
        return email


class SettingsForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Frequency.choices, widget=forms.RadioSelect
    )
    language = forms.ChoiceField(
        label=_("Language of the messages"), choices=settings.LANGUAGES, widget=forms.RadioSelect
    )
