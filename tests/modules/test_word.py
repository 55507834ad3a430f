"""Word (DOCX) editions: read back with python-docx and converted by LibreOffice headless
(the real clients), on the demonstration edition and on hand-made text."""

import re
import shutil
import subprocess
import zipfile
from io import BytesIO

import docx
import pytest
from django.core.management import call_command

from modules.models import Edition
from modules.word import render_docx
from tests.modules.test_pdf import pdftotext


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)
    return Edition.objects.current()


def libreoffice_pdf(content: bytes, tmp_path) -> bytes:
    """The document as LibreOffice Writer converts it to PDF: it must open it without error."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice is missing: apt-get install libreoffice-writer-nogui")
    source = tmp_path / "edition.docx"
    source.write_bytes(content)
    subprocess.run(  # LibreOffice on a file the test wrote
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    converted = tmp_path / "edition.pdf"
    assert converted.exists(), "LibreOffice did not convert the document"
    return converted.read_bytes()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_demonstration_edition_opens_in_word_processors(demo, language, tmp_path):
    made = render_docx(edition=demo, language=language)
    assert made.filename == f"TG-2370_ed{demo.number}_{language}.docx"
    document = docx.Document(BytesIO(made.content))
    headings = [p for p in document.paragraphs if p.style.name.startswith("Heading")]
    modules = [p.text for p in headings if p.style.name == "Heading 1"]
    assert len(modules) == demo.modules.count()
    sections = [p.text for p in headings if p.style.name != "Heading 1"]
    assert any(re.match(r"^B\.1 \S", text) for text in sections)  # numbered as on the site
    expected_tables = sum(
        getattr(s, f"body_html_{language}").count("<table") for s in demo.sections.all()
    )
    assert len(document.tables) == expected_tables > 0
    assert document.core_properties.language == {"en": "en-GB", "ru": "ru-RU"}[language]
    with zipfile.ZipFile(BytesIO(made.content)) as archive:
        notes = archive.read("word/footnotes.xml").decode()
        body = archive.read("word/document.xml").decode()
    references = body.count("<w:footnoteReference ")
    assert references == notes.count("<w:footnoteRef/>") > 0
    text = pdftotext(libreoffice_pdf(made.content, tmp_path), tmp_path)
    if language == "ru":
        assert "Стрелковое оружие" in text and "Изменения в этом издании" in text
    else:
        assert "Small arms" in text


def test_lists_links_emphasis_and_an_untranslated_section(editions, tmp_path):
    from modules import services
    from modules.models import Section
    from tests.conftest import publish

    services.section_update(
        section=Section.objects.get(key="salw-tracing"),
        body_en="Steps:\n\n1. **Trace** the [record](https://example.org/r).\n2. *Report*.\n\n"
        "- one\n    - nested\n\n3 < 4 & 5 > 2.",
        body_ru="Шаги:\n\n1. **Отследить** запись.\n2. *Сообщить*.\n\n- один\n    - вложенный",
    )
    edition = publish("1.2")
    made = render_docx(edition=edition, language="ru", module_slug="salw")
    assert made.filename == "TG-2370_ed1.2_ru_SALW.docx"
    document = docx.Document(BytesIO(made.content))
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("List", "1.\tОтследить запись.") in styles
    assert ("List", "2.\tСообщить.") in styles
    assert ("List Bullet 2", "вложенный") in styles
    bold = [r.text for p in document.paragraphs for r in p.runs if r.bold]
    assert "Отследить" in bold
    # Disposal has no Russian text: its heading is marked English.
    with zipfile.ZipFile(BytesIO(made.content)) as archive:
        body = archive.read("word/document.xml").decode()
    assert re.search(r'w:lang w:val="en-GB"/></w:rPr><w:t>B\.\d+ Disposal', body)
    english = render_docx(edition=edition, language="en", module_slug="salw")
    with zipfile.ZipFile(BytesIO(english.content)) as archive:
        assert "https://example.org/r" in archive.read("word/_rels/document.xml.rels").decode()
    text = pdftotext(libreoffice_pdf(english.content, tmp_path), tmp_path)
    assert "3 < 4 & 5 > 2." in text and "At import too." in text


def test_downloaded_from_the_edition_pages(client, editions):
    response = client.get("/ru/editions/1.1/docx/")
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert response["Content-Disposition"] == 'attachment; filename="TG-2370_ed1.1_ru.docx"'
    assert client.get("/en/editions/1.1/modules/uas/docx/").status_code == 200
    assert client.get("/en/editions/1.0/modules/uas/docx/").status_code == 404
    page = client.get("/en/modules/salw/salw-marking/").text
    assert 'href="/en/editions/1.1/docx/"' in page
    assert 'href="/en/editions/1.1/modules/salw/docx/"' in page
