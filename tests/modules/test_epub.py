"""EPUB 3 editions, checked with epubcheck (the real client) on the demonstration edition."""

import os
import shutil
import subprocess
import zipfile
from io import BytesIO

import pytest
from django.core.management import call_command
from lxml import etree

from modules.epub import render_epub
from modules.models import Edition

EPUBCHECK_JAR = "/usr/share/java/epubcheck.jar"  # Debian's epubcheck package


def epubcheck(content: bytes, tmp_path) -> str:
    java = shutil.which("java")
    if not (java and os.path.exists(EPUBCHECK_JAR)):
        pytest.fail("epubcheck is missing: apt-get install epubcheck (make test installs it)")
    book = tmp_path / "book.epub"
    book.write_bytes(content)
    result = subprocess.run(
        [java, "-jar", EPUBCHECK_JAR, str(book)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def files(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(BytesIO(content)) as archive:
        return {n: archive.read(n).decode() for n in archive.namelist()}


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)
    return Edition.objects.current()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_demonstration_edition_is_a_valid_epub(demo, language, tmp_path):
    book = render_epub(edition=demo, language=language)
    report = epubcheck(book.content, tmp_path)
    assert "0 fatals / 0 errors / 0 warnings" in report
    assert book.filename == f"TG-2370_ed{demo.number}_{language}.epub"
    inside = files(book.content)
    assert next(iter(inside)) == "mimetype"  # first, as readers require
    package = inside["EPUB/package.opf"]
    assert f"<dc:language>{language}</dc:language>" in package
    nav = etree.fromstring(inside["EPUB/nav.xhtml"].encode())
    labels = [a.text for a in nav.iter("{http://www.w3.org/1999/xhtml}a")]
    assert any(label and label.startswith("B.1 ") for label in labels)  # numbers as on the site
    pages = "".join(v for k, v in inside.items() if k.endswith(".xhtml"))
    assert 'epub:type="noteref"' in pages and 'epub:type="footnote"' in pages
    assert "footnote-backref" not in pages
    if language == "ru":
        assert "Стрелковое оружие" in pages and 'xml:lang="ru"' in pages


def test_one_module_and_a_section_not_yet_translated(editions, tmp_path):
    _first, second = editions
    book = render_epub(edition=second, language="ru", module_slug="salw")
    epubcheck(book.content, tmp_path)
    assert book.filename == "TG-2370_ed1.1_ru_SALW.epub"
    inside = files(book.content)
    assert "EPUB/module-uas.xhtml" not in inside
    page = inside["EPUB/module-salw.xhtml"]
    assert '<section id="s-salw-disposal" lang="en" xml:lang="en">' in page
    assert "Также при ввозе." in page  # the Russian footnote, as an EPUB note
    assert render_epub(edition=second, language="ru", module_slug="salw").content == book.content


def test_any_slug_key_keeps_its_notes_and_a_pasted_control_character_is_dropped(db, tmp_path):
    from tests.conftest import make_module, make_section, publish

    module = make_module("SALW")
    make_section(
        module, "Salw_Notes", title_en="Pasted\x0btitle",
        body_en="Text.[^a]\n\n[^a]: The note.", body_ru="Текст.[^a]\n\n[^a]: Сноска.",
    )  # fmt: skip
    edition = publish("1.0")
    for language in ("en", "ru"):
        book = render_epub(edition=edition, language=language)
        epubcheck(book.content, tmp_path)
        page = files(book.content)["EPUB/module-salw.xhtml"]
        assert 'id="Salw_Notes-fn-a"' in page and 'href="#Salw_Notes-fn-a"' in page
        assert language == "ru" or "Pastedtitle" in page


def test_downloaded_from_the_edition_pages(client, editions):
    response = client.get("/ru/editions/1.1/epub/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/epub+zip"
    assert response["Content-Disposition"] == 'attachment; filename="TG-2370_ed1.1_ru.epub"'
    module = client.get("/en/editions/1.0/modules/salw/epub/")
    assert module["Content-Disposition"] == 'attachment; filename="TG-2370_ed1.0_en_SALW.epub"'
    page = client.get("/ru/modules/salw/salw-marking/").text
    assert 'href="/ru/editions/1.1/epub/"' in page
    assert 'href="/ru/editions/1.1/modules/salw/epub/"' in page


@pytest.mark.parametrize(
    "path",
    [
        "/en/editions/9.9/epub/",
        "/en/editions/1.1/modules/ied/epub/",
        "/en/editions/1.0/modules/uas/epub/",
    ],
)
def test_unknown_editions_and_modules_are_404(client, editions, path):
    assert client.get(path).status_code == 404
