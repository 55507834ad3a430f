"""A <select> whose options are written once and kept.

Django renders a <select> through one template per option: the form's list of every section
of an edition, and of every country, took most of the feedback form's time. Their options
depend only on the edition and the language, never on the reader, so they are written once
(`KeptOptions.write`), kept by their owner, and each page only marks the chosen option.
The markup is byte for byte what Django's own Select writes (tests/feedback/test_widgets.py).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe


def _attributes(attrs: dict[str, Any]) -> str:
    """Attributes as django/forms/widgets/attrs.html writes them (in their order, True as a
    bare name, False left out)."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _text(value: Any) -> str:
    """A value as a template writes it with autoescaping: ``{{ value }}``."""
    value = localize(value)
    return conditional_escape(value if isinstance(value, str) else str(value))


def _formatted(value: Any) -> str:
    """A value as a template writes it with autoescaping: ``{{ value|stringformat:'s' }}``."""
    text = "%s" % (value,)  # noqa: UP031 - exactly what the filter does
    return text if isinstance(value, SafeData) else conditional_escape(text)


@dataclass(frozen=True)
class KeptOptions:
    """A select's options as markup with nothing chosen, and where each value's start tag
    closes (so that choosing one is one insertion)."""

    markup: str
    closes: dict[str, int]  # value -> offset of the ">" of its first option
    first_is_empty: bool  # the first choice has no value: the select may say "required"

    @classmethod
    def write(cls, choices: Iterable) -> "KeptOptions":
        """The options of ``choices`` (normalised: pairs, groups as (name, pairs)) as
        django/forms/widgets/select.html and select_option.html write them."""
        parts: list[str] = []
        closes: dict[str, int] = {}
        length = 0
        first_is_empty: bool | None = None

        def add(text: str) -> None:
            nonlocal length
            parts.append(text)
            length += len(text)

        for value, label in choices:
            value = "" if value is None else value
            if first_is_empty is None:
                first_is_empty = value == ""
            grouped = isinstance(label, list | tuple)
            if grouped and value:
                add(f'\n  <optgroup label="{_text(value)}">')
            for option_value, option_label in label if grouped else [(value, label)]:
                add(f'\n  <option value="{_formatted(option_value)}"')
                closes.setdefault(str(option_value), length)
                add(f">{_text(option_label)}</option>\n")
            if grouped and value:
                add("\n  </optgroup>")
        return cls("".join(parts), closes, bool(first_is_empty))

    def choosing(self, values: list[str]) -> str:
        """The markup with the first option whose value is in ``values`` chosen."""
        offsets = [self.closes[v] for v in values if v in self.closes]
        if not offsets:
            return self.markup
        at = min(offsets)
        return f"{self.markup[:at]} selected{self.markup[at:]}"


class KeptChoices(BaseChoiceIterator):
    """Choices already in Django's normal form, given to a field as they are: a field
    normalises a plain list again on every form, a choice iterator it takes as it is."""

    def __init__(self, choices: list) -> None:
        self.choices = choices

    def __iter__(self) -> Iterator:
        return iter(self.choices)


class KeptOptionsSelect(forms.Select):
    """A Select that writes the options kept in ``kept`` (set per form) instead of rendering
    its choices; without them, an ordinary Select."""

    kept: KeptOptions | None = None

    def use_required_attribute(self, initial: Any) -> bool:
        if self.kept is None:
            return super().use_required_attribute(initial)
        return not self.is_hidden and self.kept.first_is_empty

    def render(
        self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None
    ) -> SafeString:
        if self.kept is None or self.allow_multiple_selected:
            return super().render(name, value, attrs, renderer)
        opening = f'<select name="{_text(name)}"{_attributes(self.build_attrs(self.attrs, attrs))}>'
        options = self.kept.choosing(self.format_value(value))
        return mark_safe(f"{opening}{options}\n</select>")  # noqa: S308 - every part escaped above  # nosec
