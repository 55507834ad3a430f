"""Citations of a published edition, a module or a section, for people and reference managers.

A `Citation` is built once per page or download (no query: the caller has fetched the
edition, module and section) in one language, and serialised here as BibTeX, RIS and
CSL-JSON files, as Highwire Press and Dublin Core meta tags, and as schema.org JSON-LD.
Every address is the edition's own address from `public_address`, which never changes.
Each serialiser escapes for its format: nothing is pasted together unescaped.
"""

import dataclasses
import datetime
import json
import re

from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from guidelines_portal.public_address import absolute_url
from modules import labels
from modules.models import Edition, EditionModule, EditionSection

# The document's full title, as the home page and the PDF cover give it.
DOCUMENT_TITLE = gettext_lazy(
    "Technical guidelines to facilitate the implementation of Security Council resolution "
    "2370 (2017) and related international standards and good practices on preventing "
    "terrorists from acquiring weapons"
)
# Corporate author and publisher: the editors of the guidelines.
CORPORATE_AUTHOR = gettext_lazy(
    "United Nations Security Council Counter-Terrorism Committee Executive Directorate (CTED)"
)

BIBTEX_LANGUAGES = {"en": "english", "ru": "russian"}
BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun",
                 "jul", "aug", "sep", "oct", "nov", "dec")  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Citation:
    """What a reference to an edition, or a module or section in it, says, in one language."""

    key: str  # stable citation key, ASCII, e.g. "guidelines2370-1.0-salw-marking-en"
    language: str  # "en" or "ru"
    title: str  # of the cited item: the document, a module or a section
    container_title: str  # the document, when a part of it is cited; "" for a whole edition
    author: str  # corporate author, also the publisher
    edition: str  # "1.0"
    issued: datetime.date
    url: str  # the edition's own address of the cited item
    edition_url: str  # the edition's home page
    pdf_url: str  # the PDF that holds the cited item (the edition's, or its module's)
    module_title: str = ""
    section_number: str = ""
    section_title: str = ""

    @property
    def is_part(self) -> bool:
        return bool(self.container_title)


def _language(language: str) -> str:
    return language.split("-")[0]


def _stable_key(*parts: str) -> str:
    return "-".join(re.sub(r"[^A-Za-z0-9.]+", "-", p).strip("-") for p in parts if p)


def _base(edition: Edition, language: str, *parts: str) -> dict:
    """The fields every citation of ``edition`` shares (call under translation.override)."""
    return {
        "key": _stable_key("guidelines2370", edition.number, *parts, language),
        "language": language,
        "author": str(CORPORATE_AUTHOR),
        "edition": edition.number,
        "issued": edition.published_on,
        "edition_url": absolute_url(reverse("modules:edition_home", args=[edition.number])),
    }


def for_edition(edition: Edition, *, language: str) -> Citation:
    """The whole edition."""
    language = _language(language)
    with translation.override(language):
        return Citation(
            **_base(edition, language),
            title=str(DOCUMENT_TITLE),
            container_title="",
            url=absolute_url(reverse("modules:edition_home", args=[edition.number])),
            pdf_url=absolute_url(reverse("modules:edition_pdf", args=[edition.number])),
        )


def for_module(edition: Edition, module: EditionModule, *, language: str) -> Citation:
    """One module of an edition."""
    language = _language(language)
    kwargs = {"edition": edition.number, "module": module.slug}
    with translation.override(language):
        return Citation(
            **_base(edition, language, module.slug),
            title=module.title,
            container_title=str(DOCUMENT_TITLE),
            url=absolute_url(reverse("modules:edition_module", kwargs=kwargs)),
            pdf_url=absolute_url(reverse("modules:edition_module_pdf", kwargs=kwargs)),
            module_title=module.title,
        )


def for_section(
    edition: Edition, module: EditionModule, section: EditionSection, *, language: str
) -> Citation:
    """One section of a module in an edition."""
    language = _language(language)
    kwargs = {"edition": edition.number, "module": module.slug}
    with translation.override(language):
        return Citation(
            **_base(edition, language, module.slug, section.key),
            # As the section's heading reads on the site and in the PDF: "B.4.5 Marking".
            title=f"{labels.section_number(section.number)} {section.title}",
            container_title=str(DOCUMENT_TITLE),
            url=absolute_url(
                reverse("modules:edition_section", kwargs={**kwargs, "key": section.key})
            ),
            pdf_url=absolute_url(reverse("modules:edition_module_pdf", kwargs=kwargs)),
            module_title=module.title,
            section_number=labels.section_number(section.number),
            section_title=section.title,
        )


# --- Files for reference managers --------------------------------------------------------

_LATEX_SPECIALS = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)


def _one_line(value: str) -> str:
    return " ".join(str(value).split())


def bibtex_escape(value: str) -> str:
    """``value`` as BibTeX field text: LaTeX specials escaped, so braces always balance."""
    return _one_line(value).translate(_LATEX_SPECIALS)


def _bibtex_url(url: str) -> str:
    """URLs are read verbatim (url package); only a brace could end the field early, and the
    portal's addresses (percent-encoded slugs) have none."""
    return re.sub(r"[{}\\\s]", lambda m: f"%{ord(m.group()):02X}", url)


def to_bibtex(citation: Citation) -> str:
    """A BibTeX ``@techreport`` (the corporate author in double braces: one name, not split)."""
    author = "{" + bibtex_escape(citation.author) + "}"
    braced = [
        ("title", bibtex_escape(citation.title)),
        ("author", author),
        ("institution", author),
        ("booktitle", bibtex_escape(citation.container_title)),
        ("chapter", bibtex_escape(citation.section_number)),
        ("edition", bibtex_escape(citation.edition)),
        ("year", str(citation.issued.year)),
        ("date", citation.issued.isoformat()),
        ("url", _bibtex_url(citation.url)),
        ("language", citation.language),
        ("langid", BIBTEX_LANGUAGES.get(citation.language, "english")),
    ]
    fields = [f"  {name} = {{{value}}}," for name, value in braced if value]
    # The month as BibTeX's own macro (jan ... dec), which every style knows.
    fields.append(f"  month = {BIBTEX_MONTHS[citation.issued.month - 1]},")
    return "\n".join([f"@techreport{{{citation.key},", *fields, "}"]) + "\n"


def to_ris(citation: Citation) -> str:
    """An RIS record (CRLF line ends, as the format says; one line per tag)."""
    issued = citation.issued
    tags = [
        ("TY", "RPRT"),
        ("TI", citation.title),
        ("AU", citation.author),
        ("PB", citation.author),
        ("T2", citation.container_title),
        ("SE", citation.section_number),
        ("PY", str(issued.year)),
        ("DA", f"{issued.year:04d}/{issued.month:02d}/{issued.day:02d}/"),
        ("ET", citation.edition),
        ("UR", citation.url),
        ("LA", citation.language),
        ("ID", citation.key),
    ]
    lines = [f"{tag}  - {_one_line(value)}" for tag, value in tags if value]
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"


def to_csl(citation: Citation) -> dict:
    """A CSL-JSON item (the data citeproc processors and Zotero read)."""
    item = {
        "id": citation.key,
        "type": "report",
        "title": citation.title,
        "author": [{"literal": citation.author}],
        "publisher": citation.author,
        "container-title": citation.container_title,
        "section": citation.section_number,
        "edition": citation.edition,
        "issued": {
            "date-parts": [[citation.issued.year, citation.issued.month, citation.issued.day]]
        },
        "URL": citation.url,
        "language": citation.language,
    }
    return {name: value for name, value in item.items() if value}


def to_csl_json(citation: Citation) -> str:
    return json.dumps([to_csl(citation)], ensure_ascii=False, indent=2) + "\n"


FORMATS = {
    "bib": ("application/x-bibtex", to_bibtex),
    "ris": ("application/x-research-info-systems", to_ris),
    "json": ("application/vnd.citationstyles.csl+json", to_csl_json),
}


def render(citation: Citation, fmt: str) -> tuple[str, str, bytes]:
    """(file name, content type, UTF-8 bytes) of ``citation`` in ``fmt`` ("bib", "ris", "json")."""
    content_type, serialise = FORMATS[fmt]
    return f"{citation.key}.{fmt}", f"{content_type}; charset=utf-8", serialise(citation).encode()


# --- Page metadata -----------------------------------------------------------------------


def _slashed(date: datetime.date) -> str:
    return f"{date.year:04d}/{date.month:02d}/{date.day:02d}"


def meta_tags(citation: Citation) -> list[tuple[str, str]]:
    """Highwire Press (Google Scholar, Zotero) and Dublin Core ``<meta name content>`` pairs."""
    tags = [
        ("citation_title", citation.title),
        ("citation_author", citation.author),
        ("citation_publication_date", _slashed(citation.issued)),
        ("citation_online_date", _slashed(citation.issued)),
        ("citation_technical_report_institution", citation.author),
        ("citation_inbook_title", citation.container_title),
        ("citation_language", citation.language),
        ("citation_public_url", citation.url),
        ("citation_pdf_url", citation.pdf_url),
        ("DC.title", citation.title),
        ("DC.creator", citation.author),
        ("DC.publisher", citation.author),
        ("DC.date", citation.issued.isoformat()),
        ("DC.language", citation.language),
        ("DC.identifier", citation.url),
        ("DC.type", "Text"),
    ]
    return [(name, value) for name, value in tags if value]


def schema_org(citation: Citation) -> dict:
    """The cited item as schema.org data: a Report, or a part of one."""
    organisation = {"@type": "Organization", "name": citation.author}
    common = {
        "inLanguage": citation.language,
        "author": organisation,
        "publisher": organisation,
        "datePublished": citation.issued.isoformat(),
        "version": citation.edition,
    }
    document = {
        "@type": "Report",
        "name": citation.container_title or citation.title,
        "url": citation.edition_url,
        **common,
    }
    if not citation.is_part:
        return {"@context": "https://schema.org", **document, "encoding": _pdf(citation)}
    item = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "name": citation.title,
        "url": citation.url,
        **common,
        "isPartOf": document,
        "encoding": _pdf(citation),
    }
    if citation.section_number:
        item["position"] = citation.section_number
    return item


def _pdf(citation: Citation) -> dict:
    return {
        "@type": "MediaObject",
        "encodingFormat": "application/pdf",
        "contentUrl": citation.pdf_url,
    }


_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def json_ld(citation: Citation) -> SafeString:
    """schema.org JSON-LD for a ``<script type="application/ld+json">`` element: ``<``, ``>``
    and ``&`` are written as JSON escapes, so no text can close the element or open another."""
    data = json.dumps(schema_org(citation), ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return mark_safe(data)  # noqa: S308  # nosec - escaped above; the value is JSON, not HTML
