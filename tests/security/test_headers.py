"""Production settings pass Django's deploy checks; every response carries the security
headers; cookies are locked down."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

ROOT = Path(settings.BASE_DIR)


def test_production_settings_pass_the_deploy_checks(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "guidelines.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path}/deploy.sqlite3",
    }
    # Leaked by the browser tests' set-up when the whole suite runs; never set in production.
    for name in ("SECURE_COOKIES", "DJANGO_ALLOW_ASYNC_UNSAFE", "CACHE_URL"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_cookies_are_host_only_secure_and_http_only(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='guidelines_portal.settings';"
        "django.setup(); from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT)"
    )
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60)}
    env.pop("SECURE_COOKIES", None)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        check=True, timeout=60,
    ).stdout.split()  # fmt: skip
    assert out == ["__Host-sessionid", "__Host-csrftoken", "True", "True", "31536000", "True"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/en/", "/ru/feedback/", "/admin/login/", "/en/nope/"])
def test_every_response_carries_the_security_headers(path):
    response = Client().get(path)
    csp = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'",
                      "base-uri 'none'", "frame-ancestors 'none'"):  # fmt: skip
        assert directive in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_hsts_is_sent_over_https(settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = Client().get("/en/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
