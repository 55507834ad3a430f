from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.services import normalise_backup_code


class CodeForm(forms.Form):
    """The six digits an authenticator app shows (spaces, as some apps display, are allowed)."""

    code = forms.CharField(
        label=_("Six-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "size": 8,
            }
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise forms.ValidationError(
                _("Enter the six digits your authenticator app shows, for example 123456.")
            )
        return code


class BackupCodeForm(forms.Form):
    """One of the backup codes shown when two-step sign-in was set up (``abcd-efgh-ijkm-npqr``;
    spaces, hyphens and capitals as people copy them are allowed)."""

    backup_code = forms.CharField(
        label=_("Backup code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def clean_backup_code(self) -> str:
        code = normalise_backup_code(self.cleaned_data["backup_code"])
        if code is None:
            raise forms.ValidationError(
                _(
                    "Enter one of your backup codes: sixteen letters and digits, for example "
                    "abcd-efgh-jk23-mn45."
                )
            )
        return code


class PasswordConfirmForm(forms.Form):
    """The person's password again, before they change their second factor."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
