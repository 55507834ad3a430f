"""The UI exists in full in Russian: every marked string has a translation."""

import re
from pathlib import Path

from django.conf import settings

PO_FILE = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def _entries(text: str):
    """(flags, msgid, [msgstr...]) for every entry of a .po file, header excluded."""
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if line.strip()]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        current, fields = None, {}
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif current and line.startswith('"'):
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            yield flags, fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")]


def test_every_ui_string_has_a_russian_translation():
    entries = list(_entries(PO_FILE.read_text(encoding="utf-8")))
    assert len(entries) > 100
    untranslated = [msgid for _flags, msgid, strs in entries if not strs or not all(strs)]
    fuzzy = [msgid for flags, msgid, _strs in entries if "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []


def test_placeholders_survive_translation():
    for _flags, msgid, strs in _entries(PO_FILE.read_text(encoding="utf-8")):
        expected = set(re.findall(r"%\(\w+\)s", msgid))
        for msgstr in strs:
            assert set(re.findall(r"%\(\w+\)s", msgstr)) == expected, msgid
