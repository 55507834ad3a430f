"""Typographic filters for printed text."""

from django.template import Context, Template
from django.utils import translation

from modules.templatetags.typography import bind_short_words

NBSP = "\u00a0"


def test_russian_one_letter_words_are_bound_to_the_next_word():
    with translation.override("ru"):
        text = bind_short_words(
            "стандартов и передовой практики в области к Совету, а также о С и У"
        )
    assert text == (
        f"стандартов и{NBSP}передовой практики в{NBSP}области к{NBSP}Совету, а{NBSP}также "
        f"о{NBSP}С{NBSP}и{NBSP}У"
    )


def test_other_languages_and_markup_are_left_alone_and_escaped():
    with translation.override("en"):
        assert bind_short_words("a plan in a day") == "a plan in a day"
    with translation.override("ru"):
        rendered = Template("{% load typography %}{{ text|bind_short_words }}").render(
            Context({"text": "<b>в</b> и & о"})
        )
    assert rendered == f"&lt;b&gt;в&lt;/b&gt; и{NBSP}&amp; о"
