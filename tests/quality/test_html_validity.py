"""Every page type, in both languages, is valid HTML for the W3C Nu HTML Checker (vnu-jar)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.pages import LANGUAGES, POSTED_PAGES, PUBLIC_PAGES, STAFF_PAGES, page_url

VNU = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_every_page_type_is_valid_html(client, editor, db, tmp_path):
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.fail(
            "The Nu HTML Checker needs Java and node_modules/vnu-jar: "
            "apt-get install default-jre-headless, then `npm ci` (make does it)."
        )
    call_command("load_demo")
    client.force_login(editor)
    files = {}
    for lang in LANGUAGES:
        for name, path in {**PUBLIC_PAGES, **STAFF_PAGES, **POSTED_PAGES}.items():
            url = page_url(path, lang)
            if name in POSTED_PAGES:
                response = client.post(url, {}, HTTP_ORIGIN="http://testserver")
            else:
                response = client.get(url)
            assert response.status_code in (200, 202, 400, 404, 410), (url, response.status_code)
            file = tmp_path / f"{len(files):02d}.html"
            file.write_bytes(response.content)
            files[str(file)] = f"{name} {url}"
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{files.get(m.get('url', '').removeprefix('file:'), m.get('url'))}: line "
        f"{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == []
