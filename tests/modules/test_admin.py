"""The editors' back office: permissions for each role, validation, history and publishing."""

import re

import pytest
from django.urls import reverse
from reversion.models import Version

from modules import services
from modules.models import Edition, Module, Section
from tests.conftest import admin_change_url, module_admin_form, section_admin_form

# --- Permissions -----------------------------------------------------------------------


@pytest.fixture
def urls(published):
    marking = Section.objects.get(key="salw-marking")
    services.section_update(section=marking, body_ru="Новая редакция.")
    newer, version = Version.objects.get_for_object(marking)[:2]
    return {
        "section list": reverse("admin:modules_section_changelist"),
        "section change": admin_change_url(marking),
        "section add": reverse("admin:modules_section_add"),
        "section history": reverse("admin:modules_section_history", args=[marking.pk]),
        "section revision": reverse(
            "admin:modules_section_revision", args=[marking.pk, version.pk]
        ),
        "section compare": reverse("admin:modules_section_compare", args=[marking.pk])
        + f"?version_id1={version.pk}&version_id2={newer.pk}",
        "deleted sections": reverse("admin:modules_section_recoverlist"),
        "module list": reverse("admin:modules_module_changelist"),
        "edition list": reverse("admin:modules_edition_changelist"),
        "publish": reverse("admin:modules_edition_add"),
    }


@pytest.mark.parametrize(
    "name",
    ["section list", "section change", "section add", "section history", "section revision",
     "section compare", "deleted sections", "module list", "edition list", "publish"],
)  # fmt: skip
def test_editors_reach_every_back_office_page(client, editor, urls, name):
    client.force_login(editor)
    assert client.get(urls[name]).status_code == 200


@pytest.mark.parametrize("name", ["section list", "section change", "section history", "publish"])
def test_anonymous_and_non_staff_users_are_sent_to_sign_in(client, reader, urls, name):
    assert client.get(urls[name]).status_code == 302
    client.force_login(reader)
    response = client.get(urls[name])
    assert response.status_code == 302 and "/admin/login/" in response.url


@pytest.mark.parametrize(
    "name",
    ["section list", "section change", "section add", "section history", "section revision",
     "section compare", "deleted sections", "publish"],
)  # fmt: skip
def test_staff_without_permissions_are_refused(client, staff_without_permissions, urls, name):
    client.force_login(staff_without_permissions)
    assert client.get(urls[name]).status_code == 403


def test_editors_cannot_change_or_delete_a_published_edition(editor_client, published):
    change = reverse("admin:modules_edition_change", args=[published.pk])
    delete = reverse("admin:modules_edition_delete", args=[published.pk])
    assert "Save" not in editor_client.get(change).text
    assert editor_client.post(change, {"change_summary_en": "x"}).status_code == 403
    assert editor_client.post(delete, {"post": "yes"}).status_code == 403
    assert Edition.objects.filter(pk=published.pk).exists()


def test_the_migrations_give_editors_exactly_the_roles_permissions(db):
    from django.contrib.auth.models import Group

    from accounts.roles import EDITOR_PERMISSIONS

    group = Group.objects.get(name="Editors")
    names = group.permissions.values_list("content_type__app_label", "codename")
    assert {f"{app}.{codename}" for app, codename in names} == EDITOR_PERMISSIONS


# --- Editing ---------------------------------------------------------------------------


def test_an_editor_changes_the_russian_text_and_a_revision_records_it(
    editor_client, editor, published
):
    marking = Section.objects.get(key="salw-marking")
    response = editor_client.post(
        admin_change_url(marking), section_admin_form(marking, body_ru="Новый текст.")
    )
    assert response.status_code == 302
    marking.refresh_from_db()
    assert marking.body_ru == "Новый текст." and "Новый текст." in marking.body_html_ru
    assert Version.objects.get_for_object(marking).first().revision.user == editor


def test_reverting_through_the_admin_restores_both_languages(editor_client, published):
    marking = Section.objects.get(key="salw-marking")
    original = (marking.body_en, marking.body_ru)
    editor_client.post(
        admin_change_url(marking), section_admin_form(marking, body_en="Bad.", body_ru="Плохо.")
    )
    old = Version.objects.get_for_object(marking)[1]
    revert_url = reverse("admin:modules_section_revision", args=[marking.pk, old.pk])
    form = editor_client.get(revert_url)
    assert "Плохо." not in form.text
    # The form shows the old version, and its edit token is that version's.
    token = re.search(r'name="edit_token" value="([0-9a-f]+)"', form.text).group(1)
    editor_client.post(
        revert_url,
        section_admin_form(marking, body_en=original[0], body_ru=original[1], edit_token=token),
    )
    marking.refresh_from_db()
    assert (marking.body_en, marking.body_ru) == original


def test_adding_a_section_places_it_and_numbers_it(editor_client, published):
    upstream = Section.objects.get(key="salw-upstream")
    response = editor_client.post(
        reverse("admin:modules_section_add"),
        {"module": upstream.module_id, "parent": upstream.pk, "key": "salw-disposal",
         "position": "1", "title_en": "Disposal", "title_ru": "", "body_en": "Text.", "body_ru": ""},
    )  # fmt: skip
    assert response.status_code == 302
    assert Section.objects.get(key="salw-disposal").number == "B.1.1"
    assert Section.objects.get(key="salw-marking").number == "B.1.3"


def test_moving_a_section_under_its_descendant_is_refused_in_the_admin(editor_client, published):
    upstream = Section.objects.get(key="salw-upstream")
    marking = Section.objects.get(key="salw-marking")
    response = editor_client.post(
        admin_change_url(upstream), section_admin_form(upstream, parent=marking.pk)
    )
    assert response.status_code == 200
    assert "cannot be moved under itself" in response.text
    upstream.refresh_from_db()
    assert upstream.parent is None and upstream.number == "B.1"


def test_a_duplicate_key_is_refused_in_the_admin(editor_client, published):
    module_id = Section.objects.get(key="salw-marking").module_id
    response = editor_client.post(
        reverse("admin:modules_section_add"),
        {"module": module_id, "key": "salw-marking", "title_en": "Again", "body_en": "x"},
    )
    assert response.status_code == 200
    assert "already exists" in response.text
    assert Section.objects.filter(key="salw-marking").count() == 1


def test_the_key_cannot_be_changed_once_created(editor_client, published):
    marking = Section.objects.get(key="salw-marking")
    editor_client.post(admin_change_url(marking), section_admin_form(marking, key="renamed"))
    assert Section.objects.filter(key="salw-marking").exists()


def test_move_buttons_reorder_sections(editor_client, published):
    marking = Section.objects.get(key="salw-marking")
    url = reverse("admin:modules_section_move", args=[marking.pk, "up"])
    assert editor_client.get(url).status_code == 405
    assert editor_client.post(url).status_code == 302
    assert Section.objects.get(key="salw-marking").number == "B.1.1"


def test_move_buttons_need_the_change_permission(client, staff_without_permissions, published):
    client.force_login(staff_without_permissions)
    marking = Section.objects.get(key="salw-marking")
    response = client.post(reverse("admin:modules_section_move", args=[marking.pk, "up"]))
    assert response.status_code == 403
    assert Section.objects.get(key="salw-marking").number == "B.1.2"


def test_deleting_in_the_admin_renumbers(editor_client, published):
    legislation = Section.objects.get(key="salw-legislation")
    url = reverse("admin:modules_section_delete", args=[legislation.pk])
    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    assert Section.objects.get(key="salw-marking").number == "B.1.1"


def test_the_changelist_runs_a_bounded_number_of_queries(
    editor_client, db, django_assert_max_num_queries
):
    from tests.conftest import make_large_module

    make_large_module("SALW", chapters=10, per_chapter=9)
    # +2: the staff session's idle expiry is renewed on every request; +1: its two-step device.
    with django_assert_max_num_queries(14):
        assert editor_client.get(reverse("admin:modules_section_changelist")).status_code == 200


# --- Live preview ----------------------------------------------------------------------


def test_preview_renders_sanitised_markdown(editor_client, published):
    url = reverse("admin:modules_section_preview")
    response = editor_client.post(
        url, {"text": "| a |\n|---|\n| b |\n\n<script>x()</script>[l](javascript:x)"}
    )
    html = response.json()["html"]
    assert "<table>" in html and "<script" not in html and "javascript:" not in html


def test_preview_refuses_oversized_text_and_get(editor_client, published):
    url = reverse("admin:modules_section_preview")
    assert editor_client.post(url, {"text": "x" * 200_001}).status_code == 400
    assert editor_client.get(url).status_code == 405


def test_preview_needs_permission(client, staff_without_permissions, published):
    client.force_login(staff_without_permissions)
    assert client.post(reverse("admin:modules_section_preview"), {"text": "x"}).status_code == 403


# --- Publishing ------------------------------------------------------------------------


def publish_form(**overrides):
    return {
        "number": "1.1",
        "published_on": "2024-05-01",
        "change_summary_en": "Marking revised.",
        "change_summary_ru": "Пересмотрен раздел о маркировке.",
        # Clearance (approvals, Russian texts) is tested in test_review.py.
        "override_reason": "Cleared elsewhere.",
        **overrides,
    }


PUBLISH = "/admin/modules/edition/add/"


def confirm(client, **overrides):
    """The confirmation page for ``publish_form(**overrides)``, and what publishing posts."""
    page = client.post(PUBLISH, publish_form(**overrides))
    assert page.status_code == 200 and "fingerprint" in page.context
    return page, {
        **publish_form(**overrides), "fingerprint": page.context["fingerprint"], "publish": "1"
    }  # fmt: skip


def test_an_editor_publishes_a_new_edition(editor_client, editor, published):
    services.section_update(section=Section.objects.get(key="salw-marking"), body_en="New.")
    page = editor_client.get(reverse("admin:modules_edition_add"))
    assert 'value="1.1"' in page.text and "1 changed" in page.text
    _page, confirmed = confirm(editor_client)
    assert Edition.objects.count() == 1  # nothing published before the confirmation
    response = editor_client.post(reverse("admin:modules_edition_add"), confirmed, follow=True)
    assert "Edition 1.1 is published." in response.text
    edition = Edition.objects.current()
    assert (edition.number, edition.published_by) == ("1.1", editor)
    assert edition.sections.get(key="salw-marking").body_en == "New."


def test_the_confirmation_shows_exactly_what_will_be_published(
    editor_client, published, django_assert_max_num_queries
):
    from tests.conftest import make_section

    services.section_update(section=Section.objects.get(key="salw-marking"), body_en="New.")
    make_section(Section.objects.get(key="salw-tracing").module, "salw-new", title_en="Brokering")
    services.section_delete(section=Section.objects.get(key="salw-legislation"))
    # The session and user, the checks, the overview, the draft's fingerprint, the feedback it
    # incorporates and the scheduled publication: a fixed number, whatever the draft's size.
    with django_assert_max_num_queries(24):
        page, _confirmed = confirm(
            editor_client, change_summary_en="Marking **revised**.<script>alert(1)</script>"
        )
    main = page.text
    assert "Confirm the publication of edition 1.1" in main
    assert "<strong>revised</strong>" in main and "Пересмотрен раздел о маркировке." in main
    assert "<script>alert" not in main
    listed = {h: [s.number for s in sections] for h, sections in page.context["draft"].changes}
    assert listed == {"Sections added": ["B.3"], "Sections changed": ["B.1.1"],
                      "Sections removed": ["B.1.1"]}  # fmt: skip
    assert "Brokering" in main and "Legislation" in main
    pdfs = page.context["draft"].pdfs
    assert len(pdfs) == 2 * (1 + Module.objects.count())
    assert ("The whole guidelines", "in Russian") in pdfs
    assert 'name="publish"' in main and 'name="back"' in main
    assert Edition.objects.count() == 1


def test_a_draft_edited_after_the_confirmation_is_not_published(editor_client, published):
    _page, confirmed = confirm(editor_client)
    # A colleague saves a section between the review and the click on "Publish".
    services.section_update(section=Section.objects.get(key="salw-marking"), body_en="Later.")
    response = editor_client.post(PUBLISH, confirmed)
    assert response.status_code == 200
    assert "changed after you reviewed it" in response.text
    assert Edition.objects.count() == 1
    # The page now shows the draft as it is, with its own fingerprint: confirming publishes it.
    assert response.context["fingerprint"] != confirmed["fingerprint"]
    confirmed["fingerprint"] = response.context["fingerprint"]
    assert editor_client.post(PUBLISH, confirmed).status_code == 302
    assert Edition.objects.current().sections.get(key="salw-marking").body_en == "Later."


def test_a_second_click_on_publish_publishes_once(editor_client, published):
    _page, confirmed = confirm(editor_client)
    first = editor_client.post(PUBLISH, confirmed, follow=True)
    assert "Edition 1.1 is published." in first.text
    second = editor_client.post(PUBLISH, confirmed, follow=True)  # the message was shown
    assert second.redirect_chain == [("/admin/modules/edition/", 302)]
    assert "Edition 1.1 is published." in second.text and "errornote" not in second.text
    assert list(Edition.objects.values_list("number", flat=True)) == ["1.1", "1.0"]


def test_publishing_needs_the_confirmation_page(editor_client, published):
    response = editor_client.post(PUBLISH, {**publish_form(), "publish": "1"})
    assert response.status_code == 200
    assert "Review what will be published, then confirm." in response.text
    assert Edition.objects.count() == 1


def test_back_from_the_confirmation_keeps_what_was_typed(editor_client, published):
    _page, confirmed = confirm(editor_client, change_summary_en="Line one.\r\nLine two.")
    confirmed.pop("publish")
    response = editor_client.post(PUBLISH, {**confirmed, "back": "1"})
    assert response.status_code == 200 and "fingerprint" not in response.context
    assert response.context["form"]["change_summary_en"].value() == "Line one.\r\nLine two."
    assert 'value="1.1"' in response.text
    assert Edition.objects.count() == 1


def test_a_number_taken_in_the_meantime_sends_the_editor_back_to_the_form(editor_client, published):
    _page, confirmed = confirm(editor_client)
    services.edition_publish(number="1.1", published_on=published.published_on,
                             change_summary_en="By a colleague.")  # fmt: skip
    response = editor_client.post(PUBLISH, confirmed)
    assert response.status_code == 200 and "fingerprint" not in response.context
    assert "greater than the latest edition" in response.context["form"].errors["number"][0]


def test_the_confirmation_has_no_english_for_a_russian_editor(editor_client, published):
    from tests.test_russian_completeness import english_in, english_words, visible_text

    page = editor_client.post(PUBLISH, publish_form(), HTTP_ACCEPT_LANGUAGE="ru")
    # The person's user name and the test module's code are data, not the interface.
    text = visible_text(page.text).replace("editor.", "").replace("SALW", "")
    assert "Подтвердите публикацию издания 1.1" in text
    assert "Руководящие принципы целиком, на русском" in text
    assert english_in(text, english_words()) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"number": "1.0"}, "greater than the latest edition"),
        ({"number": "0.5"}, "greater than the latest edition"),
        ({"number": "one"}, "MAJOR.MINOR"),
        ({"number": ""}, "This field is required"),
        ({"change_summary_en": ""}, "This field is required"),
        ({"published_on": "not a date"}, "Enter a valid date"),
    ],
)
def test_publishing_with_bad_input_explains_and_saves_nothing(
    editor_client, published, overrides, message
):
    response = editor_client.post(reverse("admin:modules_edition_add"), publish_form(**overrides))
    assert response.status_code == 200
    assert message in response.text
    assert Edition.objects.count() == 1


def test_the_publish_form_shows_every_error_at_once_in_the_editors_language(
    editor_client, published
):
    response = editor_client.post(
        reverse("admin:modules_edition_add"),
        publish_form(number="1.0", published_on="2021-01-01", change_summary_en="   "),
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 200
    errors = (
        response.context["adminform"].form.errors
        if "adminform" in response.context
        else (response.context["form"].errors)
    )
    assert set(errors) == {"number", "published_on", "change_summary_en"}
    assert "больше номера последнего издания" in errors["number"][0]
    assert "1.0" in errors["published_on"][0]
    # A malformed number is the form's; the date is still checked against the editions.
    response = editor_client.post(
        reverse("admin:modules_edition_add"), publish_form(number="one", published_on="2021-01-01")
    )
    assert set(response.context["form"].errors) == {"number", "published_on"}
    assert "MAJOR.MINOR" in response.context["form"].errors["number"][0]
    assert Edition.objects.count() == 1


def test_an_empty_draft_is_refused_with_the_other_errors(editor_client, db):
    response = editor_client.post(reverse("admin:modules_edition_add"), publish_form(number="x"))
    form = response.context["form"]
    assert "nothing to publish" in " ".join(form.non_field_errors())
    assert "number" in form.errors
    assert not Edition.objects.exists()


def test_publish_form_warns_about_missing_russian(editor_client, published):
    services.section_update(section=Section.objects.get(key="salw-marking"), body_ru="")
    page = editor_client.get(reverse("admin:modules_edition_add"))
    assert "1 section has no Russian text" in page.text and "B.1.2" in page.text


def test_publishing_needs_the_permission(client, staff_without_permissions, published):
    client.force_login(staff_without_permissions)
    response = client.post(reverse("admin:modules_edition_add"), publish_form())
    assert response.status_code == 403
    assert Edition.objects.count() == 1


def test_back_office_pages_load_no_asset_from_outside_the_site(editor_client, published):
    import re

    marking = Section.objects.get(key="salw-marking")
    html = editor_client.get(admin_change_url(marking)).text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert "/static/admin-portal/language-tabs.js" in html
    assert "jquery-ui" not in html and "tabbed_translation_fields" not in html


def test_compare_shows_what_changed_between_two_versions(editor_client, urls):
    response = editor_client.get(urls["section compare"])
    assert response.status_code == 200
    assert "<ins>Новая редакция</ins>" in response.text
    assert "body_html" not in response.text


def test_view_on_site_opens_the_draft_preview(editor_client, published):
    marking = Section.objects.get(key="salw-marking")
    html = editor_client.get(admin_change_url(marking)).text
    assert "View on site" in html
    response = editor_client.get(marking.get_absolute_url())
    assert response.status_code == 200
    assert marking.get_absolute_url() == "/en/preview/modules/salw/salw-marking/"


def test_a_second_editor_cannot_silently_overwrite_the_first(client, editor, published):
    """Two editors open the same section; the first saves; the second is told, text kept."""
    from django.contrib.auth.models import User

    from accounts.roles import ensure_editors_group

    second = User.objects.create_user("second", password="x" * 20, is_staff=True)
    second.groups.add(ensure_editors_group())
    marking = Section.objects.get(key="salw-marking")
    stale = section_admin_form(marking, body_en="Second editor's careful text.")
    client.force_login(editor)
    client.post(admin_change_url(marking), section_admin_form(marking, body_en="First saved."))
    client.force_login(second)
    response = client.post(admin_change_url(marking), stale)
    assert response.status_code == 200
    assert "changed by someone else since you opened it" in response.text
    assert "Second editor&#x27;s careful text." in response.text
    marking.refresh_from_db()
    assert marking.body_en == "First saved."


def test_a_translator_cannot_silently_overwrite_an_editors_module_summary(
    client, editor, translator, published
):
    """The same guard on modules: their summaries are edited by editors and translators."""
    salw = Module.objects.get(code="SALW")
    url = reverse("admin:modules_module_change", args=[salw.pk])
    client.force_login(translator)
    form = client.get(url)
    token = re.search(r'name="edit_token" value="([0-9a-f]+)"', form.text).group(1)
    stale = module_admin_form(salw, summary_ru="Резюме переводчика.", edit_token=token)
    client.force_login(editor)
    assert (
        client.post(url, module_admin_form(salw, summary_en="Editor's summary.")).status_code == 302
    )
    client.force_login(translator)
    response = client.post(url, stale, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    assert "Этот модуль изменил кто-то другой" in response.text
    assert "Резюме переводчика." in response.text
    salw.refresh_from_db()
    assert salw.summary_en == "Editor's summary."
    assert salw.summary_ru != "Резюме переводчика."


def test_reverting_keeps_the_translation_stamps(editor_client, published):
    """A revert must not blank when each language last changed (the outdated-translation flag)."""
    marking = Section.objects.get(key="salw-marking")
    editor_client.post(admin_change_url(marking), section_admin_form(marking, body_en="Newer."))
    marking.refresh_from_db()
    ru_stamp, en_stamp = marking.ru_changed_at, marking.en_changed_at
    assert ru_stamp is not None and en_stamp is not None
    old = Version.objects.get_for_object(marking)[1]
    revert_url = reverse("admin:modules_section_revision", args=[marking.pk, old.pk])
    form = editor_client.get(revert_url)
    token = re.search(r'name="edit_token" value="([0-9a-f]+)"', form.text).group(1)
    old_text = old.field_dict["body_en"]
    editor_client.post(revert_url, section_admin_form(marking, body_en=old_text, edit_token=token))
    marking.refresh_from_db()
    assert marking.body_en == old_text
    assert marking.ru_changed_at == ru_stamp  # the Russian text did not change
    assert marking.en_changed_at > en_stamp  # the English text changed again, now


def test_the_markdown_preview_is_labelled_in_the_editors_language(editor_client, published):
    section = Section.objects.get(key="salw-marking")
    html = editor_client.get(admin_change_url(section), HTTP_ACCEPT_LANGUAGE="ru").text
    assert html.count('data-preview-label="Просмотр"') == 2  # the English and Russian bodies
    publish_form = editor_client.get("/admin/modules/edition/add/", HTTP_ACCEPT_LANGUAGE="ru")
    assert 'data-preview-label="Просмотр"' in publish_form.text


def test_the_publication_date_is_filled_in_for_the_browser_in_every_language(editor_client, db):
    from django.utils import timezone

    for language in ("en", "ru"):
        page = editor_client.get("/admin/modules/edition/add/", HTTP_ACCEPT_LANGUAGE=language)
        assert f'type="date" name="published_on" value="{timezone.localdate():%Y-%m-%d}"' in (
            page.text
        )
