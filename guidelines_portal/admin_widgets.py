"""Admin widgets with the names assistive technology needs (WCAG 4.1.2).

Django's split date and time box writes "Date:" and "Time:" as bare text beside its two
inputs, inside a fieldset named by the field: screen readers announce two unnamed boxes.
"""

from typing import Any

from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils.translation import gettext as _


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time inputs, each named ("Date (YYYY-MM-DD)", "Time (HH:MM)") within
    the fieldset that names the field."""

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        date, time = context["widget"]["subwidgets"]
        date["attrs"]["aria-label"] = _("Date (YYYY-MM-DD)")
        time["attrs"]["aria-label"] = _("Time (HH:MM)")
        return context
