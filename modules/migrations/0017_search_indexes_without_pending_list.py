"""PostgreSQL's search indexes take each published section in at once (fastupdate off).

With GIN's default "fast update", the sections of a new edition wait in the index's pending
list, which every search reads whole and which the planner prices so high that it reads the
edition's rows one by one instead: a search of a rare word took 6 ms where the index answers
in 0.1 ms, until a vacuum came by. Sections are written once, when their edition is
published, so there is nothing for fast update to save. The lists already pending are
emptied into the indexes.
"""

from django.db import migrations

INDEXES = ("edition_section_search_en", "edition_section_search_ru")


def without_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite searches its FTS5 tables (migration 0016).
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX {name} SET (fastupdate = off)")
        schema_editor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])


def with_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"ALTER INDEX {name} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("modules", "0016_sqlite_full_text_search")]

    operations = [migrations.RunPython(without_pending_list, with_pending_list, elidable=False)]
