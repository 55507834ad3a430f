import datetime
import re
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import reversion
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.urls import reverse
from reversion.models import Revision, Version

from modules import services
from modules.models import LANGS, Module, Section
from tests.conftest import admin_change_url, module_admin_form, section_admin_form


def test_service_changes_are_revisions_with_author_and_comment(draft, editor):
    marking = Section.objects.get(key="salw-marking")
    services.section_update(section=marking, body_en="New text.", user=editor, comment="Clarified")
    latest = Version.objects.get_for_object(marking).first()
    assert latest.revision.user == editor
    assert latest.revision.get_comment() == "Clarified"
    assert latest.field_dict["body_en"] == "New text."


def test_versions_hold_both_languages(draft):
    marking = Section.objects.get(key="salw-marking")
    fields = Version.objects.get_for_object(marking).first().field_dict
    assert {"title_en", "title_ru", "body_en", "body_ru", "body_html_ru"} <= set(fields)


def test_reverting_restores_the_russian_text(draft, editor):
    marking = Section.objects.get(key="salw-marking")
    original_ru = marking.body_ru
    services.section_update(section=marking, body_ru="Испорченный текст.", user=editor)
    assert Section.objects.get(pk=marking.pk).body_ru == "Испорченный текст."

    before_edit = Version.objects.get_for_object(marking)[1]
    services.section_revert(version=before_edit, user=editor)

    restored = Section.objects.get(pk=marking.pk)
    assert restored.body_ru == original_ru
    assert original_ru in restored.body_html_ru


def test_moves_and_deletions_are_recorded(draft, editor):
    marking = Section.objects.get(key="salw-marking")
    count = Version.objects.get_for_object(marking).count()
    services.section_move(section=marking, parent=None, position=1, user=editor)
    assert Version.objects.get_for_object(marking).count() == count + 1
    services.section_delete(section=Section.objects.get(key="salw-legislation"), user=editor)
    deleted = Version.objects.get_deleted(Section)
    assert [v.field_dict["key"] for v in deleted] == ["salw-legislation"]


def test_models_are_registered_with_translated_fields():
    options = reversion.revisions._get_options(Section)
    assert "title_ru" in options.fields and "body_ru" in options.fields
    assert "number" not in options.fields


def test_reverting_a_move_restores_the_place_and_the_number(draft, editor):
    marking = Section.objects.get(key="salw-marking")
    services.section_move(section=marking, parent=None, position=1, user=editor)
    assert Section.objects.get(key="salw-marking").number == "B.1"
    before_move = Version.objects.get_for_object(marking)[1]
    services.section_revert(version=before_move, user=editor)
    assert Section.objects.get(key="salw-marking").number == "B.1.2"


# --- Every path that changes the working draft records one revision --------------------
#
# recorded_as_one_revision() compares every versioned row before and after an action: the
# action must leave exactly one new revision, by the user who acted and with a comment,
# holding every row whose versioned fields changed, as it now stands. Derived fields
# (number, sort key, depth) are not versioned, so a renumbering alone records nothing.


def _versioned_rows() -> dict[tuple[type, str], dict]:
    rows = {}
    for model in reversion.get_registered_models():
        names = reversion.revisions._get_options(model).fields
        attnames = [model._meta.get_field(name).attname for name in names]
        for obj in model.objects.all():
            rows[model, str(obj.pk)] = {name: getattr(obj, name) for name in attnames}
    return rows


@contextmanager
def recorded_as_one_revision(*, user):
    before = _versioned_rows()
    last = Revision.objects.aggregate(last=Max("pk"))["last"] or 0
    outcome = SimpleNamespace(revision=None, changed=set())
    yield outcome
    after = _versioned_rows()
    new = list(Revision.objects.filter(pk__gt=last))
    assert len(new) == 1, f"expected one new revision, found {[r.comment for r in new]}"
    revision = outcome.revision = new[0]
    versions = {(v._model, v.object_id): v for v in revision.version_set.all()}
    outcome.changed = {row for row, values in after.items() if before.get(row) != values}
    assert outcome.changed <= versions.keys(), "changed rows missing from the revision"
    for row in outcome.changed:
        assert versions[row].field_dict == after[row], f"{row} recorded in an earlier state"
    assert revision.user == user
    assert revision.get_comment().strip()


def _keys(outcome) -> set[str]:
    return {Section.objects.get(pk=pk).key for model, pk in outcome.changed if model is Section}


# Services (also used by load_demo, the XLIFF import and the admin).


def test_creating_a_module_and_a_section(draft, editor):
    with recorded_as_one_revision(user=editor) as outcome:
        module = services.module_create(
            user=editor, code="CBRN", slug="cbrn", kind="thematic", order=2,
            title_en="CBRN", short_title_en="CBRN",
        )  # fmt: skip
    assert outcome.revision.get_comment() == "Module created"
    with recorded_as_one_revision(user=editor) as outcome:
        services.section_create(module=module, key="cbrn-scope", title_en="Scope", user=editor)
    assert _keys(outcome) == {"cbrn-scope"}


def test_moving_records_every_sibling_that_changed_place(draft, editor):
    upstream = Section.objects.get(key="salw-upstream")
    with recorded_as_one_revision(user=editor) as outcome:
        services.section_move(
            section=Section.objects.get(key="salw-tracing"), parent=upstream, position=1,
            user=editor,
        )  # fmt: skip
    # Tracing went first under Upstream measures: both earlier children moved down a place.
    assert _keys(outcome) == {"salw-tracing", "salw-legislation", "salw-marking"}
    assert outcome.revision.get_comment() == "Section moved"


def test_deleting_a_section_is_recorded_with_its_module(draft, editor):
    legislation = Section.objects.get(key="salw-legislation")
    pk = str(legislation.pk)
    with recorded_as_one_revision(user=editor) as outcome:
        services.section_delete(section=legislation, user=editor)
    # A deleted row has no version of its own here: its module carries the record, and the
    # section's earlier versions remain for recovery.
    assert _keys(outcome) == {"salw-marking"}  # moved up to position 1
    assert (Module, str(draft.pk)) in {
        (v._model, v.object_id) for v in outcome.revision.version_set.all()
    }
    assert outcome.revision.get_comment() == "Section deleted: B.1.1 (salw-legislation)"
    assert [v.object_id for v in Version.objects.get_deleted(Section)] == [pk]


def test_reverting_a_section_is_one_revision(draft, editor):
    marking = Section.objects.get(key="salw-marking")
    services.section_move(section=marking, parent=None, position=1, user=editor)
    before_move = Version.objects.get_for_object(marking)[1]
    with recorded_as_one_revision(user=editor) as outcome:
        services.section_revert(version=before_move, user=editor)
    assert "salw-marking" in _keys(outcome)
    assert outcome.revision.get_comment().startswith("Reverted to the version of")


def test_an_xliff_import_is_one_revision_by_the_translator(client, translator, published):
    from tests.modules.test_translation import export, upload

    client.force_login(translator)
    content = export(client).decode()
    for key in ("salw-marking", "salw-tracing"):
        content = content.replace(f"Русский текст раздела {key}.", f"Новый перевод {key}.")
    with recorded_as_one_revision(user=translator) as outcome:
        assert upload(client, content.encode()).status_code == 200
    assert _keys(outcome) == {"salw-marking", "salw-tracing"}
    assert outcome.revision.get_comment() == "Russian text imported from XLIFF"


def test_the_demonstration_content_is_recorded_in_full(db):
    from guidelines_portal.demo import demo_load

    demo_load()
    # Every row's latest version is the row as it stands: nothing changed unrecorded.
    for (model, pk), values in _versioned_rows().items():
        latest = Version.objects.get_for_object_reference(model, pk).first()
        assert latest.field_dict == values, f"{model.__name__} {pk}"
        assert latest.revision.get_comment().startswith("Demonstration content")


# The back office.


def test_adding_a_section_in_the_admin(editor_client, editor, published):
    upstream = Section.objects.get(key="salw-upstream")
    with recorded_as_one_revision(user=editor) as outcome:
        response = editor_client.post(
            reverse("admin:modules_section_add"),
            {"module": upstream.module_id, "parent": upstream.pk, "key": "salw-disposal",
             "position": "1", "title_en": "Disposal", "title_ru": "", "body_en": "Text.",
             "body_ru": ""},
        )  # fmt: skip
        assert response.status_code == 302
    assert _keys(outcome) == {"salw-disposal", "salw-legislation", "salw-marking"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"body_ru": "Новый текст."}, {"salw-marking"}),
        ({"position": 1}, {"salw-marking", "salw-legislation"}),
    ],
    ids=["text", "position"],
)
def test_changing_a_section_in_the_admin(editor_client, editor, published, changes, expected):
    marking = Section.objects.get(key="salw-marking")
    with recorded_as_one_revision(user=editor) as outcome:
        response = editor_client.post(
            admin_change_url(marking), section_admin_form(marking, **changes)
        )
        assert response.status_code == 302
    assert _keys(outcome) == expected


def test_the_move_buttons(editor_client, editor, published):
    marking = Section.objects.get(key="salw-marking")
    with recorded_as_one_revision(user=editor) as outcome:
        editor_client.post(reverse("admin:modules_section_move", args=[marking.pk, "up"]))
    assert _keys(outcome) == {"salw-marking", "salw-legislation"}
    assert outcome.revision.get_comment() == "Section moved up"


def test_deleting_a_section_in_the_admin(editor_client, editor, published):
    legislation = Section.objects.get(key="salw-legislation")
    with recorded_as_one_revision(user=editor) as outcome:
        response = editor_client.post(
            reverse("admin:modules_section_delete", args=[legislation.pk]), {"post": "yes"}
        )
        assert response.status_code == 302
    assert _keys(outcome) == {"salw-marking"}
    assert outcome.revision.get_comment() == "Section deleted: B.1.1 (salw-legislation)"


def test_deleting_selected_sections_in_the_admin(editor_client, editor, published):
    chosen = Section.objects.filter(key__in=["salw-legislation", "salw-tracing"])
    with recorded_as_one_revision(user=editor) as outcome:
        response = editor_client.post(
            reverse("admin:modules_section_changelist"),
            {"action": "delete_selected", "_selected_action": [s.pk for s in chosen],
             "post": "yes"},
        )  # fmt: skip
        assert response.status_code == 302
    assert not Section.objects.filter(key__in=["salw-legislation", "salw-tracing"]).exists()
    assert _keys(outcome) == {"salw-marking"}
    assert outcome.revision.get_comment() == (
        "Sections deleted: B.1.1 (salw-legislation), B.2 (salw-tracing)"
    )


def test_adding_and_changing_a_module_in_the_admin(client, superuser, published):
    client.force_login(superuser)
    form = {"code": "CBRN", "slug": "cbrn", "kind": "thematic", "order": 2,
            "number_prefix": "C.", "title_en": "CBRN", "title_ru": "", "short_title_en": "CBRN",
            "short_title_ru": "", "summary_en": "", "summary_ru": ""}  # fmt: skip
    with recorded_as_one_revision(user=superuser):
        assert client.post(reverse("admin:modules_module_add"), form).status_code == 302
    module = Module.objects.get(code="CBRN")
    url = reverse("admin:modules_module_change", args=[module.pk])
    with recorded_as_one_revision(user=superuser) as outcome:
        response = client.post(url, module_admin_form(module, summary_en="New."))
        assert response.status_code == 302
    assert outcome.changed == {(Module, str(module.pk))}


def test_deleting_a_module_in_the_admin_records_its_last_state(client, superuser, published):
    client.force_login(superuser)
    module = services.module_create(
        code="CBRN", slug="cbrn", kind="thematic", order=2, title_en="CBRN", short_title_en="CBRN"
    )
    with recorded_as_one_revision(user=superuser) as outcome:
        response = client.post(
            reverse("admin:modules_module_delete", args=[module.pk]), {"post": "yes"}
        )
        assert response.status_code == 302
    assert not Module.objects.filter(pk=module.pk).exists()
    assert outcome.revision.get_comment() == "Module CBRN deleted"
    deleted = Version.objects.get_deleted(Module).get()
    assert deleted.revision == outcome.revision and deleted.field_dict["code"] == "CBRN"


def test_a_module_is_deleted_only_where_its_last_state_can_be_recorded(draft, editor):
    with pytest.raises(ValidationError):
        services.module_delete(module=draft, user=editor)
    empty = services.module_create(
        code="CBRN", slug="cbrn", kind="thematic", order=2, title_en="CBRN", short_title_en="CBRN"
    )
    # Inside another revision the version would be dropped with the row: refused, not lost.
    with pytest.raises(reversion.RevisionManagementError), reversion.create_revision():
        services.module_delete(module=empty, user=editor)
    assert Module.objects.filter(pk=empty.pk).exists()


def test_a_module_that_feedback_is_about_cannot_be_deleted(client, superuser, editor):
    from feedback import services as feedback_services
    from feedback.targets import Target

    module = services.module_create(
        code="CBRN", slug="cbrn", kind="thematic", order=2, title_en="CBRN", short_title_en="CBRN"
    )
    item, _created = feedback_services.feedback_submit(
        data={
            "kind": "technical", "comment": "Add precursors.", "category": "practitioner",
            "country": "NO", "name": "", "organisation": "", "email": "",
            "may_name": False, "publishable": True,
        },
        language="en", edition=None, target=Target(module=module), notify=False,
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        services.module_delete(module=module, user=editor)
    assert refused.value.code == "has_feedback"

    client.force_login(superuser)
    url = reverse("admin:modules_module_delete", args=[module.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "<h1>Cannot delete module</h1>" in page.content.decode()
    client.post(url, {"post": "yes"})
    item.refresh_from_db()
    assert item.module == module


def test_reverting_in_the_admin_puts_back_that_section_only(editor_client, editor, published):
    marking = Section.objects.get(key="salw-marking")
    services.section_move(section=marking, parent=marking.parent, position=1, user=editor)
    moved_first = Version.objects.get_for_object(marking).first()
    # The move's revision also holds Legislation, whose text changes afterwards.
    legislation = Section.objects.get(key="salw-legislation")
    services.section_update(section=legislation, body_en="Later text.", user=editor)
    services.section_move(section=marking, parent=marking.parent, position=2, user=editor)

    url = reverse("admin:modules_section_revision", args=[marking.pk, moved_first.pk])
    token = re.search(r'name="edit_token" value="([0-9a-f]+)"', editor_client.get(url).text)
    old = moved_first.field_dict
    with recorded_as_one_revision(user=editor) as outcome:
        response = editor_client.post(
            url,
            section_admin_form(marking, position=old["position"], edit_token=token.group(1)),
        )
        assert response.status_code == 302
    assert Section.objects.get(key="salw-legislation").body_en == "Later text."
    assert _keys(outcome) == {"salw-marking", "salw-legislation"}
    assert outcome.revision.get_comment().startswith("Reverted to previous version")
    numbers = dict(Section.objects.values_list("key", "number"))
    assert (numbers["salw-marking"], numbers["salw-legislation"]) == ("B.1.1", "B.1.2")


def test_recovering_a_deleted_section_in_the_admin(editor_client, editor, published):
    legislation = Section.objects.get(key="salw-legislation")
    services.section_delete(section=legislation, user=editor)
    version = Version.objects.get_deleted(Section).get()
    url = reverse("admin:modules_section_recover", args=[version.pk])
    token = re.search(r'name="edit_token" value="([0-9a-f]+)"', editor_client.get(url).text)
    old = version.field_dict
    form = {
        "edit_token": token.group(1), "parent": old["parent_id"], "position": old["position"],
        **{f"{name}_{lang}": old[f"{name}_{lang}"] for name in ("title", "body") for lang in LANGS},
    }  # fmt: skip
    with recorded_as_one_revision(user=editor) as outcome:
        assert editor_client.post(url, form).status_code == 302
    assert _keys(outcome) == {"salw-legislation", "salw-marking"}
    numbers = dict(Section.objects.values_list("key", "number"))
    assert (numbers["salw-legislation"], numbers["salw-marking"]) == ("B.1.1", "B.1.2")


def test_a_recovered_section_still_flags_its_outdated_russian_text(
    editor_client, editor, published
):
    legislation = Section.objects.get(key="salw-legislation")
    services.section_update(section=legislation, user=editor, body_en="Newer English only.")
    legislation.refresh_from_db()
    assert legislation.russian_outdated
    stamps = (legislation.en_changed_at, legislation.ru_changed_at)
    services.section_delete(section=legislation, user=editor)

    services.version_restore(Version.objects.get_deleted(Section).get())
    recovered = Section.objects.get(key="salw-legislation")
    assert recovered.russian_outdated
    # From the revisions that made each change (saved a moment after the stamp was taken).
    for recovered_stamp, stamp in zip(
        (recovered.en_changed_at, recovered.ru_changed_at), stamps, strict=True
    ):
        assert abs(recovered_stamp - stamp) < datetime.timedelta(seconds=2)


# Bulk actions: only those known to record a revision are offered on versioned models.

ACTIONS_RECORDING_A_REVISION = {
    # SectionAdmin.delete_queryset deletes through services.section_delete, in one revision.
    (Section, "delete_selected"),
}


def test_bulk_actions_on_versioned_models_all_record_a_revision(rf, superuser):
    from django.contrib import admin
    from reversion.admin import VersionAdmin

    request = rf.get("/admin/")
    request.user = superuser
    offered = set()
    for model in reversion.get_registered_models():
        model_admin = admin.site._registry[model]
        # add, change, revert and recover run inside reversion's revisions.
        assert isinstance(model_admin, VersionAdmin), model
        offered |= {(model, name) for name in model_admin.get_actions(request)}
    assert offered <= ACTIONS_RECORDING_A_REVISION, offered - ACTIONS_RECORDING_A_REVISION
