"""Every page type, in both languages: no axe-core violation at WCAG 2.2 A and AA, no
horizontal scrolling at phone or desktop width, and a print layout without navigation."""

import base64
import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django_otp.oath import TOTP

from accounts.roles import ensure_editors_group
from accounts.services import setup_link_issue
from tests.browser.helpers import sign_in
from tests.pages import LANGUAGES, POSTED_PAGES, PUBLIC_PAGES, STAFF_PAGES, page_url

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "a long editor password 42"


@pytest.fixture
def demo(db):
    call_command("load_demo")
    from django.contrib.auth.models import User

    editor = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    editor.groups.add(ensure_editors_group())


def axe_violations(page, exclude: tuple[str, ...] = ()) -> list[str]:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `npm ci` (make does it)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "([tags, exclude]) => axe.run("
        "  {include: [document], exclude: exclude.map(s => [s])},"
        "  {runOnly: {type: 'tag', values: tags}})",
        [WCAG_TAGS, list(exclude)],
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
    assert problems == {}, "\n".join(f"{where}: {found}" for where, found in problems.items())


def test_print_layout_hides_navigation_and_keeps_the_text(page, demo):
    page.goto("/en/modules/salw/salw-marking/")
    page.emulate_media(media="print")
    for selector in (".site-nav", ".language-switch", ".toc--aside", ".pager", ".copy-button"):
        assert page.locator(selector).first.is_hidden(), selector
    text = page.locator("main .prose").inner_text()
    assert "Marking" in text and len(text) > 500
    assert page.locator(".print-only").is_visible()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_staff_sign_in_pages_are_accessible(browser, live_server, demo, settings, lang):
    """The pages between a staff member and the back office, errors included: the password
    form, setting up the authenticator app, a wrong code, the backup codes, the two-step
    settings (new codes, a new app), a wrong backup code, and the lockout."""
    settings.AXES_FAILURE_LIMIT = 2
    problems: dict[str, list[str]] = {}

    def new_page():
        context = browser.new_context(
            base_url=live_server.url, bypass_csp=True, extra_http_headers={"Accept-Language": lang}
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    def audit(page, name: str) -> None:
        found = axe_violations(page)
        extra = overflow(page, 360)
        if extra > 0:
            found.append(f"scrolls horizontally by {extra}px at 360px")
        if found:
            problems[name] = found

    def send_password(page, password: str) -> None:
        page.goto("/admin/login/")
        page.fill("#id_username", "editor")
        page.fill("#id_password", password)
        page.click("input[type=submit]")

    editor = new_page()
    editor.goto("/admin/login/")
    audit(editor, "password form")
    send_password(editor, "not the password")
    audit(editor, "password form with an error")
    send_password(editor, PASSWORD)
    editor.wait_for_url("**/admin/two-step/**")
    audit(editor, "no set-up link yet")
    # The set-up link, opened while signed in with the password: straight to the set-up.
    editor.goto(setup_link_issue(user=User.objects.get(username="editor")))
    editor.wait_for_url("**/admin/two-step/")
    audit(editor, "setting up the authenticator app")
    editor.fill("#id_code", "000000")
    editor.click("input[type=submit]")
    assert editor.locator(".errornote").count() == 1
    audit(editor, "a wrong code")
    secret = editor.locator(".two-step__secret").inner_text()
    editor.fill("#id_code", f"{TOTP(base64.b32decode(secret.replace(' ', ''))).token():06d}")
    editor.click("input[type=submit]")
    editor.wait_for_selector(".backup-codes__list")
    audit(editor, "the backup codes, shown once")
    editor.click(".backup-codes a.default")
    editor.goto("/admin/two-step/settings/")
    audit(editor, "two-step settings")
    editor.fill("#id_password", "not the password")
    editor.click("button[value=backup_codes]")
    assert editor.locator(".errornote").count() == 1
    audit(editor, "two-step settings with an error")
    editor.fill("#id_password", PASSWORD)
    editor.click("button[value=new_app]")
    editor.wait_for_url("**/two-step/new-app/")
    audit(editor, "setting up a new app")
    again = new_page()
    send_password(again, PASSWORD)
    again.wait_for_url("**/admin/two-step/**")
    again.click(".two-step__backup summary")
    again.fill("#id_backup_code", "not a code")
    again.click(".two-step__backup input[type=submit]")
    assert again.locator(".two-step__backup .errorlist").count() == 1
    audit(again, "a wrong backup code")
    again.context.close()

    stranger = new_page()
    for attempt in range(3):
        send_password(stranger, f"wrong {attempt}")
    assert stranger.locator("h1").inner_text() in ("Sign-in locked", "Вход заблокирован")
    audit(stranger, "locked out")
    editor.context.close()
    stranger.context.close()
    assert problems == {}, "\n".join(f"{where}: {found}" for where, found in problems.items())


BACK_OFFICE_PAGES = {
    "index": "/admin/",
    "sections": "/admin/modules/section/?module__id__exact={salw}",
    "section form": "/admin/modules/section/{marking}/change/",
    "section history": "/admin/modules/section/{marking}/history/",
    "section compare": "/admin/modules/section/{marking}/history/compare/"
    "?version_id1={older}&version_id2={newer}",
    "section review": "/admin/modules/section/{marking}/review/",
    "module form": "/admin/modules/module/{salw}/change/",
    "section replacement": "/admin/modules/sectionreplacement/add/",
    "publish an edition": "/admin/modules/edition/add/",
    "feedback queue": "/admin/feedback/feedback/",
    "feedback item": "/admin/feedback/feedback/{item}/change/",
    "triage desk": "/admin/feedback/feedback/triage/?progress=open",
    "decision": "/admin/feedback/feedback/{item}/decide/",
    "comment table upload": "/admin/feedback/feedback/tables/upload/",
    "comment table preview": "/admin/feedback/feedback/tables/{table}/",
    "response templates": "/admin/feedback/responsetemplate/",
    "response template": "/admin/feedback/responsetemplate/{template}/change/",
    "new consultation round": "/admin/feedback/consultationround/add/",
    "consultation round": "/admin/feedback/consultationround/{round}/change/",
    "new-comment alerts": "/admin/feedback-desk/alerts/",
    "two-step settings": "/admin/two-step/settings/",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_back_office_pages_editors_use_are_accessible(browser, live_server, demo, lang):
    """Django's admin as this portal customises it (Markdown preview, triage, publishing),
    in the editor's language: no axe violation at WCAG 2.2 AA, the packages' widgets included
    (the language tabs, the version list's radios and the autocomplete boxes are this
    project's or mended by it: static/admin-portal/, templates/reversion-compare/)."""
    from reversion.models import Version

    from feedback.models import ConsultationRound, Feedback, ResponseTemplate
    from modules.models import Module, Section

    newer, older = Version.objects.get_for_object(Section.objects.get(key="salw-marking"))[:2]
    ids = {
        "older": older.pk,
        "newer": newer.pk,
        "round": ConsultationRound.objects.order_by("pk").first().pk,
        "salw": Module.objects.get(code="SALW").pk,
        "marking": Section.objects.get(key="salw-marking").pk,
        "item": Feedback.objects.order_by("pk").first().pk,
        "template": ResponseTemplate.objects.order_by("pk").first().pk,
        "table": _previewed_table(lang).pk,
    }
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, extra_http_headers={"Accept-Language": lang}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, "editor", PASSWORD)
    problems = {}
    for name, path in BACK_OFFICE_PAGES.items():
        page.goto(path.format(**ids))
        assert page.locator("#site-name").count() == 1, name
        found = axe_violations(page)
        if found:
            problems[name] = found
    # The publication's confirmation step, reached by sending the form.
    page.goto(BACK_OFFICE_PAGES["publish an edition"])
    page.fill("#id_change_summary_en", "Marking revised.")
    page.fill("#id_override_reason", "Audit.")
    page.click("#content-main input[type=submit]")
    assert page.locator("input[name=publish]").count() == 1
    if found := axe_violations(page):
        problems["publication confirmation"] = found
    context.close()
    assert problems == {}, "\n".join(f"{where}: {found}" for where, found in problems.items())


def _previewed_table(lang: str):
    """A workshop's comment table uploaded and not yet confirmed: one row fine, one in error."""
    import io

    from django.utils import translation
    from openpyxl import load_workbook

    from feedback import comment_table, services
    from feedback.models import Workshop
    from modules.models import Edition

    with translation.override(lang):
        kit = comment_table.comment_table(Edition.objects.current(), lang)
    book = load_workbook(io.BytesIO(kit))
    first = book.worksheets[1]["A2"].value
    for row, values in enumerate([["Kenya", first, "", "Fine."], ["", "Z.9 ¶9", "", "Wrong."]]):
        for column, value in enumerate(values, start=1):
            book.worksheets[0].cell(row=row + 2, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    with translation.override(lang):
        table, _new = services.comment_table_upload(
            data=out.getvalue(), file_name="europe.xlsx", user=User.objects.get(username="editor"),
            edition=None, source="workshop", source_detail="", workshop=Workshop.objects.first(),
            received_on=datetime.date(2022, 4, 27), may_name=False, publishable=True,
        )  # fmt: skip
    return table


# The contrast of a text as the reader sees it: its colour, faded by its own and its
# ancestors' opacity, over the page's white (axe skips some faded text).
CONTRAST = """(selector) => [...document.querySelectorAll(selector)].slice(0, 5).map(el => {
  let alpha = 1;
  for (let node = el; node; node = node.parentElement) alpha *= +getComputedStyle(node).opacity;
  const [r, g, b] = getComputedStyle(el).color.match(/[\\d.]+/g).map(Number);
  const mix = c => (c * alpha + 255 * (1 - alpha)) / 255;
  const lin = c => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  const lum = 0.2126 * lin(mix(r)) + 0.7152 * lin(mix(g)) + 0.0722 * lin(mix(b));
  const box = el.getBoundingClientRect();
  return {contrast: 1.05 / (lum + 0.05), width: box.width, height: box.height};
})"""


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("width", [360, 1280])
def test_paragraph_links_are_legible_and_large_enough(page, demo, lang, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/{lang}/modules/salw/salw-marking/")
    for selector in (".para-link", ".para-comment"):
        found = page.evaluate(CONTRAST, selector)
        assert found, selector
        for link in found:
            assert link["contrast"] >= 4.5, (selector, link)
            assert link["width"] >= 24 and link["height"] >= 24, (selector, link)
