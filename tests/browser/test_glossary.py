"""Glossary terms in the text, in Chromium: the definition opens on hover, on keyboard focus
and on tap, stays while the pointer is over it, closes with Escape (WCAG 1.4.13), and the term
leads to its row in the glossary."""

import pytest
from playwright.sync_api import expect

from tests.modules.test_glossary import with_glossary  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_definition_opens_on_hover_focus_and_tap_and_closes_with_escape(
    browser,
    live_server,
    with_glossary,  # noqa: F811
):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/en/modules/salw/salw-marking/")
    term = page.locator(".term").filter(has_text="firearm")
    tip = term.locator(".term__tip")
    expect(tip).to_be_hidden()
    expect(term.locator("a")).to_have_accessible_description(
        "Firearm: A portable barrelled weapon."
    )
    term.locator("a").hover()
    expect(tip).to_be_visible()
    tip.hover()  # the pointer moves onto the definition: it stays
    expect(tip).to_be_visible()
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    page.mouse.move(0, 0)
    term.locator("a").focus()  # as a keyboard reaches it
    expect(tip).to_be_visible()
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    page.keyboard.press("Enter")  # Enter follows the link to the glossary's row
    page.wait_for_url("**/annex-glossary-terms/#term-firearm")
    expect(page.locator("#term-firearm")).to_contain_text("A portable barrelled weapon.")
    context.close()


def test_on_a_phone_a_tap_shows_the_definition_and_the_next_follows_the_link(
    browser,
    live_server,
    with_glossary,  # noqa: F811
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 780}, has_touch=True,
        is_mobile=True,
    )  # fmt: skip
    page = context.new_page()
    page.goto("/ru/modules/salw/salw-marking/")
    term = page.locator(".term").filter(has_text="огнестрельного оружия")
    tip = term.locator(".term__tip")
    term.locator("a").tap()
    expect(tip).to_be_visible()
    assert page.url.endswith("/ru/modules/salw/salw-marking/")
    box = tip.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360  # inside the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator("h1").tap()  # a tap elsewhere closes it
    expect(tip).to_be_hidden()
    term.locator("a").tap()
    term.locator("a").tap()
    page.wait_for_url("**/annex-glossary-terms/#term-*")
    context.close()
