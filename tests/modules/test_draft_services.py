"""The services the back office calls to save what editors edit (issue 15: no writes in the
admin): each atomic and tested on its own."""

import pytest

from modules import services
from modules.models import Module, Section


def test_a_new_section_is_placed_where_asked_and_numbered(published):
    module = Module.objects.get(code="SALW")
    section = Section(module=module, key="salw-new", title_en="New", body_en="Text.")
    services.section_save(section=section, changed_fields={"title_en", "body_en"}, position=1)
    section.refresh_from_db()
    assert (section.position, section.number) == (1, "B.1")
    assert section.en_changed_at is not None and section.ru_changed_at is None


def test_a_text_edit_stamps_its_language_and_moves_nothing(published):
    section = Section.objects.get(key="salw-tracing")
    place = (section.parent_id, section.position, section.number)
    section.body_ru = "Новый текст."
    services.section_save(section=section, changed_fields={"body_ru"})
    section.refresh_from_db()
    assert (section.parent_id, section.position, section.number) == place
    assert section.ru_changed_at is not None and section.body_ru == "Новый текст."


def test_a_restored_section_is_placed_again(published):
    marking, tracing = (Section.objects.get(key=k) for k in ("salw-marking", "salw-tracing"))
    tracing.position = marking.position  # an old version's place, held by another section now
    services.section_save(section=tracing, changed_fields=set(), position=1, restoring=True)
    positions = sorted(Section.objects.filter(module=marking.module, parent=None).values_list(
        "position", flat=True))  # fmt: skip
    assert positions == list(range(1, len(positions) + 1))


def test_a_new_number_prefix_renumbers_the_module(published):
    module = Module.objects.get(code="SALW")
    module.number_prefix = "S."
    services.module_update(module=module, changed_fields={"number_prefix"})
    numbers = set(Section.objects.filter(module=module).values_list("number", flat=True))
    assert numbers and all(number.startswith("S.") for number in numbers)


def test_a_failed_placement_leaves_nothing_saved(published, monkeypatch):
    section = Section.objects.get(key="salw-tracing")
    section.title_en = "Changed title"

    def fail(**kwargs):
        raise RuntimeError("placing failed")

    monkeypatch.setattr("modules.services.draft.section_move", fail)
    with pytest.raises(RuntimeError):  # the service's own transaction is undone
        services.section_save(section=section, changed_fields={"title_en", "position"})
    assert Section.objects.get(key="salw-tracing").title_en != "Changed title"
