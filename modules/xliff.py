"""XLIFF 1.2 files of a module's texts, so that translators can work in their own tools.

An export holds, for every section of one module of the working draft, its title and the
blocks of its body (headings, paragraphs, list items, table cells, footnotes, quotations) as
trans-units: source English, target the current Russian. The Markdown block markup stays out
of the units, so no tool can break it; the import rebuilds the Russian body from the block
skeleton and the translated units (modules/markdown_blocks.py).

Unit ids are ``<section key>/title``, ``<section key>/body/<kind>-<hash>`` (a hash of the
English block, so an id survives re-exports and English edits elsewhere in the section), or
``<section key>/body`` for a body whose Russian is built differently from the English (then
the whole body is one unit, whitespace preserved). Every unit has ``xml:space="preserve"``.

Unit states (XLIFF 1.2, as translate-toolkit and CAT tools read them): an up-to-date Russian
text is ``state="translated"`` and ``approved="yes"``; a possibly outdated one is
``state="needs-review-translation"``, not approved (fuzzy); a missing one has no target.

The <file> element names the module (original), the edition current at export
(product-version) and the file format (build-num); an import refuses a file for another
module or edition or of an earlier format, and refuses, unit by unit, a target whose English
source changed since the export (compared ignoring insignificant whitespace) or that would
break the Markdown structure.
"""

from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, tostring  # building only, never parsing

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.utils.translation import gettext as _

from modules import labels
from modules import markdown_blocks as blocks

NS = "urn:oasis:names:tc:xliff:document:1.2"
PRODUCT = "tg2370-guidelines"
FIELDS = ("title", "body")
MAX_BYTES = 2 * 1024 * 1024
# The file format, in <file build-num>: "2" = body cut into blocks (files before had none).
FORMAT = "2"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


class XliffError(ValueError):
    """A file that cannot be imported; the message is for the translator."""


@dataclass(frozen=True)
class Unit:
    id: str
    key: str
    field: str
    block: str  # "" for a whole title or body, else the block id
    source: str
    target: str | None  # None: no <target> (not translated)
    problem: str = ""  # why the unit's target cannot be read, for the translator


def _kind_label(kind: str) -> str:
    return {
        "title": _("title"),
        "body": _("whole body"),
        "heading": _("heading"),
        "paragraph": _("paragraph"),
        "item": _("list item"),
        "cell": _("table cell"),
        "footnote": _("footnote"),
        "quote": _("quotation"),
    }[kind]


def body_units(section) -> tuple[list[tuple[str, str, str | None, str]], bool]:
    """The body's units as (block id, English, Russian or None, kind), and whether they are
    blocks (False: the whole body is one unit, its Russian being built differently)."""
    english, russian = blocks.clean(section.body_en), blocks.clean(section.body_ru)
    if not english.strip():
        return [], True
    en, ru = blocks.segment(english), blocks.segment(russian) if russian.strip() else None
    if en is not None and (not russian.strip() or blocks.same_skeleton(en, ru)):
        targets = [s.text for s in ru.slots] if ru else [None] * len(en.slots)
        return [
            (block, slot.text, target, slot.kind)
            for block, slot, target in zip(en.ids(), en.slots, targets, strict=True)
        ], True
    return [("", english.strip(), russian.strip() or None, "body")], False


def export(*, module_slug: str, edition_number: str, sections, as_translated=None) -> bytes:
    """The XLIFF 1.2 document for these draft sections (English source, Russian target).

    ``as_translated`` maps the key of a section whose Russian is possibly outdated to the
    English its Russian translates ({"title_en": ..., "body_en": ...}): then only the units
    whose English changed since are marked for review; without it, all its units are.
    """
    as_translated = as_translated or {}
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
            "build-num": FORMAT,
        },
    )
    header = SubElement(file, "header")
    SubElement(header, "note").text = _(
        "Translate the target of each unit into Russian. Each unit is one heading, paragraph, "
        "list item, table cell, footnote or title; the list, table and footnote markup is kept "
        "by the portal. Keep inline Markdown (**bold**, [links](...), footnote references "
        "such as [^1]). Do not change the sources or the ids."
    )
    body = SubElement(file, "body")
    for section in sections:
        up_to_date = _up_to_date(section, as_translated.get(section.key))
        title_ru = (section.title_ru or "").strip() or None
        units: list[tuple[str, str, str | None, str]] = [
            ("title", section.title_en or "", title_ru, "title")
        ]
        cut, segmented = body_units(section)
        units += [
            (f"body/{block}" if block else "body", source, target, kind)
            for block, source, target, kind in cut
        ]
        for n, (suffix, source, target, kind) in enumerate(units):
            attrs = {"id": f"{section.key}/{suffix}", "resname": f"{section.number}/{suffix}"}
            current = up_to_date(kind, source)
            state = "translated" if current else "needs-review-translation"
            if target is not None and current:
                attrs["approved"] = "yes"
            attrs["xml:space"] = "preserve"
            unit = SubElement(body, "trans-unit", attrs)
            SubElement(unit, "source", {"xml:lang": "en"}).text = source
            if target is not None:
                SubElement(unit, "target", {"xml:lang": "ru", "state": state}).text = target
            note = _("Section %(number)s, %(part)s (%(position)d of %(count)d)") % {
                "number": labels.section_number(section.number),
                "part": _kind_label(kind),
                "position": n + 1,
                "count": len(units),
            }
            if not segmented and kind == "body":
                note += " " + _(
                    "The Russian text is built differently from the English, so the whole "
                    "body is one unit: keep its Markdown and its line breaks."
                )
            SubElement(unit, "note").text = note
            # The id again as the unit's location: xliff2po keeps it as a "#:" reference and
            # po2xliff brings it back, so a file that went through PO can be matched.
            group = SubElement(
                unit, "context-group", {"name": "po-reference", "purpose": "location"}
            )
            SubElement(group, "context", {"context-type": "sourcefile"}).text = attrs["id"]
    return tostring(root, encoding="utf-8", xml_declaration=True)


def _up_to_date(section, translated_from: dict | None):
    """Whether the Russian of a unit (kind, English source) of the section is up to date."""
    if not section.russian_outdated:
        return lambda kind, source: True
    if not translated_from:
        return lambda kind, source: False
    old_body = blocks.segment(translated_from.get("body_en"))
    known = {("title", blocks.normalize(translated_from.get("title_en") or ""))}
    known |= {(s.kind, blocks.normalize(s.text)) for s in (old_body.slots if old_body else [])}
    known.add(("body", blocks.normalize(translated_from.get("body_en") or "")))
    return lambda kind, source: (kind, blocks.normalize(source)) in known


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
    # Back through PO, po2xliff adds a <file datatype="po"> after the exported one.
    converted = [f for f in files[1:] if f.get("datatype") == "po" and not f.get("product-name")]
    if not files or len(files) != 1 + len(converted):
        raise XliffError(_("The file must contain exactly one <file> element."))
    file = files[0]
    if file.get("product-name") != PRODUCT:
        raise XliffError(_("The file was not exported from this portal."))
    if file.get("original") != module_slug:
        raise XliffError(
            _("The file is for module “%(found)s”, not “%(expected)s”.")
            % {"found": file.get("original") or "?", "expected": module_slug}
        )
    if file.get("build-num") != FORMAT:
        raise XliffError(
            _(
                "The file was exported by an earlier version of the portal, which did not keep "
                "the Markdown structure out of the units; importing it could damage the Russian "
                "text. Export the module again and translate the new file."
            )
        )
    if file.get("product-version") != edition_number:
        raise XliffError(
            _(
                "The file was exported when edition %(found)s was current; the current edition "
                "is %(expected)s. Export a new file."
            )
            % {"found": file.get("product-version") or "?", "expected": edition_number}
        )
    return _units(file, converted)


def _trans_units(files):
    for file in files:
        for element in file.iter(f"{{{NS}}}trans-unit"):
            if element.get("restype") != "x-gettext-domain-header":
                yield element


def _units(file, converted_files) -> list[Unit]:
    """The file's units. A file that came back through PO (xliff2po, then po2xliff with the
    export as template) holds the template's units and, in a second <file>, the converted
    units with ids of their own and the portal's id as their location: then the converted
    units are the translation and the template's units are ignored."""
    pairs = [(element.get("id") or "", element) for element in _trans_units([file])]
    if converted_files:
        pairs = [(_location(element), element) for element in _trans_units(converted_files)]
    units, seen = [], set()
    for unit_id, element in pairs:
        key, field, block = _split_id(unit_id)
        if unit_id in seen:
            raise XliffError(_("The unit “%(id)s” appears twice.") % {"id": unit_id[:80]})
        seen.add(unit_id)
        source = element.find(f"{{{NS}}}source")
        target = element.find(f"{{{NS}}}target")
        if source is None:
            raise XliffError(_("The unit “%(id)s” has no source.") % {"id": unit_id[:80]})
        problem = ""
        if target is not None and _foreign_markup(target):
            problem = _(
                "the target holds inline codes (%(tag)s) the portal does not use; "
                "keep the text only"
            ) % {"tag": _foreign_markup(target)}
        text = None if target is None else _text(target)
        if not problem and text and _prefilled_copy(target, text, _text(source)):
            problem = _(
                "the target is a copy of the English source that the translation tool marks "
                "as not translated (state “%(state)s”); translate it"
            ) % {"state": target.get("state")}
        units.append(Unit(unit_id, key, field, block, _text(source), text, problem))
    if not any(u.target for u in units):
        raise XliffError(_("The file contains no translations."))
    return units


# States in which a tool leaves a target it filled in itself (a copy of the source, a guess
# from a translation memory) rather than one a translator wrote.
UNTRANSLATED_STATES = ("new", "needs-translation")


def _prefilled_copy(target, text: str, source: str) -> bool:
    """A target the tool copied from the source and never had translated: importing it would
    put English into the Russian text."""
    return target.get("state") in UNTRANSLATED_STATES and " ".join(text.split()) == " ".join(
        source.split()
    )


def _location(element) -> str:
    """The portal id a unit names as its location (kept through PO as a "#:" reference)."""
    for group in element.findall(f"{{{NS}}}context-group"):
        if group.get("purpose") == "location":
            for context in group.findall(f"{{{NS}}}context"):
                if context.get("context-type") == "sourcefile":
                    return (context.text or "").strip()
    return ""


def _split_id(unit_id: str) -> tuple[str, str, str]:
    key, _sep, rest = unit_id.partition("/")
    field, _sep, block = rest.partition("/")
    if not key or field not in FIELDS or (field == "title" and block) or "/" in block:
        raise XliffError(_("Unknown unit id “%(id)s”.") % {"id": unit_id[:80]})
    return key, field, block


def _foreign_markup(element) -> str:
    """The first inline element other than <mrk> (segment markers, kept with their text)."""
    for child in element.iter():
        if child is not element and child.tag != f"{{{NS}}}mrk":
            return "<" + child.tag.rpartition("}")[2] + ">"
    return ""


def _text(element) -> str:
    """The element's text (the text of <mrk> segments joined), with Unix line endings."""
    return blocks.clean("".join(element.itertext())).strip()


# --- Rebuilding the Russian text --------------------------------------------------------


@dataclass
class Outcome:
    """What the file's units for one field of a section amount to."""

    text: str | None = None  # the new Russian text; None: nothing to import
    problems: list[str] | None = None  # why the field is refused, unit by unit


def russian_text(*, section, field: str, units: list[Unit]) -> Outcome:
    """The Russian ``field`` of ``section`` rebuilt from the file's units for it."""
    english = blocks.clean(getattr(section, f"{field}_en")).strip()
    whole = [u for u in units if not u.block]
    if field == "title" or whole:
        if len(units) != 1:
            return _refused(units, _("a body is either one whole unit or its blocks, not both"))
        return _whole(units[0], english=english, title=field == "title")
    return _blocks(section, units)


def _refused(units: list[Unit], problem: str) -> Outcome:
    return Outcome(problems=[_unit_problem(u, problem) for u in units])


def _unit_problem(unit: Unit, problem: str) -> str:
    return _("unit “%(unit)s”: %(problem)s") % {"unit": unit.id, "problem": problem}


def _english_changed() -> str:
    return _("the English text changed since the export; export again")


def _whole(unit: Unit, *, english: str, title: bool) -> Outcome:
    if unit.problem:
        return _refused([unit], unit.problem)
    if blocks.normalize(unit.source) != blocks.normalize(english):
        return _refused([unit], _english_changed())
    if not unit.target:
        return Outcome()
    if title and "\n" in unit.target:
        return _refused([unit], _("a title is one line; remove the line breaks"))
    if "\n" in english and "\n" not in unit.target:
        return _refused(
            [unit],
            _(
                "the line breaks of the text were lost (a translation tool may have collapsed "
                "them), so its lists, tables and footnotes would be destroyed"
            ),
        )
    problem = _inline_problem(english, unit.target)
    return _refused([unit], problem) if problem else Outcome(text=unit.target)


def _blocks(section, units: list[Unit]) -> Outcome:
    en = blocks.segment(section.body_en)
    ids = en.ids() if en is not None else []
    by_id = {u.block: u for u in units}
    problems = [_unit_problem(u, _english_changed()) for u in units if u.block not in ids]
    missing = [block for block in ids if block not in by_id]
    problems += [
        _("unit “%(unit)s”: missing from the file (the English text changed since the export, "
          "or the unit was deleted); export again")
        % {"unit": f"{section.key}/body/{block}"}
        for block in missing
    ]  # fmt: skip
    if problems:
        return Outcome(problems=problems)
    ordered = [by_id[block] for block in ids]
    if en is None or not any(u.target for u in ordered):
        return Outcome()  # (no English blocks: no units either)
    targets = []
    for unit, slot in zip(ordered, en.slots, strict=True):
        target = "\n".join(line.lstrip(" \t") for line in (unit.target or "").split("\n"))
        problem = unit.problem or _block_problem(unit, slot, target)
        if problem:
            problems.append(_unit_problem(unit, problem))
        targets.append(target)
    if problems:
        return Outcome(problems=problems)
    ru = blocks.segment(section.body_ru)
    skeleton = ru if ru is not None and blocks.same_skeleton(en, ru) else en
    text = skeleton.render(targets)
    check = blocks.segment(text)
    if (
        check is None
        or not blocks.same_skeleton(check, en)
        or [s.text for s in check.slots] != targets
    ):
        return Outcome(
            problems=[_("the translated blocks would change the Markdown structure of the body")]
        )
    return Outcome(text=text)


def _block_problem(unit: Unit, slot, target: str) -> str:
    if blocks.normalize(unit.source) != blocks.normalize(slot.text):
        return _english_changed()
    if not target:
        return _("no Russian text; translate every block of the body")
    if slot.kind in blocks.SINGLE_LINE and "\n" in target:
        return _("a line break would end the heading or table cell; remove it")
    if slot.kind == "cell" and blocks.PIPE.search(target):
        return _("a “|” would split the table cell; write it as “\\|”")
    if any(blocks.starts_block(line) for line in target.split("\n")):
        return _(
            "a line starts with Markdown block markup (“- ”, “1. ”, “#”, “>”, “|” or a "
            "footnote definition), which would break the structure of the body"
        )
    return _inline_problem(slot.text, target)


def _inline_problem(source: str, target: str) -> str:
    refs_en = sorted(blocks.FOOTNOTE_REF.findall(source))
    refs_ru = sorted(blocks.FOOTNOTE_REF.findall(target))
    if refs_en != refs_ru:
        return _(
            "the footnote references differ from the English (English: %(english)s; "
            "Russian: %(russian)s); a lost reference breaks the footnotes"
        ) % {
            "english": " ".join(f"[^{r}]" for r in refs_en) or "—",
            "russian": " ".join(f"[^{r}]" for r in refs_ru) or "—",
        }
    links_en, links_ru = len(blocks.LINK.findall(source)), len(blocks.LINK.findall(target))
    if links_en != links_ru:
        return _(
            "the number of links differs from the English (English: %(english)d; Russian: "
            "%(russian)d); keep every link"
        ) % {"english": links_en, "russian": links_ru}
    return ""
