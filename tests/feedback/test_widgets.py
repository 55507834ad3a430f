"""A select with kept options writes exactly what Django's own Select writes."""

import pytest
from django import forms
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from django_countries import countries

from feedback.widgets import KeptOptions, KeptOptionsSelect

GROUPED = [
    ("all", "The guidelines as a whole"),
    (
        "SALW",
        [
            ("module:salw", "SALW: the module as a whole"),
            ("section:salw-marking", "B.4 Marking & <record-keeping> \"quoted\" 'too'"),
            ("section:salw-tracing", gettext_lazy("Tracing")),
        ],
    ),
    ("", [("orphan", "In a group without a name")]),
    (None, "No value"),
    (7, "A number"),
    ("safe", mark_safe("<b>marked safe</b>")),
    ("all", "The same value again"),
]
WITH_BLANK = [("", "—"), ("state", "Member State official"), ("ngo", "Civil society")]


def _both(choices: list, value: object, attrs: dict | None = None) -> tuple[str, str]:
    django = forms.Select(choices=choices)
    kept = KeptOptionsSelect(choices=choices)
    kept.kept = KeptOptions.write(choices)
    return (
        str(django.render("about", value, attrs)),
        str(kept.render("about", value, attrs)),
    )


@pytest.mark.parametrize(
    "value",
    [None, "", "all", "section:salw-marking", "section:salw-tracing", "orphan", "7", 7, "nope"],
)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_markup_is_djangos_whatever_is_chosen(value, language):
    with translation.override(language):
        django, kept = _both(GROUPED, value)
    assert kept == django


def test_attributes_are_written_as_django_writes_them():
    attrs = {"id": "id_about", "required": True, "disabled": False, "aria-describedby": "a&b"}
    django, kept = _both(WITH_BLANK, "state", attrs)
    assert kept == django
    assert 'required aria-describedby="a&amp;b"' in kept and "disabled" not in kept


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_country_in_the_page_language(language):
    with translation.override(language):
        choices = [("", "—"), *countries]
        django, kept = _both(choices, "KZ")
    assert kept == django


@pytest.mark.parametrize("choices", [WITH_BLANK, GROUPED, []])
def test_required_only_when_the_first_option_is_blank(choices):
    kept = KeptOptionsSelect(choices=choices)
    kept.kept = KeptOptions.write(choices)
    expected = forms.Select(choices=choices).use_required_attribute(None)
    assert kept.use_required_attribute(None) is expected


def test_without_kept_options_it_is_an_ordinary_select():
    assert str(KeptOptionsSelect(choices=GROUPED).render("about", "orphan")) == str(
        forms.Select(choices=GROUPED).render("about", "orphan")
    )
