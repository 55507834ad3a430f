import pytest
from django.core.exceptions import ImproperlyConfigured

from guidelines_portal.env import env_bool, env_int, env_list


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("TRUE", True), ("off", False), ("", False)]
)
def test_booleans_are_read_strictly(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG") is expected


@pytest.mark.parametrize(("reader", "raw"), [(env_bool, "maybe"), (env_int, "ten")])
def test_bad_values_fail_loudly(monkeypatch, reader, raw):
    monkeypatch.setenv("VALUE", raw)
    with pytest.raises(ImproperlyConfigured, match="VALUE"):
        reader("VALUE", 1) if reader is env_int else reader("VALUE")


def test_missing_values_take_the_default(monkeypatch):
    monkeypatch.delenv("ABSENT", raising=False)
    assert env_int("ABSENT", 7) == 7
    assert env_list("ABSENT", ["a"]) == ["a"]


def test_lists_are_comma_separated(monkeypatch):
    monkeypatch.setenv("HOSTS", " example.org, www.example.org ,")
    assert env_list("HOSTS", []) == ["example.org", "www.example.org"]


def test_production_refuses_to_start_without_a_secret_key():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
         "'guidelines_portal.settings'; django.setup()"],
        env={"DEBUG": "0", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
