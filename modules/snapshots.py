"""Snapshots of the working draft: the objects an edition freezes, built from draft rows.

Publishing saves them (services.edition_publish); the staff preview shows them unsaved, so
editors see the draft exactly as readers will.
"""

import datetime
import hashlib

from modules.markdown import render_markdown
from modules.models import LANGS, Edition, EditionModule, EditionSection, Module, Section


def freeze_module(edition: Edition | None, module: Module) -> EditionModule:
    return EditionModule(
        edition=edition,
        code=module.code,
        slug=module.slug,
        kind=module.kind,
        order=module.order,
        number_prefix=module.number_prefix,
        **{
            f"{field}_{lang}": getattr(module, f"{field}_{lang}") or ""
            for field in ("title", "short_title", "summary_html")
            for lang in LANGS
        },
    )


def section_texts(section: Section) -> dict[str, str]:
    return {
        f"{field}_{lang}": getattr(section, f"{field}_{lang}") or ""
        for field in ("title", "body", "body_html")
        for lang in LANGS
    }


def text_hash(section: Section) -> str:
    texts = section_texts(section)
    return EditionSection.compute_text_hash(
        title_en=texts["title_en"], title_ru=texts["title_ru"],
        body_en=texts["body_en"], body_ru=texts["body_ru"],
    )  # fmt: skip


def freeze_section(
    edition: Edition | None, module: EditionModule, section: Section
) -> EditionSection:
    texts = section_texts(section)
    return EditionSection(
        edition=edition,
        module=module,
        key=section.key,
        parent_key=section.parent.key if section.parent else "",
        number=section.number,
        sort_key=section.sort_key,
        depth=section.depth,
        text_hash=text_hash(section),
        ru_outdated=section.russian_outdated,
        glossary_off=section.glossary_off,
        **{f"change_reason_{lang}": getattr(section, f"change_reason_{lang}") or ""
           for lang in LANGS},
        **texts,
    )  # fmt: skip


def freeze_draft(
    modules: list[Module], sections: list[Section]
) -> tuple[list[EditionModule], list[EditionSection]]:
    """The draft frozen in memory, unsaved: snapshot modules keep their draft ids, so that
    sections find their module as they would after publishing."""
    frozen_modules = []
    for module in modules:
        frozen = freeze_module(None, module)
        frozen.pk = module.pk
        frozen_modules.append(frozen)
    by_id = {m.pk: m for m in frozen_modules}
    frozen_sections = []
    for section in sections:
        frozen_section = freeze_section(None, by_id[section.module_id], section)
        frozen_section.module_id = section.module_id
        frozen_sections.append(frozen_section)
    return frozen_modules, frozen_sections


# The columns a frozen draft keeps when it waits to be published (ScheduledPublication).
_KEPT = {
    EditionModule: ("id", *(f.attname for f in EditionModule._meta.concrete_fields
                           if f.attname not in ("id", "edition_id"))),
    EditionSection: tuple(f.attname for f in EditionSection._meta.concrete_fields
                          if f.attname not in ("id", "edition_id", "search_en", "search_ru")),
}  # fmt: skip


def snapshot_dump(modules: list[EditionModule], sections: list[EditionSection]) -> dict:
    """A frozen draft (freeze_draft) as JSON-ready data, to publish later exactly as it is."""
    return {
        "modules": [{a: getattr(m, a) for a in _KEPT[EditionModule]} for m in modules],
        "sections": [{a: getattr(s, a) for a in _KEPT[EditionSection]} for s in sections],
    }


def snapshot_load(data: dict) -> tuple[list[EditionModule], list[EditionSection]]:
    """The frozen draft ``snapshot_dump`` kept, unsaved, as freeze_draft made it."""
    modules = [EditionModule(**row) for row in data["modules"]]
    by_id = {m.pk: m for m in modules}
    sections = []
    for row in data["sections"]:
        section = EditionSection(**row)
        section.module = by_id[row["module_id"]]
        section.module_id = row["module_id"]
        sections.append(section)
    return modules, sections


def edition_fingerprint(modules: list[EditionModule], sections: list[EditionSection]) -> str:
    """SHA-256 over an edition's modules and sections, both languages, in reading order."""
    digest = hashlib.sha256()
    for module in sorted(modules, key=lambda m: (m.order, m.code)):
        fields = [module.code, module.number_prefix]
        fields += [getattr(module, f"{name}_{lang}") for name in ("title", "short_title",
                   "summary_html") for lang in LANGS]  # fmt: skip
        digest.update(("\x1e".join(fields) + "\x1d").encode("utf-8"))
        for section in sorted(
            (s for s in sections if s.module_id == module.pk), key=lambda s: s.sort_key
        ):
            digest.update(f"{section.key}\x1f{section.number}\x1f{section.text_hash}\x1d".encode())
    return digest.hexdigest()


def edition_row(
    modules: list[EditionModule],
    sections: list[EditionSection],
    *,
    number: str,
    published_on: datetime.date,
    change_summary_en: str,
    change_summary_ru: str,
    before: dict[str, str],
) -> Edition:
    """The Edition row a frozen draft becomes, unsaved: what publishing saves, and what a
    scheduled edition's PDFs are made from before its moment (they then match exactly).
    ``before``: the current edition's sections, {key: text hash}."""
    after = {s.key: s.text_hash for s in sections}
    return Edition(
        number=number,
        published_on=published_on,
        change_summary_en=change_summary_en,
        change_summary_ru=change_summary_ru,
        change_summary_html_en=render_markdown(change_summary_en, id_prefix="changes"),
        change_summary_html_ru=render_markdown(change_summary_ru, id_prefix="changes"),
        sections_added=len(after.keys() - before.keys()),
        sections_removed=len(before.keys() - after.keys()),
        sections_changed=sum(1 for k in after.keys() & before.keys() if after[k] != before[k]),
        text_fingerprint=edition_fingerprint(modules, sections),
    )
