import pytest
from django.core.exceptions import ValidationError

from modules import services
from modules.models import Section
from tests.conftest import make_module, make_section


def numbers(module):
    return [(s.key, s.number) for s in Section.objects.in_module(module)]


def test_numbers_follow_the_tree_and_the_module_prefix(draft):
    assert numbers(draft) == [
        ("salw-upstream", "B.1"),
        ("salw-legislation", "B.1.1"),
        ("salw-marking", "B.1.2"),
        ("salw-tracing", "B.2"),
    ]


def test_adding_a_section_at_a_position_renumbers_its_followers(draft):
    make_section(draft, "salw-scope")
    services.section_move(section=Section.objects.get(key="salw-scope"), parent=None, position=1)
    assert numbers(draft)[0] == ("salw-scope", "B.1")
    assert dict(numbers(draft))["salw-marking"] == "B.2.2"
    assert dict(numbers(draft))["salw-tracing"] == "B.3"


def test_moving_a_section_changes_its_number_but_never_its_key(draft):
    marking = Section.objects.get(key="salw-marking")
    services.section_move(section=marking, parent=None, position=1)
    marking.refresh_from_db()
    assert (marking.key, marking.number, marking.depth) == ("salw-marking", "B.1", 1)
    assert dict(numbers(draft))["salw-legislation"] == "B.2.1"


def test_shifting_up_and_down_reorders_siblings(draft):
    marking = Section.objects.get(key="salw-marking")
    services.section_shift(section=marking, offset=-1)
    assert dict(numbers(draft))["salw-marking"] == "B.1.1"
    services.section_shift(section=Section.objects.get(key="salw-marking"), offset=1)
    assert dict(numbers(draft))["salw-marking"] == "B.1.2"


def test_shifting_the_first_section_up_is_harmless(draft):
    first = Section.objects.get(key="salw-upstream")
    services.section_shift(section=first, offset=-1)
    assert dict(numbers(draft))["salw-upstream"] == "B.1"


def test_a_section_cannot_move_under_its_own_descendant(draft):
    chapter = Section.objects.get(key="salw-upstream")
    with pytest.raises(ValidationError, match="under itself"):
        services.section_move(
            section=chapter, parent=Section.objects.get(key="salw-marking"), position=1
        )
    with pytest.raises(ValidationError, match="under itself"):
        services.section_move(section=chapter, parent=chapter, position=1)
    assert dict(numbers(draft))["salw-upstream"] == "B.1"


def test_a_parent_must_be_in_the_same_module(draft):
    other = make_module("IED", prefix="C.")
    with pytest.raises(ValidationError, match="same module"):
        make_section(other, "ied-x", parent=Section.objects.get(key="salw-upstream"))
    assert not Section.objects.filter(key="ied-x").exists()


def test_duplicate_keys_are_refused(draft):
    with pytest.raises(ValidationError, match="key"):
        make_section(draft, "salw-marking")
    assert Section.objects.filter(key="salw-marking").count() == 1


def test_deleting_a_section_renumbers_and_refuses_one_with_children(draft):
    with pytest.raises(ValidationError):
        services.section_delete(section=Section.objects.get(key="salw-upstream"))
    services.section_delete(section=Section.objects.get(key="salw-legislation"))
    assert dict(numbers(draft))["salw-marking"] == "B.1.1"


def test_renumbering_a_large_module_writes_once(db, django_assert_max_num_queries):
    from tests.conftest import make_large_module

    module = make_large_module("UAS", chapters=20, per_chapter=20)
    Section.objects.filter(module=module).update(number="", sort_key="")
    with django_assert_max_num_queries(4):
        changed = services.module_renumber(module=module)
    assert changed == 420
    assert Section.objects.get(key="uas-ch20-s20").number == "B.20.20"
