import reversion
from reversion.models import Version

from modules import services
from modules.models import Section


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
