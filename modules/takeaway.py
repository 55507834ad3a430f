"""What the files readers take away (EPUB, DOCX) share: their names, the edition's address
and title, its date as readers read it, and text made safe for XML."""

import re
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from guidelines_portal.public_address import absolute_url
from modules.labels import DOCUMENT_CODE
from modules.models import Edition

# Characters XML does not allow (a title pasted from a word processor may hold them).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Rendered:
    filename: str
    content: bytes


def filename(number: str, language: str, module_code: str, extension: str) -> str:
    """TG-2370_ed1.1_ru_SALW.epub, TG-2370_ed1.1_en.docx."""
    suffix = f"_{module_code}" if module_code else ""
    return f"{DOCUMENT_CODE}_ed{number}_{language}{suffix}.{extension}"


def address(edition: Edition, language: str, module_slug: str) -> str:
    """The stable address of what the file holds: the edition, or one module of it."""
    path = f"/{language}/editions/{edition.number}/"
    return absolute_url(path + (f"modules/{module_slug}/" if module_slug else ""))


def title() -> str:
    return _(
        "Technical guidelines to facilitate the implementation of Security Council "
        "resolution 2370 (2017)"
    )


def edition_date(edition: Edition) -> str:
    return date_format(edition.published_on, "DATE_FORMAT")


def xml_safe(text: str) -> str:
    return NOT_XML.sub("", str(text))
