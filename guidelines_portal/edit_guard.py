"""No silent overwrites in the back office: a form that refuses to save over a change someone
else made since it was opened (two editors on one section, an editor and a translator on one
module summary, two reviewers on one feedback item)."""

import hashlib
from typing import TYPE_CHECKING

from django import forms
from django.db.models import Model

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def edit_token(instance: Model, fields: tuple[str, ...]) -> str:
    """A digest of ``fields`` of ``instance`` as they stand now."""
    values = [instance.serializable_value(name) for name in fields]
    # An untranslated text may be stored as NULL or as "": the same to an editor.
    values = ["" if value is None else value for value in values]
    return hashlib.sha256(repr(values).encode("utf-8")).hexdigest()


class ConcurrentEditGuard(forms.ModelForm):
    """``edit_token`` holds a digest of ``guarded_fields`` as they were when the form was
    opened; if the stored object differs when it is posted, the form is invalid with
    ``conflict_message`` and keeps what the person typed. Show ``edit_token`` in the admin's
    fields (it is hidden)."""

    guarded_fields: tuple[str, ...] = ()
    conflict_message: "StrOrPromise" = ""

    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["edit_token"] = edit_token(self.instance, self.guarded_fields)

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        # self.instance is the object as stored now (the form has not changed it yet).
        if self.instance.pk and data.get("edit_token") != edit_token(
            self.instance, self.guarded_fields
        ):
            raise forms.ValidationError(self.conflict_message, code="conflict")
        return data
