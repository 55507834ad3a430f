"""A new editor's first sign-in, in Russian: password, then setting up an authenticator app
from the QR code (or the key typed in), then the back office."""

import base64
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django_otp.oath import TOTP
from playwright.sync_api import expect

from accounts.roles import ensure_editors_group
from accounts.services import setup_link_issue

PASSWORD = "a long editor password 42"


@pytest.fixture
def new_editor(transactional_db):
    user = User.objects.create_user("olga", password=PASSWORD, is_staff=True)
    user.groups.add(ensure_editors_group())
    return user


def code_for(secret: str) -> str:
    """What an authenticator app shows for the key typed in from the page."""
    key = base64.b32decode(secret.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


def test_a_new_editor_sets_up_two_step_sign_in(page, new_editor, tmp_path):
    page.set_extra_http_headers({"Accept-Language": "ru"})
    # The password alone does not let anyone set up an app: the set-up link is needed.
    page.goto("/admin/login/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/two-step/**")
    assert "ссылк" in page.locator(".errornote").inner_text()
    assert page.locator(".two-step__secret").count() == 0
    page.get_by_role("button", name="Выйти").click()

    # The link the administrator sent: it leads to the sign-in page, then to the set-up.
    page.goto(setup_link_issue(user=new_editor))
    page.wait_for_url("**/admin/login/**")
    page.fill("#id_username", "olga")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    page.wait_for_url("**/admin/two-step/**")
    assert page.locator("h1").inner_text() == "Настройка двухэтапного входа"
    qr = page.locator("img.two-step__qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
    secret = page.locator(".two-step__secret").inner_text()
    page.screenshot(path=tmp_path / "two-step-enrol-ru.png", full_page=True)

    page.fill("#id_code", "12345")
    page.click("input[type=submit]")
    assert "Введите шесть цифр" in page.locator(".errorlist").inner_text()

    page.fill("#id_code", code_for(secret))
    page.click("input[type=submit]")
    # Not the glob "**/admin/": the code page's own address ends so (?next=/admin/).
    page.wait_for_url(lambda url: urlsplit(url).path == "/admin/")
    expect(page.get_by_role("link", name="Разделы").first).to_be_visible()
