"""Text that people type: stored with LF line ends, whatever sent it.

Browsers submit a textarea's text with CRLF line ends (the HTML standard says so); the texts
stored here have LF. Compared as they come, an untouched Russian body "changed" whenever an
editor saved the English one, and the outdated-translation warnings never fired. Every text
field people type into is a `TypedTextField` (or, on a plain form, a `TypedTextFormField`), so
line ends are normalised before anything compares or stores them.
"""

from typing import Any

from django import forms
from django.db import models


def normalise_line_ends(value: Any) -> Any:
    """CRLF and lone CR become LF; anything that is not a string is returned as it is."""
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


class TypedTextFormField(forms.CharField):
    """A form's text field whose value has LF line ends, so an untouched field is no change."""

    def to_python(self, value: Any) -> Any:
        return normalise_line_ends(super().to_python(value))

    def has_changed(self, initial: Any, data: Any) -> bool:
        # A text stored with CRLF before line ends were normalised is no change either.
        return super().has_changed(normalise_line_ends(initial), data)


class TypedTextField(models.TextField):
    """A model text field that people type into: LF line ends in forms and in the database."""

    def formfield(self, **kwargs: Any) -> forms.Field:
        return super().formfield(**{"form_class": TypedTextFormField, **kwargs})

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = normalise_line_ends(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value
