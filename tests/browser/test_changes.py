"""A reader follows what changed between editions, cites a section and reads the diff in Russian."""

import datetime

import pytest

from modules import services
from modules.models import Section
from tests.conftest import make_module, make_section, publish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_editions(db):
    module = make_module("SALW", title_en="Small arms", title_ru="Стрелковое оружие")
    make_section(module, "salw-marking", title_en="Marking", title_ru="Маркировка",
                 body_en="States should mark weapons.\n\nRecords are kept.",
                 body_ru="Государствам следует маркировать оружие.\n\nУчёт ведётся.")  # fmt: skip
    make_section(module, "salw-tracing", title_en="Tracing", title_ru="Отслеживание")
    publish("1.0", on=datetime.date(2022, 3, 18))
    services.section_update(
        section=Section.objects.get(key="salw-marking"),
        body_en="States must mark all weapons.\n\nRecords are kept.",
        body_ru="Государства обязаны маркировать всё оружие.\n\nУчёт ведётся.",
    )
    publish("1.1", on=datetime.date(2023, 9, 15))


def test_reader_follows_a_change_from_the_edition_list(browser, live_server, two_editions):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto("/en/editions/")
    page.get_by_role("link", name="Compare with edition 1.0").click()
    assert page.url.endswith("/en/editions/1.0/compare/1.1/")
    assert page.locator("h1").inner_text() == "Changes from edition 1.0 to edition 1.1"

    page.get_by_role("link", name="This change alone").click()
    assert page.url.endswith("/en/editions/1.0/compare/1.1/sections/salw-marking/")
    diff = page.locator(".diff__body")
    assert diff.locator("del .visually-hidden").first.text_content() == "[Deleted text: "
    assert "should" in diff.locator("del").first.text_content()
    assert "must" in diff.locator("ins").first.text_content()

    page.get_by_role("link", name="Text in edition 1.1").click()
    timeline = page.get_by_role("region", name="History of this section")
    assert "Edition 1.1" in timeline.inner_text()
    timeline.get_by_role("link", name="Text as it stood").click()
    assert page.url.endswith("/en/editions/1.0/modules/salw/salw-marking/")
    assert "It is not the current edition." in page.locator(".edition-banner").inner_text()
    assert "States should mark weapons." in page.locator("main").inner_text()

    page.get_by_role("button", name="Copy citation").click()
    page.get_by_role("status").get_by_text("Citation copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "section B.1 “Marking”, edition 1.0 (18 March 2022)" in copied
    assert copied.endswith("/en/editions/1.0/modules/salw/salw-marking/")

    page.goto("/en/editions/1.0/compare/1.1/")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Русский").click()
    assert page.url.endswith("/ru/editions/1.0/compare/1.1/")
    assert page.locator("h1").inner_text() == "Изменения между изданием 1.0 и изданием 1.1"
    assert "обязаны" in page.locator("ins").first.text_content()
    context.close()


def test_a_followed_paragraph_link_is_highlighted(page, two_editions):
    page.goto("/en/modules/salw/salw-marking/#p2")
    paragraph = page.locator("#p2")
    assert "Records are kept." in paragraph.inner_text()
    background = paragraph.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    assert (
        page.locator("#p1").evaluate("el => getComputedStyle(el).backgroundColor")
        == "rgba(0, 0, 0, 0)"
    )
