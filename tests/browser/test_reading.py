"""A reader reads the guidelines in English and Russian, with the mouse and with the keyboard."""

import datetime

import pytest

from tests.conftest import make_module, make_section, publish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def guidelines(db):
    module = make_module("SALW", title_en="Small arms", title_ru="Стрелковое оружие")
    upstream = make_section(module, "salw-upstream", title_en="Upstream measures",
                            title_ru="Превентивные меры")  # fmt: skip
    make_section(module, "salw-marking", parent=upstream, title_en="Marking",
                 title_ru="Маркировка", body_en="Mark every weapon.",
                 body_ru="Маркируйте каждую единицу оружия.")  # fmt: skip
    make_section(module, "salw-tracing", title_en="Tracing", title_ru="Отслеживание")
    return publish("1.0", on=datetime.date(2022, 3, 18))


def test_reader_opens_a_section_and_switches_language(page, guidelines):
    page.goto("/en/")
    page.get_by_role("link", name="Small arms").first.click()
    page.get_by_role("navigation", name="Table of contents").get_by_role(
        "link", name="Marking"
    ).click()
    assert page.url.endswith("/en/modules/salw/salw-marking/")
    assert page.locator("h1").inner_text() == "B.1.1 Marking"

    page.get_by_role("navigation", name="Language").get_by_role("link", name="Русский").click()
    assert page.url.endswith("/ru/modules/salw/salw-marking/")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert "Маркируйте каждую единицу оружия." in page.locator("main").inner_text()

    page.locator("a[rel=next]").click()
    assert page.url.endswith("/ru/modules/salw/salw-tracing/")


def test_keyboard_only_reader_skips_to_content_and_follows_the_contents(page, guidelines):
    page.goto("/en/modules/salw/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Tab forward until the table of contents link to B.1.1 has focus, then follow it.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").strip().startswith("B.1.1"):
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/salw-marking/")
    assert page.locator("h1").inner_text() == "B.1.1 Marking"


def test_phone_width_has_no_horizontal_scrolling(browser, live_server, guidelines):
    context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url)
    page = context.new_page()
    for path in ("/en/", "/ru/modules/salw/", "/ru/modules/salw/salw-marking/", "/en/editions/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    context.close()


def test_stored_pages_read_the_same_in_the_browser(page, guidelines, settings, tmp_path):
    """Pages sent from the store, brotli-compressed, with 304 on reload, read as rendered."""
    from guidelines_portal.page_store.store import store

    settings.PAGE_STORE, settings.MEDIA_ROOT = True, str(tmp_path)
    store.forget()
    encodings = []
    for _visit in range(2):  # rendered and stored, then sent from the store
        response = page.goto("/ru/modules/salw/salw-marking/")
        assert response is not None and response.status == 200
        encodings.append(response.headers.get("content-encoding"))
        assert page.locator("h1").inner_text() == "B.1.1 Маркировка"
        assert "Маркируйте каждую единицу оружия." in page.locator("main").inner_text()
    assert encodings[-1] in ("br", "gzip"), encodings  # Chromium sends br over HTTPS only
    assert list(tmp_path.glob("pages/*/*/*/*.page"))
    reloaded = page.reload()
    assert reloaded is not None and reloaded.status in (200, 304)
    assert page.locator("h1").inner_text() == "B.1.1 Маркировка"
    store.forget()


def test_a_returning_reader_is_told_what_changed_since_they_last_read(page, guidelines):
    """The browser remembers the edition each section was read in (nothing sent to the
    server); after a later edition changes the text, the page says so and links the change."""
    from modules import services
    from modules.models import Section

    note = page.locator(".notice--changed-since")
    page.goto("/ru/modules/salw/salw-tracing/")
    page.evaluate("localStorage.setItem('guidelines:last-read', '{damaged')")
    page.goto("/ru/modules/salw/salw-marking/")  # damaged: started again
    page.evaluate("""localStorage.setItem('guidelines:last-read',
        JSON.stringify({"salw-marking": "1.0", "salw-tracing": "x.y"}))""")
    page.goto("/ru/modules/salw/salw-tracing/")  # a value no edition has: replaced
    assert note.is_hidden()
    stored = page.evaluate("localStorage.getItem('guidelines:last-read')")
    assert stored == '{"salw-marking":"1.0","salw-tracing":"1.0"}'
    assert page.context.cookies() == []  # kept in the browser, never sent

    services.section_update(
        section=Section.objects.get(key="salw-marking"),
        body_en="Mark every weapon, its parts too.",
        body_ru="Маркируйте каждую единицу оружия и её части.",
    )
    publish("1.1", on=datetime.date(2023, 5, 2))

    page.goto("/ru/modules/salw/salw-marking/")
    assert note.is_visible()
    assert note.inner_text().startswith(
        "Этот раздел изменился с тех пор, как вы читали его в издании 1.0."
    )
    note.get_by_role("link", name="Посмотреть изменения").click()
    page.wait_for_url("**/ru/editions/1.0/compare/1.1/sections/salw-marking/")
    assert "её части" in page.locator("main").inner_text()

    # Read in 1.1 now: no note again; an unchanged section never had one; nor an old edition.
    page.goto("/ru/modules/salw/salw-marking/")
    assert note.is_hidden()
    page.goto("/en/modules/salw/salw-tracing/")
    assert note.is_hidden()
    page.goto("/en/editions/1.0/modules/salw/salw-marking/")
    assert note.is_hidden()
    assert '"salw-marking":"1.1"' in page.evaluate("localStorage.getItem('guidelines:last-read')")
