"""Search on SQLite finds word forms too, as on PostgreSQL (modules.search).

Each language gets an FTS5 table of the published sections' stemmed titles and texts, filled
here for the editions already published and at each publication after. The search columns,
where SQLite kept lower-cased text for substring matching, are emptied. Nothing changes on
PostgreSQL.
"""

from django.db import migrations

LANGUAGES = ("en", "ru")
TABLE = "modules_editionsection_fts_{lang}"
# Only whitespace separates the lexemes modules.search writes, whatever they hold (s/res/2370,
# end-us); they are lower-cased already, and their diacritics count, as on PostgreSQL.
TOKENIZER = "unicode61 remove_diacritics 0 categories 'L* M* N* P* S* Co'"


def create_full_text_tables(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from modules import search

    for lang in LANGUAGES:
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {TABLE.format(lang=lang)} "
            f'USING fts5(title, text, tokenize = "{TOKENIZER}")'
        )
    sections = apps.get_model("modules", "EditionSection").objects.using(
        schema_editor.connection.alias
    )
    search.index_sections(sections.all())
    sections.update(search_en=None, search_ru=None)


def drop_full_text_tables(apps, schema_editor):
    """Back to substring matching: the search columns hold lower-cased text again."""
    if schema_editor.connection.vendor != "sqlite":
        return
    from modules.diff import text_blocks

    EditionSection = apps.get_model("modules", "EditionSection")
    rows = list(EditionSection.objects.using(schema_editor.connection.alias))
    for row in rows:
        for lang in LANGUAGES:
            title = getattr(row, f"title_{lang}") or row.title_en
            body = getattr(row, f"body_html_{lang}") or row.body_html_en
            setattr(row, f"search_{lang}", " ".join([title, *text_blocks(body)]).lower())
    EditionSection.objects.using(schema_editor.connection.alias).bulk_update(
        rows, ["search_en", "search_ru"], batch_size=200
    )
    for lang in LANGUAGES:
        schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE.format(lang=lang)}")


class Migration(migrations.Migration):
    dependencies = [("modules", "0015_repair_translation_stamps")]

    operations = [migrations.RunPython(create_full_text_tables, drop_full_text_tables)]
