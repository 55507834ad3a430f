"""Staff sign-in: password (rate limited, locked per username and address), then a code from
an authenticator app, set up at the first sign-in. Security events are logged without secrets."""

import base64
import logging
import re
import threading

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core import checks
from django.db import connection
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import SetupLink
from tests.conftest import PUBLIC_ADDRESS

PASSWORD = "correct horse battery staple"  # the personas' password (tests/conftest.py)
HOME = "10.0.0.1"
ELSEWHERE = "10.0.0.2"


def current_code(device: TOTPDevice) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:06d}"


def sign_in_with_password(client, username, password=PASSWORD, ip=HOME, **extra):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
        **extra,
    )


def open_setup_link(client, user, path: str = "") -> None:
    """Open the set-up link an administrator sent (manage.py staff_setup_link)."""
    response = client.get(path or services.setup_link_issue(user=user))
    assert response.status_code == 302, response.status_code


# --- Two-step sign-in ------------------------------------------------------------------


def code_for(secret: str) -> str:
    """What an authenticator app shows for the key as the set-up page prints it."""
    code = totp(base64.b32decode(secret.replace(" ", "")))
    return f"{code:06d}"


def test_first_sign_in_sets_up_an_authenticator_app_then_opens_the_back_office(client, editor):
    open_setup_link(client, editor)
    response = sign_in_with_password(client, "editor")
    assert response.status_code == 302
    # Password alone does not open the back office, nor any staff page.
    for path in ("/admin/", "/en/preview/", "/admin/modules/section/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/two-step/?next=")

    page = client.get("/admin/two-step/?next=/admin/modules/section/")
    assert page.status_code == 200
    assert page.context["enrolling"]
    assert 'src="data:image/svg+xml' in page.content.decode()
    secret = page.context["secret"]
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4})+", secret)
    # Reloading keeps the same secret; nothing is stored until the first code is right.
    assert client.get("/admin/two-step/").context["secret"] == secret
    assert not TOTPDevice.objects.filter(user=editor).exists()

    wrong = client.post("/admin/two-step/", {"code": "000000", "next": "/admin/"})
    assert wrong.status_code == 400
    assert "not right" in wrong.context["error"]
    assert wrong.context["secret"] == secret
    assert not TOTPDevice.objects.filter(user=editor).exists()

    session_before = client.cookies["sessionid"].value
    response = client.post(
        "/admin/two-step/", {"code": code_for(secret), "next": "/admin/modules/section/"}
    )
    # Signed in, and shown the backup codes once (tests/accounts/test_backup_codes.py), with
    # the way on to where the editor was going.
    assert response.status_code == 200
    assert 'href="/admin/modules/section/"' in response.content.decode()
    assert client.cookies["sessionid"].value != session_before  # a new session id
    device = TOTPDevice.objects.get(user=editor)
    assert device.confirmed
    assert client.get("/admin/modules/section/").status_code == 200
    assert client.get("/en/preview/").status_code == 200
    # The code that confirmed the app is spent.
    other = type(client)()
    sign_in_with_password(other, "editor")
    assert other.post("/admin/two-step/", {"code": code_for(secret)}).status_code == 400


def test_a_set_up_page_seen_by_someone_else_gives_them_no_second_factor(client, editor):
    """Someone with the password who opens the set-up page and leaves learns a key that the
    real editor never confirms: each sign-in session is shown a key of its own (even one that
    had the set-up link too)."""
    open_setup_link(client, editor)
    sign_in_with_password(client, "editor")
    seen_by_intruder = client.get("/admin/two-step/").context["secret"]

    editor_client = type(client)()
    open_setup_link(editor_client, editor)
    sign_in_with_password(editor_client, "editor", ip=ELSEWHERE)
    secret = editor_client.get("/admin/two-step/").context["secret"]
    assert secret != seen_by_intruder
    assert editor_client.post("/admin/two-step/", {"code": code_for(secret)}).status_code == 200

    # The intruder's session now asks for the editor's app, and their key opens nothing.
    intruder = client.post("/admin/two-step/", {"code": code_for(seen_by_intruder)})
    assert intruder.status_code == 400
    assert not intruder.context["enrolling"]
    assert client.get("/admin/").status_code == 302
    assert TOTPDevice.objects.filter(user=editor).count() == 1


def test_codes_tried_per_account_are_limited_while_setting_up_too(client, editor, settings):
    settings.TWO_STEP_RATE_LIMIT = 2
    open_setup_link(client, editor)
    sign_in_with_password(client, "editor")
    secret = client.get("/admin/two-step/").context["secret"]
    for _ in range(2):
        client.post("/admin/two-step/", {"code": "000000"})
    refused = client.post("/admin/two-step/", {"code": code_for(secret)}, HTTP_ACCEPT_LANGUAGE="ru")
    assert refused.status_code == 400
    assert "слишком много кодов" in refused.context["error"]
    assert not TOTPDevice.objects.filter(user=editor).exists()


def test_a_password_alone_cannot_set_up_an_authenticator_app(client, editor):
    """Penetration test: whoever held a stolen password before its owner's first sign-in
    could enrol their own phone. Now the set-up needs the link an administrator sent."""
    sign_in_with_password(client, "editor")
    page = client.get("/admin/two-step/")
    assert page.status_code == 403
    assert "set-up link" in page.text and "secret" not in page.context
    assert client.post("/admin/two-step/", {"code": "123456"}).status_code == 403
    assert client.get("/admin/").status_code == 302
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert "two_step_pending_key" not in client.session


def test_a_set_up_link_leads_to_the_sign_in_and_stops_working_once_used(client, editor):
    path = services.setup_link_issue(user=editor)
    response = client.get(path)
    assert response["Location"] == "/admin/login/?next=/admin/two-step/"
    assert response["Referrer-Policy"] == "no-referrer"
    sign_in_with_password(client, "editor")
    secret = client.get("/admin/two-step/").context["secret"]
    assert client.post("/admin/two-step/", {"code": code_for(secret)}).status_code == 200
    used = type(client)().get(path)
    assert used.status_code == 410 and "Ask an administrator" in used.text


def test_a_forged_expired_or_replaced_set_up_link_is_refused(client, editor, caplog):
    path = services.setup_link_issue(user=editor)
    token = path.split("/")[-2]
    assert client.get(path.replace(token, token[:-5] + "AAAAA")).status_code == 410
    newer = services.setup_link_issue(user=editor)
    assert client.get(path).status_code == 410  # replaced by the newer link
    SetupLink.objects.update(expires_at=timezone.now())
    assert client.get(newer).status_code == 410
    assert "Set-up link refused" in caplog.text
    assert token not in caplog.text and not SetupLink.objects.filter(digest=token).exists()


def test_a_used_link_never_works_again_even_after_the_app_is_removed(client, editor):
    """An administrator removes a lost phone's app: the old link does not come back to life."""
    path = services.setup_link_issue(user=editor)
    open_setup_link(client, editor, path)
    sign_in_with_password(client, "editor")
    secret = client.get("/admin/two-step/").context["secret"]
    assert client.post("/admin/two-step/", {"code": code_for(secret)}).status_code == 200
    TOTPDevice.objects.filter(user=editor).delete()
    thief = type(client)()
    assert thief.get(path).status_code == 410
    sign_in_with_password(thief, "editor", ip=ELSEWHERE)
    assert thief.get("/admin/two-step/").status_code == 403


def test_a_link_opened_in_one_browser_is_spent_when_another_sets_up_the_app(client, editor):
    path = services.setup_link_issue(user=editor)
    other = type(client)()
    for browser in (client, other):
        open_setup_link(browser, editor, path)
        sign_in_with_password(browser, "editor")
    secret = client.get("/admin/two-step/").context["secret"]
    other_secret = other.get("/admin/two-step/").context["secret"]
    assert client.post("/admin/two-step/", {"code": code_for(secret)}).status_code == 200
    assert other.post("/admin/two-step/", {"code": code_for(other_secret)}).status_code == 400
    assert TOTPDevice.objects.filter(user=editor).count() == 1


def test_a_set_up_link_opened_while_signed_in_goes_straight_to_the_set_up(client, editor):
    sign_in_with_password(client, "editor")
    response = client.get(services.setup_link_issue(user=editor))
    assert response["Location"] == "/admin/two-step/"
    assert "secret" in client.get("/admin/two-step/").context


def test_the_commands_print_a_set_up_link(db, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    monkeypatch.setenv("NADIA_PASSWORD", "a long password for Nadia 7")
    out = StringIO()
    call_command("create_editor", "nadia", "--password-env", "NADIA_PASSWORD", stdout=out)
    link = re.search(re.escape(PUBLIC_ADDRESS) + r"(/admin/set-up/[^/\s]+/)", out.getvalue())
    assert link, out.getvalue()
    nadia = User.objects.get(username="nadia")
    assert services.setup_link_find(link.group(1).split("/")[-2]).user == nadia
    out = StringIO()
    call_command("staff_setup_link", "nadia", stdout=out)
    assert "/admin/set-up/" in out.getvalue()


def test_later_sign_ins_ask_for_the_code_only_and_a_code_works_once(client, editor):
    device = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    sign_in_with_password(client, "editor")
    page = client.get("/admin/two-step/")
    assert not page.context["enrolling"]
    assert "data:image/svg+xml" not in page.content.decode()
    code = current_code(device)
    assert client.post("/admin/two-step/", {"code": f"{code[:3]} {code[3:]}"}).status_code == 302
    assert client.get("/admin/").status_code == 200

    # The same code cannot sign in a second session (replay).
    other = type(client)()
    sign_in_with_password(other, "editor")
    assert other.post("/admin/two-step/", {"code": code}).status_code == 400
    assert other.get("/admin/").status_code == 302


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="runs in the PostgreSQL pass: the tests' in-memory SQLite refuses a second writer "
    "(database table is locked) where a file database, in BEGIN IMMEDIATE, makes it wait",
)
def test_one_code_sent_twice_at_once_signs_in_once(editor):
    """Two requests with the same code at the same moment (a relay, a double click): the
    device row is locked while a code is checked, so the second sees the code spent."""
    device = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    code = current_code(device)
    start = threading.Barrier(4)
    accepted = []

    def try_code():
        try:
            start.wait()
            accepted.append(services.totp_check(user=editor, code=code).device is not None)
        finally:
            connection.close()

    threads = [threading.Thread(target=try_code) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(accepted) == [False, False, False, True]


def test_wrong_codes_make_the_next_try_wait(client, editor):
    device = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    sign_in_with_password(client, "editor")
    client.post("/admin/two-step/", {"code": "111111"})
    # Even the right code waits for the throttle to pass.
    response = client.post("/admin/two-step/", {"code": current_code(device)})
    assert response.status_code == 400
    assert "Too many wrong codes" in response.context["error"]
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "<script>"])
def test_a_malformed_code_gets_a_clear_message(client, editor, code):
    TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    sign_in_with_password(client, "editor")
    response = client.post("/admin/two-step/", {"code": code}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    assert response.context["form"].errors["code"]
    assert "<script>" not in response.content.decode()
    assert TOTPDevice.objects.get(user=editor).throttling_failure_count == 0


def test_the_code_page_is_in_russian_for_a_russian_browser(client, editor):
    open_setup_link(client, editor)
    sign_in_with_password(client, "editor")
    page = client.get("/admin/two-step/", HTTP_ACCEPT_LANGUAGE="ru")
    text = page.content.decode()
    assert "Настройка двухэтапного входа" in text
    assert "Set up" not in text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_the_code_page_never_sends_anyone_off_site(client, editor, target):
    device = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    sign_in_with_password(client, "editor")
    response = client.post("/admin/two-step/", {"code": current_code(device), "next": target})
    assert response["Location"] == "/admin/"


def test_the_code_page_is_for_staff_only(client, reader):
    assert client.get("/admin/two-step/")["Location"].startswith("/admin/login/")
    client.force_login(reader)
    assert client.get("/admin/two-step/").status_code == 403


def test_a_half_signed_in_staff_member_can_sign_out(client, editor):
    sign_in_with_password(client, "editor")
    assert client.post("/admin/logout/").status_code == 200
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_the_browser_icon_never_passes_through_the_sign_in_session(client, editor, settings):
    """Browsers fetch /favicon.ico beside each page. Answered through the session middleware,
    a fetch sent before the code page changed the session key and answered after it took the
    new key away (Chromium was signed out right after a right code); it is a plain file now."""
    sign_in_with_password(client, "editor")
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # an ICO file
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_two_step_sign_in_can_be_turned_off_for_a_developer_machine(client, editor, settings):
    settings.STAFF_TWO_FACTOR = False
    sign_in_with_password(client, "editor")
    assert client.get("/admin/").status_code == 200
    errors = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "accounts.W001" in {e.id for e in errors}


# --- Brute force: django-axes and the per-address limit -----------------------------------


def fail(client, username, times, ip=HOME):
    for _ in range(times):
        sign_in_with_password(client, username, password="wrong password", ip=ip)


def test_repeated_failures_lock_that_username_from_that_address_only(client, editor, settings):
    fail(client, "editor", settings.AXES_FAILURE_LIMIT)
    locked = sign_in_with_password(client, "editor", HTTP_ACCEPT_LANGUAGE="ru")
    assert locked.status_code == 429
    assert "Вход заблокирован" in locked.content.decode()
    assert "Sign-in locked" not in locked.content.decode()
    # The right password from the same address is refused until the cool-off ends...
    assert client.get("/admin/").status_code == 302
    # ... but the editor at another desk signs in.
    other = type(client)()
    open_setup_link(other, editor)
    assert sign_in_with_password(other, "editor", ip=ELSEWHERE).status_code == 302
    assert other.get("/admin/two-step/").status_code == 200


def test_failures_with_an_unknown_username_lock_nobody_else(client, editor):
    fail(client, "nobody", 8)
    assert AccessAttempt.objects.get(username="nobody").failures_since_start == 8
    response = sign_in_with_password(client, "editor")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


@pytest.mark.parametrize("username", ["", " "])
def test_an_empty_username_is_refused_before_it_counts_against_anyone(client, editor, username):
    fail(client, username, 8)
    assert not AccessAttempt.objects.exists()
    assert sign_in_with_password(client, "editor")["Location"] == "/admin/"


def test_one_address_is_limited_whatever_the_usernames(client, editor, settings):
    settings.LOGIN_RATE_LIMIT = 3
    for n in range(3):
        sign_in_with_password(client, f"guess{n}", password="x")
    refused = sign_in_with_password(client, "editor", HTTP_ACCEPT_LANGUAGE="ru")
    assert refused.status_code == 429
    assert "Слишком много попыток входа" in refused.content.decode()
    assert sign_in_with_password(type(client)(), "editor", ip=ELSEWHERE).status_code == 302


def test_only_failed_sign_ins_count_against_an_address(client, editor, settings):
    """Colleagues behind one office address sign in all day without using up the limit."""
    settings.LOGIN_RATE_LIMIT = 2
    for _ in range(4):
        assert sign_in_with_password(type(client)(), "editor")["Location"] == "/admin/"
    fail(client, "editor", 2)
    assert sign_in_with_password(client, "editor").status_code == 429


def test_password_rules_refuse_short_and_common_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short1", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("a long phrase about marking firearms")


# --- Security events -----------------------------------------------------------------------


def test_security_events_are_logged_without_secrets(client, editor, settings, caplog):
    caplog.set_level(logging.DEBUG)
    TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    fail(client, "editor", settings.AXES_FAILURE_LIMIT)
    sign_in_with_password(client, "editor")  # locked
    other = type(client)()
    sign_in_with_password(other, "editor", ip=ELSEWHERE)
    other.post("/admin/two-step/", {"code": "123456"}, REMOTE_ADDR=ELSEWHERE)

    security = [r.getMessage() for r in caplog.records if r.name == "guidelines_portal.security"]
    assert any(m.startswith("Sign-in failed: username='editor' ip=10.0.0.1") for m in security)
    assert any(m.startswith("Sign-in locked out") for m in security)
    assert any(m.startswith(f"Signed in with password: user={editor.pk}") for m in security)
    assert any(m.startswith(f"Two-factor code wrong: user={editor.pk}") for m in security)
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("wrong password", PASSWORD, "123456"):
        assert secret not in everything


def test_guessing_one_account_from_many_addresses_raises_an_alert(client, editor, settings, caplog):
    settings.LOGIN_ACCOUNT_ALERT = 3
    with caplog.at_level(logging.WARNING, logger="guidelines_portal.security"):
        for n in range(3):
            fail(client, "editor", 1, ip=f"198.51.100.{n}")
        assert not [r for r in caplog.records if r.levelno == logging.ERROR]
        fail(client, "editor", 1, ip="198.51.100.9")
    alerts = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert alerts == [
        "Many failed sign-ins for one account (more than 3 in 900 s), possibly from several "
        "addresses: username='editor'"
    ]
    # Not a lockout: the editor at their own desk still signs in.
    assert sign_in_with_password(type(client)(), "editor")["Location"] == "/admin/"


def test_a_name_no_account_has_is_logged_as_a_digest_only(client, editor, caplog):
    """People type their password into the username box."""
    with caplog.at_level(logging.WARNING, logger="guidelines_portal.security"):
        sign_in_with_password(client, "my secret passphrase", password="x")
        sign_in_with_password(client, "my secret passphrase", password="y")
    failures = [r.getMessage() for r in caplog.records if "Sign-in failed" in r.getMessage()]
    assert len(failures) == 2 and failures[0] == failures[1]
    assert "username=unknown:" in failures[0]
    assert all("passphrase" not in r.getMessage() for r in caplog.records)


def test_a_proxy_whose_client_addresses_are_not_trusted_fails_the_deploy_check(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_COUNT = 0
    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "accounts.W002" in {e.id for e in found}
    settings.TRUSTED_PROXY_COUNT = 1
    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "accounts.W002" not in {e.id for e in found}


def test_permission_denials_are_logged(client, staff_without_permissions, caplog):
    client.force_login(staff_without_permissions)
    with caplog.at_level(logging.WARNING, logger="guidelines_portal.security"):
        assert client.get("/en/preview/").status_code == 403
    assert any(
        r.getMessage().startswith(f"Permission denied: user={staff_without_permissions.pk}")
        and "'/en/preview/'" in r.getMessage()
        for r in caplog.records
    )


def test_a_username_cannot_forge_a_log_line(client, db, caplog):
    with caplog.at_level(logging.WARNING, logger="guidelines_portal.security"):
        sign_in_with_password(client, "x\nSigned in with password: user=1", password="nope")
    assert all("\n" not in r.getMessage() for r in caplog.records)


def test_a_superuser_too_needs_the_code(client, db):
    User.objects.create_superuser("root", password=PASSWORD)
    sign_in_with_password(client, "root")
    assert client.get("/admin/auth/user/")["Location"].startswith("/admin/two-step/")
