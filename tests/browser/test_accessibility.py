"""Every page type, in both languages: no axe-core violation at WCAG 2.1 A and AA, no
horizontal scrolling at phone or desktop width, and a print layout without navigation."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from modules.roles import ensure_editors_group
from tests.browser.helpers import sign_in
from tests.pages import LANGUAGES, POSTED_PAGES, PUBLIC_PAGES, STAFF_PAGES, page_url

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "a long editor password 42"


@pytest.fixture
def demo(db):
    call_command("load_demo")
    from django.contrib.auth.models import User

    editor = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    editor.groups.add(ensure_editors_group())


def axe_violations(page) -> list[str]:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `npm ci` (make does it)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def overflow(page, width: int) -> int:
    page.set_viewport_size({"width": width, "height": 900})
    return page.evaluate("document.documentElement.scrollWidth") - width


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_type_is_accessible_and_fits_the_screen(browser, live_server, demo, lang):
    # axe is injected as an inline script, which the site's CSP rightly refuses.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: dict[str, list[str]] = {}
    sign_in(page, "editor", PASSWORD)
    pages = {**PUBLIC_PAGES, **STAFF_PAGES, **POSTED_PAGES}
    for name, path in pages.items():
        url = page_url(path, lang)
        page.goto(url)
        if name in POSTED_PAGES:
            page.locator("main form[method=post] [type=submit]").first.click()
            page.wait_for_load_state()
        found = axe_violations(page)
        for width in (360, 1280):
            extra = overflow(page, width)
            if extra > 0:
                found.append(f"scrolls horizontally by {extra}px at {width}px")
        if found:
            problems[f"{name} {url}"] = found
    context.close()
    assert problems == {}


def test_print_layout_hides_navigation_and_keeps_the_text(page, demo):
    page.goto("/en/modules/salw/salw-marking/")
    page.emulate_media(media="print")
    for selector in (".site-nav", ".language-switch", ".toc--aside", ".pager", ".copy-button"):
        assert page.locator(selector).first.is_hidden(), selector
    text = page.locator("main .prose").inner_text()
    assert "Marking" in text and len(text) > 500
    assert page.locator(".print-only").is_visible()
