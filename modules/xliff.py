"""XLIFF 1.2 files of a module's texts, so that translators can work in their own tools.

An export holds, for every section of one module of the working draft, its title and body as
trans-units (source: English, target: the current Russian). The <file> element names the
module (original) and the edition that was current at export (product-version); an import
refuses a file for another module or edition, and skips any unit whose English source has
changed since the export.
"""

from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, tostring  # building only, never parsing

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.utils.translation import gettext as _

NS = "urn:oasis:names:tc:xliff:document:1.2"
PRODUCT = "tg2370-guidelines"
FIELDS = ("title", "body")
MAX_BYTES = 2 * 1024 * 1024


class XliffError(ValueError):
    """A file that cannot be imported; the message is for the translator."""


@dataclass(frozen=True)
class Unit:
    key: str
    field: str
    source: str
    target: str


def export(*, module_slug: str, edition_number: str, sections) -> bytes:
    """The XLIFF 1.2 document for these draft sections (English source, Russian target)."""
    root = Element("xliff", {"version": "1.2", "xmlns": NS})
    file = SubElement(
        root,
        "file",
        {
            "original": module_slug,
            "source-language": "en",
            "target-language": "ru",
            "datatype": "plaintext",
            "product-name": PRODUCT,
            "product-version": edition_number,
        },
    )
    header = SubElement(file, "header")
    SubElement(header, "note").text = (
        "Translate the <target> of each unit into Russian; keep the Markdown markup. "
        "Do not change <source> or the ids."
    )
    body = SubElement(file, "body")
    for section in sections:
        for field in FIELDS:
            unit = SubElement(
                body, "trans-unit", {"id": f"{section.key}/{field}", "resname": section.number}
            )
            SubElement(unit, "source", {"xml:lang": "en"}).text = (
                getattr(section, f"{field}_en") or ""
            )
            SubElement(unit, "target", {"xml:lang": "ru"}).text = (
                getattr(section, f"{field}_ru") or ""
            )
            SubElement(unit, "note").text = f"{section.number} {field}"
    return tostring(root, encoding="utf-8", xml_declaration=True)


def parse(data: bytes, *, module_slug: str, edition_number: str) -> list[Unit]:
    """The units of an uploaded file, or XliffError saying why it cannot be imported."""
    if len(data) > MAX_BYTES:
        raise XliffError(_("The file is larger than 2 MB."))
    try:
        root = fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError):
        raise XliffError(_("The file is not well-formed XML.")) from None
    if root.tag != f"{{{NS}}}xliff" or root.get("version") != "1.2":
        raise XliffError(_("The file is not an XLIFF 1.2 document."))
    files = root.findall(f"{{{NS}}}file")
    if len(files) != 1:
        raise XliffError(_("The file must contain exactly one <file> element."))
    file = files[0]
    if file.get("product-name") != PRODUCT:
        raise XliffError(_("The file was not exported from this portal."))
    if file.get("original") != module_slug:
        raise XliffError(
            _("The file is for module “%(found)s”, not “%(expected)s”.")
            % {"found": file.get("original") or "?", "expected": module_slug}
        )
    if file.get("product-version") != edition_number:
        raise XliffError(
            _(
                "The file was exported when edition %(found)s was current; the current edition "
                "is %(expected)s. Export a new file."
            )
            % {"found": file.get("product-version") or "?", "expected": edition_number}
        )
    return _units(file)


def _units(file) -> list[Unit]:
    units, seen = [], set()
    for element in file.iter(f"{{{NS}}}trans-unit"):
        unit_id = element.get("id") or ""
        key, _sep, field = unit_id.rpartition("/")
        if not key or field not in FIELDS:
            raise XliffError(_("Unknown unit id “%(id)s”.") % {"id": unit_id[:80]})
        if unit_id in seen:
            raise XliffError(_("The unit “%(id)s” appears twice.") % {"id": unit_id[:80]})
        seen.add(unit_id)
        source = element.find(f"{{{NS}}}source")
        target = element.find(f"{{{NS}}}target")
        if source is None:
            raise XliffError(_("The unit “%(id)s” has no source.") % {"id": unit_id[:80]})
        if target is None:
            continue
        units.append(Unit(key, field, _text(source), _text(target)))
    if not units:
        raise XliffError(_("The file contains no translations."))
    return units


def _text(element) -> str:
    """The element's text content (inline markup is flattened), with Unix line endings."""
    return "".join(element.itertext()).replace("\r\n", "\n").strip()
