"""An edition's publication date is checked when it is published (penetration test,
finding 2), and a wrong date can be corrected afterwards, openly, without touching its text."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from modules import services
from modules.models import Edition, EditionCorrection, EditionPDF, PDFStatus
from tests.conftest import publish

pytestmark = pytest.mark.django_db

LAUNCH = datetime.date(2022, 3, 18)


@pytest.mark.parametrize(
    "date",
    [datetime.date(1, 1, 1), LAUNCH - datetime.timedelta(days=1), datetime.date(9999, 12, 31)],
)
def test_an_impossible_date_is_refused_and_nothing_is_published(published, date):
    with pytest.raises(ValidationError) as refused:
        publish("1.1", on=date)
    assert "published_on" in refused.value.message_dict
    assert list(Edition.objects.values_list("number", flat=True)) == ["1.0"]


def test_the_first_edition_is_not_older_than_resolution_2370(draft):
    with pytest.raises(ValidationError, match="resolution 2370"):
        publish("1.0", on=datetime.date(2017, 8, 1))
    assert publish("1.0", on=datetime.date(2017, 8, 2)).number == "1.0"


def test_the_same_day_as_the_previous_edition_and_tomorrow_are_allowed(published):
    assert publish("1.1", on=LAUNCH).published_on == LAUNCH
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert publish("1.2", on=tomorrow).published_on == tomorrow


def test_the_publish_form_shows_the_date_error_beside_the_date(editor_client, published):
    response = editor_client.post(
        "/admin/modules/edition/add/",
        {"number": "1.1", "published_on": "0001-01-01", "change_summary_en": "Typo fixed."},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["published_on"]
    assert not Edition.objects.filter(number="1.1").exists()


# --- Correcting a date afterwards -----------------------------------------------------------


@pytest.fixture
def two_editions(published):
    return published, publish("1.1", on=datetime.date(2023, 5, 1))


def test_a_correction_changes_the_date_keeps_the_text_and_says_so(client, editor, two_editions):
    _first, second = two_editions
    fingerprint = second.text_fingerprint
    sections = list(second.sections.order_by("pk").values())
    EditionPDF.objects.filter(edition=second).update(status=PDFStatus.READY)
    correction = services.edition_correct_date(
        edition=second, published_on=datetime.date(2023, 6, 1),
        reason_en="Typed as May; the edition was launched in June.",
        reason_ru="Указан май; издание вышло в июне.", user=editor,
    )  # fmt: skip
    second.refresh_from_db()
    assert second.published_on == datetime.date(2023, 6, 1)
    assert second.text_fingerprint == fingerprint
    assert list(second.sections.order_by("pk").values()) == sections
    assert (correction.published_on_before, correction.corrected_by) == (
        datetime.date(2023, 5, 1), editor,
    )  # fmt: skip
    assert {pdf.status for pdf in second.pdfs.all()} == {PDFStatus.QUEUED}  # they print the date
    page = client.get("/en/editions/1.1/").text
    assert "changed from 1 May 2023 to 1 June 2023" in page and "launched in June" in page
    assert "Указан май" in client.get("/ru/editions/").text
    with pytest.raises(ValidationError):  # a correction is kept as it was made
        EditionCorrection.objects.all().update(reason_en="Rewritten")


@pytest.mark.parametrize(
    ("number", "date"),
    [("1.1", datetime.date(2022, 3, 1)), ("1.0", datetime.date(2023, 5, 2)),
     ("1.0", datetime.date(2017, 1, 1))],
)  # fmt: skip
def test_a_correction_must_fit_between_the_neighbouring_editions(two_editions, number, date):
    edition = Edition.objects.get(number=number)
    with pytest.raises(ValidationError):
        services.edition_correct_date(edition=edition, published_on=date, reason_en="Why.")
    assert not EditionCorrection.objects.exists()


def test_a_correction_needs_a_reason_and_a_new_date(two_editions):
    with pytest.raises(ValidationError, match="why"):
        services.edition_correct_date(
            edition=two_editions[1], published_on=datetime.date(2023, 6, 1), reason_en="  "
        )
    with pytest.raises(ValidationError, match="already the edition's date"):
        services.edition_correct_date(
            edition=two_editions[1], published_on=datetime.date(2023, 5, 1), reason_en="Why."
        )
    assert not EditionCorrection.objects.exists()


def test_the_only_edition_can_be_corrected_within_the_same_bounds(published):
    with pytest.raises(ValidationError, match="resolution 2370"):
        services.edition_correct_date(
            edition=published, published_on=datetime.date(2017, 1, 1), reason_en="Why."
        )
    for date in (datetime.date(2022, 3, 17), LAUNCH):
        services.edition_correct_date(edition=published, published_on=date, reason_en="Why.")
    assert [(c.published_on_before, c.published_on) for c in published.corrections.all()] == [
        (LAUNCH, datetime.date(2022, 3, 17)),
        (datetime.date(2022, 3, 17), LAUNCH),
    ]


def test_the_command_corrects_a_date_and_its_dry_run_changes_nothing(editor, two_editions):
    arguments = ["correct_edition_date", "1.1", "2023-06-01", "--reason", "Typo.",
                 "--user", "editor"]  # fmt: skip
    out = StringIO()
    call_command(*arguments, "--dry-run", stdout=out)
    assert "Would correct edition 1.1: 2023-05-01 -> 2023-06-01." in out.getvalue()
    assert not EditionCorrection.objects.exists()
    call_command(*arguments, stdout=StringIO())
    assert Edition.objects.get(number="1.1").published_on == datetime.date(2023, 6, 1)
    with pytest.raises(CommandError, match="not a staff account"):
        call_command("correct_edition_date", "1.1", "2023-06-02", "--reason", "x", "--user", "x")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command(*arguments[:2], "June", *arguments[3:])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers are PostgreSQL's")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE modules_edition SET published_on = '2023-06-02' WHERE number = '1.1'",
        "UPDATE modules_edition SET published_on = '2023-06-01', number = '9.9'",
        "UPDATE modules_editioncorrection SET reason_en = 'Rewritten'",
        "DELETE FROM modules_editioncorrection",
    ],
)
def test_the_database_lets_an_edition_date_change_only_with_its_correction(two_editions, sql):
    services.edition_correct_date(
        edition=two_editions[1], published_on=datetime.date(2023, 6, 1), reason_en="Typo."
    )
    with (
        pytest.raises(DatabaseError, match="cannot be changed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert Edition.objects.get(number="1.1").published_on == datetime.date(2023, 6, 1)
    assert EditionCorrection.objects.get().reason_en == "Typo."
