"""Corrections of an edition's publication date (penetration test, finding 2).

An edition's row may change in one column only, its publication date, which is not part of
its text, and on PostgreSQL only together with the correction that records it
(services.edition_correct_date inserts the correction first). Corrections themselves are
never changed or deleted. Modules and sections of editions stay as they were (migration 0012).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SECTION_SEARCH_COLUMNS = """
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'modules_editionsection'
       AND (to_jsonb(NEW) - 'search_en' - 'search_ru')
           = (to_jsonb(OLD) - 'search_en' - 'search_ru') THEN
        RETURN NEW;
    END IF;
"""
# Nested: PL/pgSQL does not stop at the first false condition, and OLD.published_on exists
# only in the editions' table.
RECORDED_DATE_CORRECTION = """
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'modules_edition' THEN
        IF (to_jsonb(NEW) - 'published_on') = (to_jsonb(OLD) - 'published_on')
           AND EXISTS (
               SELECT 1 FROM modules_editioncorrection AS c
               WHERE c.edition_id = NEW.id AND c.published_on_before = OLD.published_on
                 AND c.published_on = NEW.published_on
           ) THEN
            RETURN NEW;
        END IF;
    END IF;
"""


def refuse_change_function(*exceptions: str) -> str:
    return (
        "CREATE OR REPLACE FUNCTION modules_refuse_change() RETURNS trigger AS $$\nBEGIN\n"
        + "".join(exceptions)
        + "    RAISE EXCEPTION 'A published edition cannot be changed.'\n"
        "        USING ERRCODE = 'integrity_constraint_violation';\nEND;\n$$ LANGUAGE plpgsql;\n"
    )


CORRECTIONS_TRIGGER = (
    "CREATE TRIGGER modules_editioncorrection_immutable BEFORE UPDATE OR DELETE ON "
    "modules_editioncorrection FOR EACH ROW EXECUTE FUNCTION modules_refuse_change();"
)


def allow_recorded_corrections(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            refuse_change_function(SECTION_SEARCH_COLUMNS, RECORDED_DATE_CORRECTION)
        )
        schema_editor.execute(CORRECTIONS_TRIGGER)


def back_to_0012(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS modules_editioncorrection_immutable "
            "ON modules_editioncorrection;"
        )
        schema_editor.execute(refuse_change_function(SECTION_SEARCH_COLUMNS))


class Migration(migrations.Migration):
    dependencies = [
        ("modules", "0012_published_rows_are_immutable"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="EditionCorrection",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("published_on_before", models.DateField(verbose_name="publication date before the correction")),
                ("published_on", models.DateField(verbose_name="corrected publication date")),
                ("reason_en", models.TextField(max_length=2000, verbose_name="reason (English)")),
                ("reason_ru", models.TextField(blank=True, max_length=2000, verbose_name="reason (Russian)")),
                ("corrected_at", models.DateTimeField(auto_now_add=True, verbose_name="corrected at")),
                ("corrected_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="corrected by")),
                ("edition", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="corrections", to="modules.edition")),
            ],
            options={
                "verbose_name": "correction",
                "verbose_name_plural": "corrections",
                "ordering": ["corrected_at", "pk"],
            },
        ),
        migrations.RunPython(allow_recorded_corrections, back_to_0012),
    ]
