"""Backup codes and a lost phone: codes shown once when two-step sign-in is set up, each
signing in once; a staff member makes new codes, or sets up a new authenticator app, after
typing their password again, without an administrator. Every use is logged, never a code."""

import logging
import re
import threading
from urllib.parse import unquote

import pytest
from django.db import connection
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from tests.accounts.test_sign_in import (
    PASSWORD,
    code_for,
    current_code,
    open_setup_link,
    sign_in_with_password,
)

SETTINGS = "/admin/two-step/settings/"
NEW_APP = "/admin/two-step/new-app/"
CODE = re.compile(r"^[a-z2-7]{4}(-[a-z2-7]{4}){3}$")


def enrol(client, user, next_url="/admin/modules/section/"):
    """A first sign-in up to the page with the backup codes; returns that answer."""
    open_setup_link(client, user)
    sign_in_with_password(client, user.username)
    secret = client.get("/admin/two-step/").context["secret"]
    return client.post("/admin/two-step/", {"code": code_for(secret), "next": next_url})


def half_signed_in(client, user):
    """Password given, code not yet: an app set up already."""
    if not TOTPDevice.objects.filter(user=user).exists():
        TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    sign_in_with_password(client, user.username)


def test_setting_up_two_step_sign_in_shows_backup_codes_once(client, editor):
    response = enrol(client, editor)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0, no-cache, no-store")
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(CODE.fullmatch(code) for code in codes)
    html = response.content.decode()
    assert all(code in html for code in codes)
    assert 'href="/admin/modules/section/"' in html  # on to where the person was going
    # The file to keep holds every code, with the account and the site.
    link = re.search(
        r'download="backup-codes.txt" href="data:text/plain;charset=utf-8,([^"]+)"', html
    )
    text = unquote(link.group(1))
    assert "account editor" in text and all(code in text for code in codes)
    # Only digests are stored: the database cannot sign anyone in.
    stored = set(StaticToken.objects.filter(device__user=editor).values_list("token", flat=True))
    assert len(stored) == 10
    assert not stored & {code.replace("-", "") for code in codes}
    # The session is signed in; sending the form again shows nothing again.
    again = client.post("/admin/two-step/", {"code": "000000", "next": "/admin/"})
    assert again.status_code == 302 and again["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_backup_code_signs_in_once_and_says_how_many_are_left(client, editor, caplog):
    caplog.set_level(logging.INFO)
    codes, _device = services.backup_codes_issue(user=editor)
    half_signed_in(client, editor)
    page = client.get("/admin/two-step/")
    assert page.context["has_backup_codes"]
    assert "Use a backup code" in page.content.decode()

    # Typed as people copy it: capitals and spaces.
    typed = codes[3].upper().replace("-", " ")
    response = client.post("/admin/two-step/", {"backup_code": typed, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    home = client.get("/admin/")
    assert home.status_code == 200
    assert "9 backup codes are left" in home.content.decode()
    assert services.backup_codes_left(user=editor) == 9

    other = type(client)()
    half_signed_in(other, editor)
    refused = other.post("/admin/two-step/", {"backup_code": codes[3]}, HTTP_ACCEPT_LANGUAGE="ru")
    assert refused.status_code == 400
    assert "уже использован" in refused.context["error"]
    assert other.get("/admin/").status_code == 302

    security = [r.getMessage() for r in caplog.records if r.name == "guidelines_portal.security"]
    assert f"Signed in with a backup code: user={editor.pk} ip=127.0.0.1 codes_left=9" in security
    assert any(m.startswith(f"Backup code wrong: user={editor.pk}") for m in security)
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert not any(code in everything or code.replace("-", "") in everything for code in codes)


@pytest.mark.parametrize(
    "typed", ["", "abcd-efgh-ijkm", "abcd-efgh-ijkm-npq1", "<script>x</script>", "x" * 41]
)
def test_a_malformed_backup_code_gets_a_clear_message_in_the_readers_language(
    client, editor, typed
):
    services.backup_codes_issue(user=editor)
    half_signed_in(client, editor)
    response = client.post("/admin/two-step/", {"backup_code": typed}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    assert response.context["with_backup"]
    assert response.context["backup_form"].errors["backup_code"]
    html = response.content.decode()
    assert '<details class="two-step__backup" open>' in html
    assert "<script>x" not in html
    assert "резервн" in html.lower()
    assert StaticDevice.objects.get(user=editor).throttling_failure_count == 0


def test_backup_codes_are_limited_with_the_app_codes(client, editor, settings):
    settings.TWO_STEP_RATE_LIMIT = 3
    codes, _device = services.backup_codes_issue(user=editor)
    half_signed_in(client, editor)
    for _ in range(2):
        client.post("/admin/two-step/", {"code": "000000"})
    client.post("/admin/two-step/", {"backup_code": "aaaa-bbbb-cccc-dddd"})
    refused = client.post("/admin/two-step/", {"backup_code": codes[0]})
    assert refused.status_code == 400
    assert "Too many codes" in refused.context["error"]
    assert services.backup_codes_left(user=editor) == 10


def test_a_wrong_backup_code_makes_the_next_try_wait(client, editor):
    codes, _device = services.backup_codes_issue(user=editor)
    half_signed_in(client, editor)
    client.post("/admin/two-step/", {"backup_code": "aaaa-bbbb-cccc-dddd"})
    response = client.post("/admin/two-step/", {"backup_code": codes[0]})
    assert response.status_code == 400
    assert "Too many wrong codes" in response.context["error"]
    assert services.backup_codes_left(user=editor) == 10


def test_without_backup_codes_the_page_says_whom_to_ask(client, editor):
    half_signed_in(client, editor)
    page = client.get("/admin/two-step/")
    assert not page.context["has_backup_codes"]
    html = page.content.decode()
    assert "Use a backup code" not in html
    assert "Ask an administrator" in html
    # A backup code sent anyway opens nothing.
    assert (
        client.post("/admin/two-step/", {"backup_code": "aaaa-bbbb-cccc-dddd"}).status_code == 400
    )
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="runs in the PostgreSQL pass: the tests' in-memory SQLite refuses a second writer",
)
def test_one_backup_code_sent_twice_at_once_signs_in_once(editor):
    code = services.backup_codes_issue(user=editor)[0][0]
    start = threading.Barrier(4)
    accepted = []

    def try_code():
        try:
            start.wait()
            check = services.backup_code_check(user=editor, typed=code)
            accepted.append(check.device is not None)
        finally:
            connection.close()

    threads = [threading.Thread(target=try_code) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert accepted.count(True) == 1
    assert services.backup_codes_left(user=editor) == 9


# --- Two-step sign-in settings: new codes, a new app ---------------------------------------


def test_the_settings_page_shows_the_app_and_the_codes_left(editor_client, editor):
    services.backup_codes_issue(user=editor)
    for token in StaticToken.objects.filter(device__user=editor)[:8]:
        token.delete()
    page = editor_client.get(SETTINGS, HTTP_ACCEPT_LANGUAGE="ru")
    assert page.status_code == 200
    assert page.context["codes_left"] == 2
    html = page.content.decode()
    assert "2 неиспользованных резервных кода" in html
    assert "Создайте новые резервные коды" in html  # few left: make new ones
    # Linked from every back-office page.
    assert f'href="{SETTINGS}"' in editor_client.get("/admin/").content.decode()


def test_the_settings_page_runs_a_fixed_number_of_queries(
    editor_client, editor, django_assert_max_num_queries
):
    services.backup_codes_issue(user=editor)
    with django_assert_max_num_queries(10):
        assert editor_client.get(SETTINGS).status_code == 200


def test_new_backup_codes_need_the_password_and_replace_the_old(client, editor, caplog):
    caplog.set_level(logging.INFO)
    old, _device = services.backup_codes_issue(user=editor)
    half_signed_in(client, editor)
    assert client.post("/admin/two-step/", {"backup_code": old[0]}).status_code == 302
    # Another browser signed in with a code of the same sheet (a leaked sheet).
    leak = type(client)()
    half_signed_in(leak, editor)
    assert leak.post("/admin/two-step/", {"backup_code": old[2]}).status_code == 302

    wrong = client.post(SETTINGS, {"password": "not it", "action": "backup_codes"})
    assert wrong.status_code == 400
    assert "password is not right" in wrong.context["error"]
    assert services.backup_codes_left(user=editor) == 8

    made = client.post(SETTINGS, {"password": PASSWORD, "action": "backup_codes"})
    assert made.status_code == 200
    new = made.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert f'href="{SETTINGS}"' in made.content.decode()
    # This session, signed in with an old code, moves to the new codes; the other one signed
    # in with the old sheet is signed out of the back office; the old codes are void.
    assert client.get("/admin/").status_code == 200
    assert leak.get("/admin/").status_code == 302
    other = type(client)()
    half_signed_in(other, editor)
    assert other.post("/admin/two-step/", {"backup_code": old[1]}).status_code == 400
    StaticDevice.objects.filter(user=editor).update(throttling_failure_count=0)
    assert other.post("/admin/two-step/", {"backup_code": new[0]}).status_code == 302
    security = [r.getMessage() for r in caplog.records if r.name == "guidelines_portal.security"]
    assert any(m.startswith(f"Backup codes made anew: user={editor.pk}") for m in security)
    assert any(m.startswith("Password wrong before a change of second factor") for m in security)


@pytest.mark.parametrize(
    "data", [{"password": PASSWORD}, {"password": PASSWORD, "action": "x"}, {}]
)
def test_a_settings_form_without_its_choice_or_password_changes_nothing(
    editor_client, editor, data
):
    codes, _device = services.backup_codes_issue(user=editor)
    response = editor_client.post(SETTINGS, data, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    assert response.context["error"] or response.context["form"].errors
    assert "<title>Ошибка:" in response.content.decode()
    assert services.backup_code_check(user=editor, typed=codes[0]).device is not None


def test_a_lost_phone_is_replaced_by_a_new_app_without_an_administrator(client, editor):
    old_device = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    codes, _device = services.backup_codes_issue(user=editor)
    # A thief's browser, signed in earlier with the lost phone.
    thief = type(client)()
    half_signed_in(thief, editor)
    assert thief.post("/admin/two-step/", {"code": current_code(old_device)}).status_code == 302
    assert thief.get("/admin/").status_code == 200

    half_signed_in(client, editor)
    assert client.post("/admin/two-step/", {"backup_code": codes[0]}).status_code == 302
    # The new-app page needs the password first.
    assert client.get(NEW_APP)["Location"] == SETTINGS
    response = client.post(SETTINGS, {"password": PASSWORD, "action": "new_app"})
    assert response.status_code == 302 and response["Location"] == NEW_APP
    page = client.get(NEW_APP)
    assert page.status_code == 200
    secret = page.context["secret"]
    assert 'src="data:image/svg+xml' in page.content.decode()
    assert client.post(NEW_APP, {"code": "000000"}).status_code == 400
    assert TOTPDevice.objects.get(user=editor).pk == old_device.pk  # the old app still works

    done = client.post(NEW_APP, {"code": code_for(secret)})
    assert done.status_code == 302 and done["Location"] == SETTINGS
    new_device = TOTPDevice.objects.get(user=editor)
    assert new_device.pk != old_device.pk and new_device.confirmed
    assert client.get("/admin/").status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY] == new_device.persistent_id
    # The thief's session, confirmed by the old app, is signed out of the back office.
    assert thief.get("/admin/").status_code == 302
    # The backup codes left still work.
    assert services.backup_codes_left(user=editor) == 9
    # The new-app page is spent.
    assert client.get(NEW_APP)["Location"] == SETTINGS


def test_the_new_app_page_expires(client, editor, settings, monkeypatch):
    half_signed_in(client, editor)
    client.post("/admin/two-step/", {"code": current_code(TOTPDevice.objects.get(user=editor))})
    client.post(SETTINGS, {"password": PASSWORD, "action": "new_app"})
    session = client.session
    session["second_factor_new_app_until"] = 1.0
    session.save()
    response = client.get(NEW_APP, HTTP_ACCEPT_LANGUAGE="ru")
    assert response["Location"] == SETTINGS
    page = client.get(SETTINGS, HTTP_ACCEPT_LANGUAGE="ru")
    assert "введите пароль" in page.content.decode().lower()


@pytest.mark.parametrize("path", [SETTINGS, NEW_APP])
def test_the_settings_pages_are_for_signed_in_staff_only(client, editor, reader, path):
    assert client.get(path)["Location"].startswith(reverse("admin:login"))
    client.force_login(reader)
    assert client.get(path).status_code == 403
    assert client.post(path, {"password": PASSWORD, "action": "backup_codes"}).status_code == 403
    # Half signed in: the code first.
    staff = type(client)()
    half_signed_in(staff, editor)
    assert staff.get(path)["Location"].startswith("/admin/two-step/?next=")
    assert not StaticDevice.objects.filter(user=editor).exists()


def test_the_two_step_pages_in_russian_have_no_english(client, editor):
    from tests.test_russian_completeness import english_in, english_words, visible_text

    words = english_words()
    ru = {"HTTP_ACCEPT_LANGUAGE": "ru"}
    pages = {}
    open_setup_link(client, editor)
    sign_in_with_password(client, "editor")
    secret = client.get("/admin/two-step/", **ru).context["secret"]
    pages["backup codes"] = client.post("/admin/two-step/", {"code": code_for(secret)}, **ru)
    pages["settings"] = client.get(SETTINGS, **ru)
    pages["settings, wrong password"] = client.post(
        SETTINGS, {"password": "x", "action": "new_app"}, **ru
    )
    client.post(SETTINGS, {"password": PASSWORD, "action": "new_app"}, **ru)
    pages["new app"] = client.get(NEW_APP, **ru)
    other = type(client)()
    half_signed_in(other, editor)
    pages["backup code refused"] = other.post("/admin/two-step/", {"backup_code": "x"}, **ru)
    found = {}
    for name, response in pages.items():
        text = visible_text(response.content.decode()).replace(editor.username, "")  # its name
        english = english_in(text, words)
        if english:
            found[name] = english
    assert found == {}
