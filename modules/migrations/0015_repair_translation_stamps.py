"""Repair when each language of a section last changed.

Before line ends were normalised, saving a section from a browser sent every textarea back
with CRLF; an untouched Russian body then differed from the stored LF text, so saving only the
English stamped the Russian as changed too, and outdated Russian texts were never flagged.
This recomputes both stamps from the section's revision history, counting a version as a
change of a language only when that language's title or body differs other than in
whitespace. Sections without history keep their stamps.
"""

import json

from django.db import migrations

LANGS = ("en", "ru")


def _words(value) -> str:
    return " ".join((value or "").split())


def _texts(fields: dict, lang: str) -> tuple[str, str]:
    return _words(fields.get(f"title_{lang}")), _words(fields.get(f"body_{lang}"))


def _history(Version, content_type):
    """(section id, [(date, {lang: texts})...]) for each section, one section at a time: the
    versions are read in order, and only the words of titles and bodies are kept."""
    rows = (
        Version.objects.filter(content_type=content_type, format="json")
        .order_by("object_id", "revision__date_created", "pk")
        .values_list("object_id", "serialized_data", "revision__date_created")
    )
    current, versions = None, []
    for object_id, data, created in rows.iterator(chunk_size=500):
        if object_id != current:
            if versions:
                yield current, versions
            current, versions = object_id, []
        try:
            fields = json.loads(data)[0]["fields"]
        except (ValueError, KeyError, IndexError, TypeError):
            continue
        versions.append((created, {lang: _texts(fields, lang) for lang in LANGS}))
    if versions:
        yield current, versions


def repair_stamps(apps, schema_editor):
    Section = apps.get_model("modules", "Section")
    Version = apps.get_model("reversion", "Version")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="modules", model="section").first()
    if content_type is None:
        return
    for object_id, versions in _history(Version, content_type):
        section = Section.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if section is None:
            continue
        stamps = dict.fromkeys(LANGS)
        previous = dict.fromkeys(LANGS, ("", ""))
        for created, texts in versions:
            for lang in LANGS:
                if texts[lang] != previous[lang]:
                    stamps[lang] = created
            previous = texts
        current = {f"{name}_{lang}": getattr(section, f"{name}_{lang}")
                   for name in ("title", "body") for lang in LANGS}  # fmt: skip
        for lang in LANGS:
            if _texts(current, lang) != previous[lang]:
                # Saved after its last version (should not happen): the stamp stands.
                stamps[lang] = None
        update = {
            f"{lang}_changed_at": stamps[lang]
            for lang in LANGS
            if stamps[lang] is not None and stamps[lang] != getattr(section, f"{lang}_changed_at")
        }
        if update:
            Section.objects.filter(pk=section.pk).update(**update)


class Migration(migrations.Migration):
    dependencies = [
        ("modules", "0014_typed_text_fields"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(repair_stamps, migrations.RunPython.noop)]
