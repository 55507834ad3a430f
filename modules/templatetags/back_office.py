"""What the back office's scripts need to say, in the editor's language."""

from django import template
from django.conf import settings
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def language_tabs_text() -> SafeString:
    """The words of the language tabs (static/admin-portal/language-tabs.js), as JSON."""
    return json_script(
        {
            "switch": _("Show the fields in:"),
            "error": _("has an error"),
            "languages": {code: str(name) for code, name in settings.LANGUAGES},
        },
        "language-tabs-text",
    )
