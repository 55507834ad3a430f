"""`make run` and `make dev` (guidelines_portal/local_server.py): the secret key kept on this
machine, the local production environment, the supervisor that stops the server and the
worker together, and the server `make run` starts, as readers get it."""

import http.client
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from guidelines_portal.env import env_secret_file
from guidelines_portal.local_server import (
    development_env,
    ensure_secret_key,
    production_env,
    supervise,
)

ROOT = Path(settings.BASE_DIR)


# --- The secret key --------------------------------------------------------------------


def test_the_secret_key_is_generated_once_and_readable_by_its_owner_only(tmp_path):
    key_file = tmp_path / "local" / ".secret_key"
    assert ensure_secret_key(key_file) == key_file
    key = key_file.read_text()
    assert len(key.strip()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    ensure_secret_key(key_file)
    assert key_file.read_text() == key  # kept: sessions survive a restart
    assert [p.name for p in key_file.parent.iterdir()] == [".secret_key"]


def test_a_key_file_others_could_read_is_made_private(tmp_path):
    key_file = tmp_path / ".secret_key"
    key_file.write_text("k" * 60)
    key_file.chmod(0o644)
    ensure_secret_key(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text() == "k" * 60


def test_a_named_key_file_is_read_and_a_missing_or_empty_one_fails_loudly(tmp_path, monkeypatch):
    key_file = tmp_path / "key"
    monkeypatch.delenv("KEY_FILE", raising=False)
    assert env_secret_file("KEY_FILE") == ""
    monkeypatch.setenv("KEY_FILE", str(key_file))
    with pytest.raises(ImproperlyConfigured, match="KEY_FILE: cannot read"):
        env_secret_file("KEY_FILE")
    key_file.write_text("\n")
    with pytest.raises(ImproperlyConfigured, match=r"KEY_FILE: .* is empty"):
        env_secret_file("KEY_FILE")
    key_file.write_text("s3cret-key\n")
    assert env_secret_file("KEY_FILE") == "s3cret-key"


def _production_settings(**env: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='guidelines_portal.settings';"
        "django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={"PATH": "/usr/bin:/bin", "DEBUG": "0", **env},
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


def test_production_settings_take_the_key_from_the_file_the_environment_names(tmp_path):
    key_file = ensure_secret_key(tmp_path / ".secret_key")
    result = _production_settings(SECRET_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == key_file.read_text().strip()


def test_production_settings_refuse_to_start_without_a_key(tmp_path):
    # Never a key file the environment does not name (not even make run's .secret_key).
    assert "SECRET_KEY must be set" in _production_settings().stderr
    assert "SECRET_KEY_FILE" in _production_settings(SECRET_KEY_FILE=str(tmp_path / "no")).stderr


# --- The environments ------------------------------------------------------------------


def test_make_run_serves_plain_http_on_this_machine_with_its_own_key(tmp_path):
    shell = {"DEBUG": "1", "SECURE_COOKIES": "1", "ALLOWED_HOSTS": "example.org", "PATH": "/bin"}
    env = production_env(shell, port=8821, secret_key_file=tmp_path / ".secret_key")
    assert env["DEBUG"] == "0"
    assert env["ALLOWED_HOSTS"] == "127.0.0.1,localhost,[::1]"
    # Cookies a browser sends back over http://, no redirect to HTTPS, no HSTS.
    assert (env["SECURE_COOKIES"], env["SECURE_SSL_REDIRECT"], env["SECURE_HSTS_SECONDS"]) == (
        "0",
        "0",
        "0",
    )
    assert "SECRET_KEY" not in env
    assert env["SECRET_KEY_FILE"] == str(tmp_path / ".secret_key")
    assert (tmp_path / ".secret_key").exists()
    assert env["PORTAL_BASE_URL"] == "http://127.0.0.1:8821"
    assert env["PATH"] == "/bin"


def test_a_key_or_public_address_given_in_the_environment_is_kept(tmp_path):
    given = {"SECRET_KEY": "s" * 60, "PORTAL_BASE_URL": "https://guidelines.example.org"}
    env = production_env(given, port=8821, secret_key_file=tmp_path / ".secret_key")
    assert env["SECRET_KEY"] == "s" * 60 and "SECRET_KEY_FILE" not in env
    assert not (tmp_path / ".secret_key").exists()
    assert env["PORTAL_BASE_URL"] == "https://guidelines.example.org"


def test_make_dev_runs_with_debug_on():
    env = development_env({"DEBUG": "0"}, port=8822)
    assert env == {"DEBUG": "1", "PORTAL_BASE_URL": "http://127.0.0.1:8822"}


def test_when_one_process_ends_the_supervisor_stops_the_other():
    handlers = [signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)]
    started = time.monotonic()
    status = supervise(
        {
            "server": [sys.executable, "-c", "raise SystemExit(3)"],
            "worker": [sys.executable, "-c", "import time; time.sleep(60)"],
        },
        os.environ,
    )
    assert status == 3
    assert time.monotonic() - started < 30
    assert [signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)] == handlers


# --- The server `make run` starts --------------------------------------------------------


@dataclass
class Page:
    status: int
    headers: http.client.HTTPMessage
    text: str


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    key_file: Path
    log: Path

    def get(self, path: str, **headers: str) -> Page:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read().decode(errors="replace")
        return Page(response.status, response.headers, body)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> dict[int, str]:
    """The processes whose parent is ``pid``, with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if parent == pid:
            found[int(entry.name)] = command
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`python -m guidelines_portal.local_server`, as `make run` starts it, on a free port with
    a database, static files, media and secret key of its own, after `make run`'s set-up
    (migrations, demonstration data) and with an editor who may sign in."""
    folder = tmp_path_factory.mktemp("local_server")
    env = {
        name: value
        for name, value in os.environ.items()
        # Leaked by other tests' set-up when the whole suite runs; make run decides these.
        if name not in {"SECRET_KEY", "SECRET_KEY_FILE", "SECURE_COOKIES", "CACHE_URL",
                        "DJANGO_ALLOW_ASYNC_UNSAFE", "PORTAL_BASE_URL", "DEBUG"}
    }  # fmt: skip
    env.update(
        DATABASE_URL=f"sqlite:///{folder}/db.sqlite3",
        STATIC_ROOT=str(folder / "static"),
        MEDIA_ROOT=str(folder / "media"),
    )
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput"], ["load_demo", "--if-empty"]):
        subprocess.run([*manage, *command, "-v0"], cwd=ROOT, env=env, check=True, timeout=300,
                       stdout=subprocess.DEVNULL)  # fmt: skip
    create_editor = (
        "from django.contrib.auth.models import User;"
        "User.objects.create_superuser('alice', 'alice@example.org', 'a long local password')"
    )
    subprocess.run([*manage, "shell", "-c", create_editor], cwd=ROOT, env=env, check=True)
    key_file = folder / "private" / "secret_key"  # not there yet: make run generates it
    port = _free_port()
    log = folder / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "guidelines_portal.local_server", f"--port={port}",
             "--workers=1"],
            cwd=ROOT, env={**env, "SECRET_KEY_FILE": str(key_file)}, stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    running = Server(process, port, key_file, log)
    deadline = time.monotonic() + 120
    while True:
        try:
            if running.get("/health/").status == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"make run's server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
    yield running
    if process.poll() is None:
        process.kill()
        process.wait(timeout=30)


@pytest.mark.slow
def test_make_run_serves_the_portal_in_both_languages(server):
    for language in ("en", "ru"):
        response = server.get(f"/{language}/")
        assert response.status == 200
        assert f'<html lang="{language}">' in response.text


@pytest.mark.slow
def test_make_run_generates_the_secret_key_readable_by_its_owner_only(server):
    assert stat.S_IMODE(server.key_file.stat().st_mode) == 0o600
    assert len(server.key_file.read_text().strip()) >= 50


@pytest.mark.slow
@pytest.mark.parametrize(("language", "heading"), [("en", "Page not found"), ("ru", "Страница")])
def test_a_missing_page_is_the_portals_404_not_the_debug_page(server, language, heading):
    response = server.get(f"/{language}/no-such-page/")
    html = response.text
    assert response.status == 404
    assert "DEBUG = True" not in html and "Traceback" not in html
    assert 'class="site-header"' in html and heading in html


@pytest.mark.slow
def test_static_files_are_fingerprinted_and_sent_compressed(server):
    home = server.get("/en/").text
    stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', home)
    assert stylesheet, "the stylesheet's address carries no fingerprint (collectstatic)"
    response = server.get(stylesheet[1], **{"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]


@pytest.mark.slow
def test_an_editor_can_sign_in_over_plain_http(server):
    page = server.get("/admin/login/")
    cookie = page.headers["Set-Cookie"] or ""
    assert cookie.startswith("csrftoken=") and "Secure" not in cookie
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token
    body = urllib.parse.urlencode(
        {"username": "alice", "password": "a long local password", "csrfmiddlewaretoken": token[1]}
    )
    origin = f"http://127.0.0.1:{server.port}"
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request(
        "POST", "/admin/login/", body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie.split(";")[0],
         "Origin": origin, "Referer": f"{origin}/admin/login/"},
    )  # fmt: skip
    signed_in = connection.getresponse()
    # The password is accepted: on to the second step (the authenticator app's code).
    assert signed_in.status == 302, signed_in.read()[:2000]
    assert "sessionid=" in (signed_in.getheader("Set-Cookie") or "")


@pytest.mark.slow
def test_ctrl_c_stops_the_server_and_the_worker(server):
    children = _children(server.process.pid)
    commands = " ".join(children.values())
    assert "gunicorn" in commands and "db_worker" in commands
    gunicorn_workers = [
        pid
        for gunicorn in children
        for pid in _children(gunicorn)
        if "gunicorn" in children[gunicorn]
    ]
    assert gunicorn_workers
    # The terminal's Ctrl-C reaches only the supervisor: the others are in groups of their own.
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=60) == 0
    for pid in [*children, *gunicorn_workers]:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
