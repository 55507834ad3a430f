"""Published editions never change: not through save(), the admin, QuerySet.update() or
delete(), and on PostgreSQL not even through raw SQL (database triggers)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from modules.models import Edition, EditionModule, EditionSection

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Edition, EditionModule, EditionSection])
def test_querysets_refuse_to_update_or_delete_published_rows(published, model):
    with pytest.raises(ValidationError):
        model.objects.all().delete()
    field = {"Edition": "change_summary_en", "EditionModule": "title_en"}.get(
        model.__name__, "body_en"
    )
    with pytest.raises(ValidationError):
        model.objects.all().update(**{field: "Tampered"})
    assert not model.objects.filter(**{field: "Tampered"}).exists()


def test_instances_refuse_save_and_delete(published):
    section = EditionSection.objects.first()
    section.body_en = "Tampered"
    with pytest.raises(ValidationError):
        section.save()
    with pytest.raises(ValidationError):
        section.delete()
    with pytest.raises(ValidationError):
        published.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers are PostgreSQL's")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE modules_edition SET change_summary_en = 'x'",
        "DELETE FROM modules_edition",
        "UPDATE modules_editionmodule SET title_en = 'x'",
        "UPDATE modules_editionsection SET body_en = 'x'",
        "DELETE FROM modules_editionsection",
    ],
)
def test_raw_sql_is_refused_by_the_database(published, sql):
    with (
        pytest.raises(DatabaseError, match="cannot be changed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert EditionSection.objects.exclude(body_en="x").count() == EditionSection.objects.count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers are PostgreSQL's")
def test_the_search_columns_may_still_be_filled(published):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE modules_editionsection SET search_en = to_tsvector('x')")
