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


def repair_stamps(apps, schema_editor):
    Section = apps.get_model("modules", "Section")
    Version = apps.get_model("reversion", "Version")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="modules", model="section").first()
    if content_type is None:
        return
    versions: dict[str, list] = {}
    rows = (
        Version.objects.filter(content_type=content_type)
        .order_by("revision__date_created", "pk")
        .values_list("object_id", "serialized_data", "format", "revision__date_created")
    )
    for object_id, data, fmt, created in rows.iterator():
        if fmt != "json":
            continue
        try:
            fields = json.loads(data)[0]["fields"]
        except (ValueError, KeyError, IndexError, TypeError):
            continue
        versions.setdefault(object_id, []).append((created, fields))
    for section in Section.objects.filter(pk__in=[int(k) for k in versions if k.isdigit()]):
        stamps = dict.fromkeys(LANGS)
        previous = None
        for created, fields in versions[str(section.pk)]:
            for lang in LANGS:
                before = _texts(previous, lang) if previous else ("", "")
                if _texts(fields, lang) != before:
                    stamps[lang] = created
            previous = fields
        current = {f"{name}_{lang}": getattr(section, f"{name}_{lang}")
                   for name in ("title", "body") for lang in LANGS}  # fmt: skip
        for lang in LANGS:
            if _texts(current, lang) != _texts(previous, lang):
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
