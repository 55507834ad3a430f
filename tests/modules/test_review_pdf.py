"""The review kit's copy of an edition: every paragraph's identifier in the margin, as the
comment table names it (B.4.5 ¶3), read back with poppler's pdftotext; built in the background
on first request and served like the reading PDFs."""

import pytest
from django.utils import translation

from feedback.comment_table import paragraphs
from modules import pdf_services
from modules import services as content
from modules.models import EditionPDF, PDFStatus, Section
from modules.pdf import render_pdf
from tests.conftest import make_module, make_section, publish
from tests.modules.test_pdf import pdftotext

pytestmark = pytest.mark.django_db

BODY_EN = (
    "Each firearm is marked at manufacture.\n\n"
    "- a list item is not a paragraph\n\n"
    "Polymer frames carry a metal plate.[^1]\n\n"
    "Imported firearms are marked again.\n\n"
    "[^1]: A footnote is not a paragraph."
)
BODY_RU = (
    "Каждое оружие маркируется.\n\nПолимерные рамки несут пластину.\n\nВвоз.[^1]\n\n[^1]: Сноска."
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def edition(draft):
    content.section_update(
        section=Section.objects.get(key="salw-marking"), body_en=BODY_EN, body_ru=BODY_RU
    )
    annexes = make_module("ANX", order=2, prefix="Annex ")
    make_section(annexes, "anx-glossary", title_en="Glossary", title_ru="Глоссарий",
                 body_en="Terms.\n\nMore terms.", body_ru="Термины.\n\nЕщё термины.")  # fmt: skip
    return publish("1.0")


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_paragraph_identifier_of_the_comment_table_is_in_the_margin(
    edition, tmp_path, language
):
    rendered = render_pdf(edition=edition, language=language, review=True)
    assert rendered.filename == f"TG-2370_ed1.0_{language}_review.pdf"
    text = one_line(pdftotext(rendered.content, tmp_path))
    with translation.override(language):
        identifiers = [p.identifier for p in paragraphs(edition)]
    assert len(identifiers) >= 8
    missing = [identifier for identifier in identifiers if identifier not in text]
    assert missing == []
    # As many as the reader's #p links, no more: list items and footnotes are not numbered.
    assert "B.1.2 ¶3" in text and "B.1.2 ¶4" not in text
    annex = "Annex 1" if language == "en" else "Приложение 1"
    assert f"{annex} ¶2" in text
    # The contents name each section's paragraphs too.
    contents = one_line(pdftotext(rendered.content, tmp_path, "-f", "2", "-l", "2"))
    assert f"({annex} ¶1–¶2)" in contents


def test_the_reading_pdf_has_no_identifiers(edition, tmp_path):
    text = one_line(pdftotext(render_pdf(edition=edition, language="en").content, tmp_path))
    assert "¶" not in text


def test_a_review_copy_is_built_on_first_request_then_served_as_a_file(client, edition):
    assert not EditionPDF.objects.filter(review=True).exists()  # not made at publication
    response = client.get("/ru/editions/1.0/modules/salw/pdf/review/")
    assert response.status_code == 202
    pdf = EditionPDF.objects.get(review=True)
    assert (pdf.module_slug, pdf.language, pdf.status) == ("salw", "ru", PDFStatus.QUEUED)
    pdf_services.pdf_build(pdf_id=pdf.pk)
    response = client.get("/ru/editions/1.0/modules/salw/pdf/review/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="TG-2370_ed1.0_ru_SALW_review.pdf"' in response["Content-Disposition"]
    # The reading PDF of the same module is another file.
    reading = EditionPDF.objects.get(module_slug="salw", language="ru", review=False)
    assert reading.pk != pdf.pk


def test_the_edition_and_workshop_pages_link_the_review_kit(client, edition):
    page = client.get("/en/editions/1.0/modules/salw/").content.decode()
    assert 'href="/en/editions/1.0/modules/salw/pdf/review/"' in page
    assert 'href="/en/editions/1.0/pdf/review/"' in page
    assert "review copy of SALW (PDF)" in page
