import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from modules import services
from modules.models import Edition, EditionSection, Section
from tests.conftest import make_large_module, make_section, publish


def test_publishing_freezes_every_section_in_both_languages(published):
    frozen = {s.key: s for s in published.sections.all()}
    assert set(frozen) == {"salw-upstream", "salw-legislation", "salw-marking", "salw-tracing"}
    marking = frozen["salw-marking"]
    assert (marking.number, marking.parent_key, marking.depth) == ("B.1.2", "salw-upstream", 2)
    assert marking.title_ru == "Заголовок salw-marking"
    assert "Русский текст" in marking.body_html_ru
    module = published.modules.get()
    assert (module.code, module.slug, module.title_ru) == ("SALW", "salw", "Модуль SALW")
    assert "<strong>SALW</strong>" in module.summary_html_en


def test_editing_the_draft_never_changes_a_published_edition(published):
    marking = Section.objects.get(key="salw-marking")
    services.section_update(section=marking, title_en="Changed", body_ru="Новый текст.")
    services.section_move(section=marking, parent=None, position=1)
    make_section(marking.module, "salw-new")

    frozen = EditionSection.objects.get(edition=published, key="salw-marking")
    assert (frozen.title_en, frozen.number) == ("Marking", "B.1.2")
    assert "Новый" not in frozen.body_ru
    assert not published.sections.filter(key="salw-new").exists()


def test_a_new_edition_holds_the_new_text_while_the_old_stays(published):
    marking = Section.objects.get(key="salw-marking")
    services.section_update(section=marking, title_en="Marking and record-keeping")
    second = publish("1.1")
    assert Edition.objects.current() == second
    assert second.sections.get(key="salw-marking").title_en == "Marking and record-keeping"
    assert published.sections.get(key="salw-marking").title_en == "Marking"


def test_a_published_edition_refuses_to_be_saved_again(published):
    published.change_summary_en = "Rewritten history"
    with pytest.raises(ValidationError):
        published.save()
    assert Edition.objects.get(pk=published.pk).change_summary_en == "Changes in 1.0."


@pytest.mark.parametrize("number", ["1.0", "0.9", "1", "1.0.1", "v2", "01.2", "", "1.1000"])
def test_edition_numbers_must_be_well_formed_and_greater_than_the_last(published, number):
    with pytest.raises(ValidationError):
        publish(number)
    assert Edition.objects.count() == 1


def test_numbers_compare_numerically_not_as_text(published):
    publish("1.9")
    publish("1.10")
    assert Edition.objects.current().number == "1.10"
    with pytest.raises(ValidationError, match="greater"):
        publish("1.2")


def test_an_empty_draft_cannot_be_published(db):
    with pytest.raises(ValidationError, match="nothing to publish"):
        publish("1.0")
    assert not Edition.objects.exists()


def test_a_change_summary_in_english_is_required(draft):
    with pytest.raises(ValidationError):
        services.edition_publish(
            number="1.0", published_on=timezone.localdate(), change_summary_en="  "
        )


def test_publishing_writes_sections_in_bulk(db, django_assert_max_num_queries):
    make_large_module("UAS", chapters=30, per_chapter=15)
    # 10 fixed queries (one: is another edition scheduled?), the insert batches (9 on SQLite's parameter limit, 1 on PostgreSQL),
    # the search index (one UPDATE on PostgreSQL; a read and update batches on SQLite) and
    # the feedback it incorporates (a read and an update, however many items), the text
    # fingerprint (an update), its PDFs queued (the modules read, one insert) and whether
    # anyone waits for an e-mail alert (alerts.receivers).
    with django_assert_max_num_queries(31):
        edition = publish("1.0")
    assert edition.sections.count() == 480


def test_the_next_number_is_suggested(published):
    assert services.edition_number_suggestion() == "1.1"


def test_draft_overview_lists_what_publishing_would_change(published):
    from modules.selectors import draft_overview

    services.section_update(section=Section.objects.get(key="salw-marking"), body_en="New.")
    make_section(
        Section.objects.get(key="salw-tracing").module, "salw-new", title_ru="", body_ru=""
    )
    services.section_delete(section=Section.objects.get(key="salw-legislation"))
    overview = draft_overview()
    assert overview.latest == published
    assert [str(s) for s in overview.changed] == ["B.1.1"]
    assert [(s.number, s.key) for s in overview.added] == [("B.3", "salw-new")]
    assert [str(s) for s in overview.removed] == ["B.1.1"]
    assert [str(s) for s in overview.missing_russian] == ["B.3"]
