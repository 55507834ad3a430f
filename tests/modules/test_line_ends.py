"""Issue 13, point 1: text people type is stored with LF, so an untouched field is never a
change, and the stamps corrupted before that are repaired from the revision history."""

import datetime

import pytest
from django.apps import apps as django_apps
from django.db import models
from django.utils import timezone
from reversion.models import Version

from feedback.models import Feedback
from guidelines_portal.text import TypedTextField, TypedTextFormField, normalise_line_ends
from modules import services
from modules.models import Module, Section
from tests.conftest import admin_change_url, section_admin_form
from tests.feedback.conftest import submit

RU = "Первая строка.\n\n- пункт один;\n- пункт два."

# Text fields filled by the portal itself, never typed by a person.
NOT_TYPED = {
    "modules.Module.summary_html", "modules.Module.summary_html_en", "modules.Module.summary_html_ru",
    "modules.Section.body_html", "modules.Section.body_html_en", "modules.Section.body_html_ru", "modules.Edition.change_summary_html_en",
    "modules.Edition.change_summary_html_ru", "modules.EditionModule.summary_html_en",
    "modules.EditionModule.summary_html_ru", "modules.EditionSection.body_en",
    "modules.EditionSection.body_ru", "modules.EditionSection.body_html_en",
    "modules.EditionSection.body_html_ru", "modules.EditionPDF.error", "modules.ScheduledPDF.error",
    "modules.EditionSection.change_reason_en", "modules.EditionSection.change_reason_ru",
    "modules.ScheduledPublication.failure", "modules.EditionSection.glossary_off",
}  # fmt: skip


def test_every_text_field_people_type_into_normalises_line_ends():
    untyped = sorted(
        f"{model._meta.label}.{field.name}"
        for app in ("modules", "feedback", "accounts")
        for model in django_apps.get_app_config(app).get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and not isinstance(field, TypedTextField)
    )
    assert [name for name in untyped if name not in NOT_TYPED] == []


@pytest.mark.parametrize(
    ("sent", "stored"),
    [("a\r\nb", "a\nb"), ("a\rb", "a\nb"), ("a\r\n\r\nb\r\n", "a\n\nb\n"), ("a\nb", "a\nb")],
)
def test_line_ends_become_lf(sent, stored):
    assert normalise_line_ends(sent) == stored
    assert TypedTextFormField(required=False, strip=False).clean(sent) == stored


def test_an_untouched_text_is_no_change_even_if_stored_with_crlf():
    field = TypedTextFormField()
    assert not field.has_changed(RU, RU.replace("\n", "\r\n"))
    assert not field.has_changed(RU.replace("\n", "\r\n"), RU.replace("\n", "\r\n"))
    assert field.has_changed(RU, RU.replace("\n", "\r\n") + "!")


def test_an_english_edit_leaves_the_russian_stamp_alone(editor_client, published):
    section = Section.objects.get(key="salw-marking")
    services.section_update(section=section, body_en="Line one.\n\nLine two.", body_ru=RU)
    section.refresh_from_db()
    ru_before = section.ru_changed_at
    form = section_admin_form(section)
    crlf = {
        name: value.replace("\n", "\r\n") for name, value in form.items() if isinstance(value, str)
    }
    response = editor_client.post(
        admin_change_url(section), {**form, **crlf, "body_en": "Line one.\r\n\r\nLine 2."}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    section.refresh_from_db()
    assert section.body_en == "Line one.\n\nLine 2." and section.body_ru == RU
    assert section.ru_changed_at == ru_before and section.russian_outdated


def test_models_store_lf_whatever_a_service_is_given(published):
    module = Module.objects.get(code="SALW")
    module.summary_en = "One.\r\nTwo."
    module.save()
    module.refresh_from_db()
    assert module.summary_en == "One.\nTwo."


def test_feedback_from_a_browser_is_stored_with_lf(client, published):
    response = submit(client, comment="First line.\r\nSecond line.", proposed_wording="A\r\nB")
    assert response.status_code == 302
    item = Feedback.objects.get()
    assert (item.comment, item.proposed_wording) == ("First line.\nSecond line.", "A\nB")


# --- The repair migration ------------------------------------------------------------------


def _version_dates(section: Section) -> list[datetime.datetime]:
    return list(
        Version.objects.get_for_object(section)
        .order_by("revision__date_created")
        .values_list("revision__date_created", flat=True)
    )


def test_the_migration_recomputes_stamps_ignoring_whitespace(published):
    from importlib import import_module

    repair = import_module("modules.migrations.0015_repair_translation_stamps").repair_stamps
    section = Section.objects.get(key="salw-marking")
    services.section_update(section=section, body_ru=RU)  # the Russian really changes
    services.section_update(section=section, body_en="English changed.")
    # Before the fix, the English edit from a browser also "changed" the Russian: simulate the
    # stored history of that (the Russian came back with CRLF) and the corrupted stamp.
    services.section_update(section=section, body_en="English changed again.", body_ru=RU + " ")
    dates = _version_dates(section)
    Section.objects.filter(pk=section.pk).update(
        ru_changed_at=timezone.now(), en_changed_at=timezone.now()
    )
    repair(django_apps, None)
    section.refresh_from_db()
    assert section.en_changed_at == dates[-1]
    assert section.ru_changed_at == dates[-3]
    assert section.russian_outdated


def test_saving_in_russian_leaves_an_empty_russian_text_empty(editor_client, published):
    """modeltranslation reads the English where the Russian is empty: normalising must not
    write that back as the Russian (a save in the Russian back office or a /ru/ import)."""
    from django.utils import translation

    section = Section.objects.get(key="salw-marking")
    services.section_update(section=section, body_ru="")
    module = Module.objects.get(code="SALW")
    module.summary_ru = ""
    module.save()
    with translation.override("ru"):
        services.section_update(section=Section.objects.get(pk=section.pk), title_ru="Маркировка")
        Module.objects.get(pk=module.pk).save()
    form = section_admin_form(section, title_ru="Маркировка и учёт")
    response = editor_client.post(admin_change_url(section), form, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 302
    section.refresh_from_db()
    module.refresh_from_db()
    assert (section.body_ru, module.summary_ru) == ("", "")
    assert section.title_ru == "Маркировка и учёт" and section.body_en
