"""A new editor's first sign-in, in Russian: password, then setting up an authenticator app
from the QR code (or the key typed in), the backup codes kept, then the back office; later,
the phone lost, a backup code and a new app set up without an administrator."""

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
    # Signed in: the backup codes, shown this once, then on to the back office.
    expect(page.locator("h1")).to_have_text("Ваши резервные коды")
    codes = page.locator(".backup-codes__list code").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(path=tmp_path / "backup-codes-ru.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать коды текстовым файлом").click()
    kept = download.value.path().read_text(encoding="utf-8")
    assert all(code in kept for code in codes) and "olga" in kept
    page.get_by_role("link", name="Я сохранил(а) коды: продолжить").click()
    # Not the glob "**/admin/": the code page's own address ends so (?next=/admin/).
    page.wait_for_url(lambda url: urlsplit(url).path == "/admin/")
    expect(page.get_by_role("link", name="Разделы").first).to_be_visible()
    page.get_by_role("button", name="Выйти").click()

    # The phone is lost: a backup code, typed as read from the file (capitals, a space).
    page.goto("/admin/login/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/two-step/**")
    page.get_by_text("Потеряли телефон? Войдите с резервным кодом").click()
    page.fill("#id_backup_code", codes[0].upper().replace("-", " "))
    page.get_by_role("button", name="Войти с резервным кодом").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/admin/")
    expect(page.locator(".messagelist")).to_contain_text("Осталось 9 резервных кодов")

    # A new phone, set up without an administrator: the password again, then its first code.
    page.get_by_role("link", name="Двухэтапный вход").click()
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Настроить новое приложение-аутентификатор").click()
    page.wait_for_url("**/two-step/new-app/")
    new_secret = page.locator(".two-step__secret").inner_text()
    page.fill("#id_code", code_for(new_secret))
    page.get_by_role("button", name="Подтвердить новое приложение").click()
    page.wait_for_url("**/two-step/settings/")
    expect(page.locator(".messagelist")).to_contain_text(
        "Новое приложение-аутентификатор настроено"
    )
    page.screenshot(path=tmp_path / "second-factor-ru.png", full_page=True)
