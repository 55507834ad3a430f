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
        # A text stored with CRLF, or with the white space around it that the form strips, is
        # no change either.
        initial = normalise_line_ends(initial)
        if self.strip and isinstance(initial, str):
            initial = initial.strip()
        return super().has_changed(initial, data)


class TypedTextField(models.TextField):
    """A model text field that people type into: LF line ends in forms and in the database."""

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return super().formfield(
            form_class=form_class or TypedTextFormField,
            choices_form_class=choices_form_class,
            **kwargs,
        )

    def get_prep_value(self, value: Any) -> Any:
        # Normalised on the way to the database only: writing it back to the instance would go
        # through modeltranslation's descriptor, which reads the English text where the
        # Russian is empty and would then store it as the Russian.
        return normalise_line_ends(super().get_prep_value(value))
