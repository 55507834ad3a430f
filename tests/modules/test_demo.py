"""The demonstration guidelines load through the services and show a realistic portal."""

import pytest
from django.core.management import call_command

from modules.demo import read_demo
from modules.models import Edition, EditionSection, Module


@pytest.fixture(scope="module")
def demo_files():
    return read_demo()


def test_demo_covers_every_module_in_both_languages(demo_files):
    modules, editions = demo_files
    assert [m["module"]["code"] for m in modules] == ["GEN", "SALW", "IED", "UAS", "ANX"]
    sections = [s for m in modules for s in m["sections"]]
    assert len(sections) >= 40
    for section in sections:
        for field in ("title_en", "title_ru", "body_en", "body_ru"):
            assert section[field].strip(), (section["key"], field)
    for data in modules:
        assert data["module"]["summary_en"].strip() and data["module"]["summary_ru"].strip()
    assert [e["number"] for e in editions] == ["1.0", "1.1"]


def test_load_demo_publishes_two_editions_with_real_changes(db):
    call_command("load_demo")
    first, second = Edition.objects.by_number("1.0"), Edition.objects.by_number("1.1")
    assert str(first.published_on) == "2022-03-18"
    assert first.sections.count() >= 40
    keys_1_0 = set(first.sections.values_list("key", flat=True))
    keys_1_1 = set(second.sections.values_list("key", flat=True))
    assert keys_1_1 - keys_1_0, "1.1 adds sections"
    assert keys_1_0 - keys_1_1, "1.1 removes a section"
    changed = [
        key
        for key in keys_1_0 & keys_1_1
        if EditionSection.objects.get(edition=first, key=key).body_en
        != EditionSection.objects.get(edition=second, key=key).body_en
    ]
    assert len(changed) >= 3
    assert EditionSection.objects.filter(body_html_en__contains="<table>").exists()
    assert EditionSection.objects.filter(body_html_ru__contains="footnote").exists()


def test_load_demo_if_empty_keeps_existing_data(db):
    call_command("load_demo")
    call_command("load_demo", "--if-empty")
    assert Module.objects.count() == 5 and Edition.objects.count() == 2


def test_load_demo_dry_run_leaves_nothing(db):
    call_command("load_demo", "--dry-run")
    assert not Module.objects.exists() and not Edition.objects.exists()


def test_comparing_the_demonstration_editions_is_bounded_and_cached(
    client, db, django_assert_max_num_queries
):
    call_command("load_demo")
    with django_assert_max_num_queries(6):
        response = client.get("/en/editions/1.0/compare/1.1/?languages=both")
    assert response.status_code == 200
    assert response.text.count('class="change"') >= 10
    with django_assert_max_num_queries(3):
        client.get("/en/editions/1.0/compare/1.1/?languages=both")


def test_the_demonstration_removed_section_points_to_its_replacement(client, db):
    call_command("load_demo")
    response = client.get("/en/modules/uas/uas-geofencing/")
    assert response.status_code == 410
    assert 'href="/en/modules/uas/uas-sales/"' in response.text
