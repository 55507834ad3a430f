"""Published editions cannot be changed, even with raw SQL, on PostgreSQL: triggers refuse
any UPDATE or DELETE of an edition, its modules and its sections (a section's search columns
excepted: they are filled in just after the insert). TRUNCATE, which empties whole tables (test
fixtures, a restore), is not affected. SQLite relies on the models' guards only."""

from django.db import migrations

MESSAGE = "A published edition cannot be changed."

POSTGRES = f"""
CREATE OR REPLACE FUNCTION modules_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'modules_editionsection'
       AND (to_jsonb(NEW) - 'search_en' - 'search_ru')
           = (to_jsonb(OLD) - 'search_en' - 'search_ru') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
    f"FOR EACH ROW EXECUTE FUNCTION modules_refuse_change();\n"
    for table in ("modules_edition", "modules_editionmodule", "modules_editionsection")
)
POSTGRES_REVERSE = "".join(
    f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};\n"
    for table in ("modules_edition", "modules_editionmodule", "modules_editionsection")
) + "DROP FUNCTION IF EXISTS modules_refuse_change();"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("modules", "0011_editors_see_pdfs")]

    operations = [migrations.RunPython(create, drop)]
