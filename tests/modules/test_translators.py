"""Translators change the Russian text of the working draft and nothing else (server-side)."""

import pytest
from django.urls import reverse
from reversion.models import Version

from modules.models import Edition, Module, Section
from tests.conftest import admin_change_url, module_admin_form, section_admin_form


def test_translators_group_holds_exactly_its_permissions(db):
    from django.contrib.auth.models import Group

    from accounts.roles import TRANSLATOR_PERMISSIONS

    group = Group.objects.get(name="Translators")
    names = group.permissions.values_list("content_type__app_label", "codename")
    assert {f"{app}.{codename}" for app, codename in names} == TRANSLATOR_PERMISSIONS


def test_a_translator_changes_the_russian_text_only(client, translator, published):
    client.force_login(translator)
    marking = Section.objects.get(key="salw-marking")
    response = client.post(
        admin_change_url(marking),
        section_admin_form(
            marking, body_ru="Новый перевод.", body_en="Hijacked English.", title_en="X", position=9
        ),
    )
    assert response.status_code == 302
    marking.refresh_from_db()
    assert marking.body_ru == "Новый перевод."
    assert marking.body_en == "English body of salw-marking." and marking.title_en == "Marking"
    assert marking.number == "B.1.2"
    assert Version.objects.get_for_object(marking).first().revision.user == translator


def test_the_english_fields_are_shown_read_only_to_translators(client, translator, published):
    client.force_login(translator)
    html = client.get(admin_change_url(Section.objects.get(key="salw-marking"))).text
    assert 'name="body_ru"' in html and 'name="body_en"' not in html and 'name="parent"' not in html


def test_the_module_texts_follow_the_same_rule(client, translator, published):
    client.force_login(translator)
    module = Module.objects.get(code="SALW")
    url = reverse("admin:modules_module_change", args=[module.pk])
    form = module_admin_form(module, title_en="Hijacked", title_ru="Модуль СОЛВ",
                             short_title_ru="СОЛВ", summary_ru="Резюме.", order=7)  # fmt: skip
    assert client.post(url, form).status_code == 302
    module.refresh_from_db()
    assert (module.title_en, module.title_ru, module.order) == ("SALW module", "Модуль СОЛВ", 1)


@pytest.mark.parametrize(
    "action",
    ["add section", "delete section", "move", "publish", "revert", "recover", "replacements"],
)
def test_translators_cannot_restructure_publish_or_revert(client, translator, published, action):
    client.force_login(translator)
    marking = Section.objects.get(key="salw-marking")
    version = Version.objects.get_for_object(marking).first()
    urls = {
        "add section": reverse("admin:modules_section_add"),
        "delete section": reverse("admin:modules_section_delete", args=[marking.pk]),
        "move": reverse("admin:modules_section_move", args=[marking.pk, "up"]),
        "publish": reverse("admin:modules_edition_add"),
        "revert": reverse("admin:modules_section_revision", args=[marking.pk, version.pk]),
        "recover": reverse("admin:modules_section_recover", args=[version.pk]),
        "replacements": reverse("admin:modules_sectionreplacement_changelist"),
    }
    response = client.post(urls[action], {"post": "yes", "number": "1.1", "published_on": "2024-01-01",
                                          "change_summary_en": "x"})  # fmt: skip
    assert response.status_code == 403
    assert Section.objects.get(key="salw-marking").number == "B.1.2"
    assert Edition.objects.count() == 1


def test_translators_may_read_history_and_preview(client, translator, published):
    client.force_login(translator)
    marking = Section.objects.get(key="salw-marking")
    assert (
        client.get(reverse("admin:modules_section_history", args=[marking.pk])).status_code == 200
    )
    assert client.get("/ru/preview/modules/salw/salw-marking/").status_code == 200
