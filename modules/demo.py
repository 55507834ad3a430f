"""The demonstration guidelines from fixtures/demo/*.toml (format: FORMAT.md there).

The text is built through the services, exactly as editors would build it: the draft as it
stood for the first edition (draft_create), then each later edition's changes
(draft_change_for), each edition published in turn. guidelines_portal/demo.py puts this
together with the demonstration feedback.
"""

import datetime
import tomllib
from pathlib import Path
from typing import Any

from django.conf import settings

from modules import services
from modules.models import LANGS, Module, Section, SectionReplacement
from modules.versioning import revision

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
FEEDBACK_FILE = "feedback.toml"
MODULE_FIELDS = ("code", "slug", "kind", "order", "number_prefix")
MODULE_TEXTS = ("title", "short_title", "summary")
SECTION_TEXTS = ("title", "body")


def _texts(entry: dict, names: tuple[str, ...]) -> dict[str, Any]:
    """Field values for a service's ``**fields``: each translated text, stripped."""
    return {
        f"{name}_{lang}": entry[f"{name}_{lang}"].strip()
        for name in names
        for lang in LANGS
        if f"{name}_{lang}" in entry
    }


def read_demo(directory: Path = DEMO_DIR) -> tuple[list[dict], list[dict]]:
    """(module files sorted by order, editions sorted by number). A module file is one with
    a [module] table; the other files (editions, feedback, rounds) are read where they are
    used."""
    module_files = []
    for path in sorted(directory.glob("*.toml")):
        if path.name in ("editions.toml", FEEDBACK_FILE):
            continue
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        if "module" in data:
            module_files.append(data)
    with (directory / "editions.toml").open("rb") as handle:
        editions = tomllib.load(handle)["editions"]
    module_files.sort(key=lambda data: data["module"]["order"])
    return module_files, editions


def _in_edition(entry: dict, number: str, first: str) -> bool:
    key = _edition_key
    added = entry.get("added_in", first)
    removed = entry.get("removed_in")
    return key(added) <= key(number) and (removed is None or key(number) < key(removed))


def _edition_key(number: str) -> tuple[int, int]:
    major, minor = number.split(".")
    return int(major), int(minor)


COMMENT = "Demonstration content"


def draft_create(module_files: list[dict], first: str) -> None:
    """The working draft as it stood for the first edition, ``first``."""
    for data in module_files:
        module = services.module_create(
            comment=COMMENT,
            **{f: data["module"][f] for f in MODULE_FIELDS},
            **_texts(data["module"], MODULE_TEXTS),
        )
        for entry in data.get("sections", []):
            if _in_edition(entry, first, first):
                _create_section(module, entry, comment=COMMENT)


def draft_change_for(module_files: list[dict], number: str, first: str) -> None:
    """The changes that edition ``number`` (after ``first``) makes to the draft."""
    _apply_changes(module_files, number, first, comment=f"{COMMENT}: edition {number}")


def edition_publish(edition: dict) -> str:
    """Publish the demonstration edition ``edition`` (as read from editions.toml); the draft's
    reasons it publishes are cleared in a revision of the demonstration content."""
    with revision(user=None, comment=f"{COMMENT}: edition {edition['number']} published"):
        services.edition_publish(
            number=edition["number"],
            published_on=_as_date(edition["published_on"]),
            change_summary_en=edition["change_summary_en"].strip(),
            change_summary_ru=edition.get("change_summary_ru", "").strip(),
            notify=False,
            clearance=False,  # demonstration content, loaded by a script
        )
    return edition["number"]


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def _create_section(module: Module, entry: dict, *, comment: str) -> Section:
    parent = Section.objects.get(key=entry["parent"]) if entry.get("parent") else None
    return services.section_create(
        module=module, parent=parent, key=entry["key"], comment=comment,
        **_texts(entry, SECTION_TEXTS),
    )  # fmt: skip


def _apply_changes(module_files: list[dict], number: str, first: str, *, comment: str) -> None:
    for data in module_files:
        module = Module.objects.get(code=data["module"]["code"])
        sections = data.get("sections", [])
        for entry in sections:
            if entry.get("added_in") == number:
                siblings = [
                    s["key"]
                    for s in sections
                    if s.get("parent", "") == entry.get("parent", "")
                    and _in_edition(s, number, first)
                ]
                section = _create_section(module, entry, comment=comment)
                services.section_move(
                    section=section,
                    parent=section.parent,
                    position=siblings.index(entry["key"]) + 1,
                    comment=comment,
                )
        for entry in reversed(sections):
            if entry.get("removed_in") == number:
                services.section_delete(
                    section=Section.objects.get(key=entry["key"]), comment=comment
                )
        for entry in sections:
            if entry.get("removed_in") == number and entry.get("replaced_by"):
                replacement = SectionReplacement(
                    removed_key=entry["key"],
                    replaced_by=Section.objects.get(key=entry["replaced_by"]),
                    note_en=entry.get("replacement_note_en", "").strip(),
                    note_ru=entry.get("replacement_note_ru", "").strip(),
                )
                replacement.full_clean()
                replacement.save()
        for change in data.get("revisions", []):
            if change["edition"] == number:
                services.section_update(
                    section=Section.objects.get(key=change["key"]),
                    comment=comment,
                    **_texts(change, (*SECTION_TEXTS, "change_reason")),
                )
