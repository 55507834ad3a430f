"""URLs for reading pages that stay within the edition the reader is in."""

from django import template
from django.urls import reverse

from modules.models import SOURCE_LANGUAGE, EditionModule, EditionSection, active_language

register = template.Library()


@register.simple_tag(takes_context=True)
def module_url(context, module: EditionModule) -> str:
    if context.get("edition_in_url"):
        return reverse(
            "modules:edition_module",
            kwargs={"edition": context["edition"].number, "module": module.slug},
        )
    return reverse("modules:module", kwargs={"module": module.slug})


@register.simple_tag(takes_context=True)
def section_url(context, module: EditionModule, section: EditionSection) -> str:
    kwargs = {"module": module.slug, "key": section.key}
    if context.get("edition_in_url"):
        return reverse(
            "modules:edition_section", kwargs={"edition": context["edition"].number, **kwargs}
        )
    return reverse("modules:section", kwargs=kwargs)


@register.filter
def shown_language(obj, field: str) -> str:
    """The language code of what ``obj.<field>`` displays (English when it falls back)."""
    lang = active_language()
    return lang if getattr(obj, f"{field}_{lang}", "") else SOURCE_LANGUAGE
