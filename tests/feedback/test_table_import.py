"""Filled comment tables coming back: the kit's workbook (or a CSV in its columns) filled in as a
workshop rapporteur would, uploaded, previewed row by row, and recorded only on confirmation,
all at once. Files are made with openpyxl and converted by LibreOffice, as the people filling
them in would make them."""

import datetime
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from feedback import services, table_import
from feedback.models import (
    Category,
    CommentTable,
    EventKind,
    Feedback,
    FeedbackEvent,
    Source,
    Workshop,
)
from modules import services as content
from modules.models import Edition, Section
from tests.conftest import publish
from tests.feedback.conftest import libreoffice_csv

pytestmark = pytest.mark.django_db
UPLOAD = reverse("admin:feedback_feedback_table_upload")
BODY = (
    "Each firearm is marked at manufacture.\n\n"
    "Polymer frames carry a metal plate with the serial number.\n\n"
    "Imported firearms are marked again."
)
KENYA = [
    "Kenya",
    "B.1.2 ¶2",
    "Technical",
    "Polymer frames need a deeper mark.",
    "Mark 0.2 mm deep.",
]
INTERPOL = ["INTERPOL", "B.2", "Editorial", "Say “tracing request”.", ""]
WHOLE = ["", "", "", "A glossary of marking terms would help.", ""]


@pytest.fixture
def edition(draft):
    marking = Section.objects.get(key="salw-marking")
    content.section_update(section=marking, body_en=BODY, body_ru="Раз.\n\nДва.\n\nТри.")
    return publish("1.0")


@pytest.fixture
def workshop(edition):
    return Workshop.objects.create(
        slug="europe-2022", title_en="Regional workshop for Europe", region_en="Europe",
        starts_on=datetime.date(2022, 4, 5), ends_on=datetime.date(2022, 4, 6),
        place_en="Vienna", organisers_en="UNOCT", edition=edition,
    )  # fmt: skip


def kit(client, language: str = "en", number: str = "1.0") -> bytes:
    response = client.get(f"/{language}/feedback/editions/{number}/comment-table.xlsx")
    assert response.status_code == 200
    return response.content


def fill(workbook: bytes, rows: list[list], *, first: int = 2) -> bytes:
    """The kit's workbook with ``rows`` typed into its comment sheet, as a rapporteur would."""
    book = load_workbook(io.BytesIO(workbook))
    sheet = book.worksheets[0]
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=first + offset, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes, name: str = "europe-2022.xlsx", **fields):
    form = {
        "source": Source.WORKSHOP,
        "workshop": str(Workshop.objects.get().pk) if Workshop.objects.exists() else "",
        "source_detail": "",
        "received_on": "2022-04-06",
        "publishable": "on",
        "edition": "",
        **fields,
    }
    return client.post(UPLOAD, {**form, "file": SimpleUploadedFile(name, data)})


def preview_of(response) -> CommentTable:
    errors = re.findall(r'class="errorlist"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    assert response.status_code == 302, errors
    table = CommentTable.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert response["Location"] == reverse("admin:feedback_feedback_table", args=[table.pk])
    return table


def page(client, table: CommentTable, language: str = "en") -> str:
    response = client.get(
        reverse("admin:feedback_feedback_table", args=[table.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response.content.decode()


def test_a_filled_kit_is_previewed_then_recorded_all_at_once(editor_client, editor, workshop):
    data = fill(kit(editor_client), [KENYA, INTERPOL, WHOLE])
    table = preview_of(upload(editor_client, data))
    assert table.edition.number == "1.0" and table.language == "en"
    text = page(editor_client, table)
    assert "3 rows read." in text and "3 will be recorded" in text
    assert "B.1.2 ¶2" in text and "Say “tracing request”." in text
    assert Feedback.objects.count() == 0  # nothing before the editor confirms

    response = editor_client.post(reverse("admin:feedback_feedback_table", args=[table.pk]))
    assert response.status_code == 302
    items = list(Feedback.objects.order_by("pk"))
    assert len(items) == 3
    kenya, interpol, whole = items
    marking = Section.objects.get(key="salw-marking")
    assert (kenya.section, kenya.section_key, kenya.section_number, kenya.paragraph) == (
        marking, "salw-marking", "B.1.2", 2,
    )  # fmt: skip
    assert (kenya.country.code, kenya.category, kenya.organisation) == ("KE", Category.STATE, "")
    assert (kenya.kind, kenya.proposed_wording) == ("technical", "Mark 0.2 mm deep.")
    assert (interpol.organisation, interpol.category) == ("INTERPOL", Category.ORGANISATION)
    assert (interpol.section.key, interpol.paragraph) == ("salw-tracing", None)
    assert (whole.section, whole.module, whole.kind) == (None, None, "general")
    for item in items:
        assert item.edition == Edition.objects.get(number="1.0") and item.language == "en"
        assert (item.source, item.workshop, item.comment_table) == (
            Source.WORKSHOP,
            workshop,
            table,
        )
        assert item.reference == f"FB-2022-{item.pk:04d}"
        assert item.received_on == datetime.date(2022, 4, 6) and item.status == "received"
        assert item.confidentiality == "anonymous"  # published without names, as chosen
    event = FeedbackEvent.objects.get(feedback=kenya)
    assert (event.kind, event.actor) == (EventKind.SUBMITTED, editor)
    assert "europe-2022.xlsx" in event.text and "row 2" in event.text
    table.refresh_from_db()
    assert table.confirmed_at is not None and table.rows == []
    recorded = page(editor_client, table)
    assert "Recorded on" in recorded and kenya.reference in recorded
    # On the triage desk, filtered to the table, linked to its paragraph and workshop.
    desk = editor_client.get(reverse("admin:feedback_feedback_triage") + f"?table={table.pk}")
    assert desk.status_code == 200 and kenya.reference in desk.content.decode()
    assert set(workshop.items.all()) == set(items)  # its public page reports on them


def test_each_row_in_error_says_why_and_nothing_is_written(editor_client, workshop):
    rows = [
        KENYA,
        ["Norway", "B.1.3 ¶2", "Technical", "Unknown paragraph, close to one.", ""],
        ["Norway", "B.1.2 ¶9", "Technical", "Beyond the last paragraph.", ""],
        ["Norway", "B.1.2 ¶1", "Technical", "", "Only a proposed change."],
        ["Norway", "B.1.2 ¶1", "Important", "Unknown type.", ""],
        ["Norway", "B.1.2 ¶1", "Technical", '=HYPERLINK("http://evil.example")', ""],
        ["Norway", datetime.date(2026, 5, 4), "General", "Spreadsheet made it a date.", ""],
        ["Norway", "B.1.2 ¶1", "General", "x" * 5001, ""],
        ["<script>alert(1)</script>", "B.1.2 ¶1", "General", "<img src=x onerror=alert(1)>", ""],
    ]
    table = preview_of(upload(editor_client, fill(kit(editor_client), rows)))
    text = page(editor_client, table)
    assert "7 rows have errors." in text
    assert "There is no paragraph “B.1.3 ¶2” in edition 1.0. Did you mean “B.1.2 ¶2”?" in text
    assert "Section B.1.2 has 3 paragraphs in edition 1.0: there is no ¶9." in text
    assert "The comment is empty." in text
    assert "Unknown type “Important”: write general, technical or editorial." in text
    assert "“Comment” holds a formula: type or paste its value as plain text." in text
    assert "“Paragraph” holds a date (2026-05-04)" in text
    assert "“Comment” is 5\u00a0001 characters long; at most 5\u00a0000 are kept." in text
    # Hostile text is text: shown escaped, and it is a valid row.
    assert (
        "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    )
    assert "Record the comments" not in text and "Upload the corrected file" in text
    response = editor_client.post(reverse("admin:feedback_feedback_table", args=[table.pk]))
    assert response.status_code == 200
    assert Feedback.objects.count() == 0
    assert "7 rows have errors: correct the file and upload it again." in (
        response.content.decode()
    )


def test_the_preview_speaks_the_editor_s_language(client, editor, workshop):
    client.force_login(editor)
    data = fill(kit(client, "ru"), [["Кения", "B.1.2 ¶7", "Технический", "Замечание.", ""]])
    response = client.post(
        "/admin/feedback/feedback/tables/upload/",
        {
            "source": Source.WORKSHOP, "workshop": str(workshop.pk), "received_on": "2022-04-06",
            "publishable": "on", "file": SimpleUploadedFile("таблица.xlsx", data),
        },
        HTTP_ACCEPT_LANGUAGE="ru",
    )  # fmt: skip
    table = preview_of(response)
    assert table.language == "ru"
    text = page(client, table, "ru")
    assert "В разделе B.1.2 в издании 1.0 абзацев: 3; абзаца ¶7 нет." in text
    assert "Кения" in text


def test_the_same_file_twice_creates_nothing_new(editor_client, workshop):
    data = fill(kit(editor_client), [KENYA, INTERPOL])
    table = preview_of(upload(editor_client, data))
    editor_client.post(reverse("admin:feedback_feedback_table", args=[table.pk]))
    assert Feedback.objects.count() == 2
    response = upload(editor_client, data)
    assert response["Location"] == reverse("admin:feedback_feedback_table", args=[table.pk])
    followed = editor_client.get(response["Location"]).content.decode()
    assert "nothing new was created" in followed and "(2 items)" in followed
    assert CommentTable.objects.count() == 1 and Feedback.objects.count() == 2


def test_a_second_click_on_confirm_records_nothing_twice(editor_client, editor, workshop):
    table = preview_of(upload(editor_client, fill(kit(editor_client), [KENYA, INTERPOL])))
    assert services.comment_table_confirm(table=table, user=editor) == 2
    assert services.comment_table_confirm(table=table, user=editor) == 0
    assert Feedback.objects.count() == 2


def test_rows_already_recorded_from_another_file_are_left_out(editor_client, workshop):
    first = preview_of(upload(editor_client, fill(kit(editor_client), [KENYA])))
    editor_client.post(reverse("admin:feedback_feedback_table", args=[first.pk]))
    reference = Feedback.objects.get().reference
    second = preview_of(
        upload(editor_client, fill(kit(editor_client), [KENYA, INTERPOL, INTERPOL]), "v2.xlsx")
    )
    text = page(editor_client, second)
    assert f"Already recorded as {reference}." in text and "The same comment as row 3." in text
    editor_client.post(reverse("admin:feedback_feedback_table", args=[second.pk]))
    assert Feedback.objects.count() == 2


def test_a_russian_csv_with_renamed_and_reordered_columns(editor_client, workshop):
    """Russian Excel writes CSV in windows-1251 with semicolons; columns are found by header."""
    text = (
        "Замечание;Тип замечания;Пункт;Государство\r\n"
        '"Нужна глубина маркировки;\r\nне менее 0,2 мм.";Технический;B.1.2 ¶3;Казахстан\r\n'
    )
    data = text.encode("cp1251")
    response = upload(editor_client, data, "kz.csv")
    assert response.status_code == 200
    assert "The file does not say which edition it was made for" in response.content.decode()
    table = preview_of(upload(editor_client, data, "kz.csv", edition=str(Edition.objects.get().pk)))
    assert table.language == "ru"
    editor_client.post(reverse("admin:feedback_feedback_table", args=[table.pk]))
    item = Feedback.objects.get()
    assert item.comment == "Нужна глубина маркировки;\nне менее 0,2 мм."
    assert (item.paragraph, item.country.code, item.kind) == (3, "KZ", "technical")


def test_a_person_column_names_who_spoke_and_control_characters_are_dropped(
    editor_client, workshop
):
    """ISO's template has no column for the person; rapporteurs often add one ("Name")."""
    text = (
        "Paragraph,Comment,State or organisation,Name\r\n"
        'B.1.2 ¶1,"Mark\x07 deeper.\u202e",Kenya,Dr Achieng Otieno\r\n'
        "B.1.2 ¶1,Mark deeper.,Kenya,Mr Kamau\r\n"
    )
    table = preview_of(
        upload(editor_client, text.encode(), "k.csv", edition=str(Edition.objects.get().pk))
    )
    assert "Dr Achieng Otieno" in page(editor_client, table)
    editor_client.post(reverse("admin:feedback_feedback_table", args=[table.pk]))
    items = Feedback.objects.order_by("pk")
    # Two people making the same comment are two comments.
    assert [(i.name, i.country.code, i.comment) for i in items] == [
        ("Dr Achieng Otieno", "KE", "Mark deeper."), ("Mr Kamau", "KE", "Mark deeper."),
    ]  # fmt: skip
    assert items[0].confidentiality == "anonymous"  # named in public only with consent


def test_a_table_converted_by_libreoffice_to_csv_reads_the_same(editor_client, workshop, tmp_path):
    path = Path(tmp_path) / "filled.xlsx"
    path.write_bytes(fill(kit(editor_client), [KENYA, INTERPOL]))
    libreoffice_csv(path)  # as a rapporteur's spreadsheet program saves it
    data = path.with_suffix(".csv").read_bytes()
    table = preview_of(
        upload(editor_client, data, "filled.csv", edition=str(Edition.objects.get().pk))
    )
    editor_client.post(reverse("admin:feedback_feedback_table", args=[table.pk]))
    assert sorted(Feedback.objects.values_list("section_key", "paragraph")) == [
        ("salw-marking", 2), ("salw-tracing", None),
    ]  # fmt: skip


def test_merged_cells_and_rows_for_another_edition_are_errors(editor_client, workshop):
    book = load_workbook(io.BytesIO(fill(kit(editor_client), [KENYA, INTERPOL])))
    sheet = book.worksheets[0]
    sheet.merge_cells("D2:D3")
    sheet["G1"] = "Edition"
    sheet["G4"], sheet["D4"], sheet["B4"] = "0.9", "Old comment.", "B.2"
    out = io.BytesIO()
    book.save(out)
    text = page(editor_client, preview_of(upload(editor_client, out.getvalue())))
    assert "Cells D2:D3 are merged: unmerge them" in text
    assert "This row is about edition 0.9, and the table is for edition 1.0" in text
    assert Feedback.objects.count() == 0


def test_a_table_for_an_older_edition_follows_its_sections_into_the_draft(editor_client, workshop):
    old_kit = kit(editor_client)
    marking = Section.objects.get(key="salw-marking")
    content.section_update(section=marking, body_en=BODY + "\n\nA fourth paragraph.")
    publish("1.1")
    table = preview_of(upload(editor_client, fill(old_kit, [KENYA])))
    assert table.edition.number == "1.0"
    editor_client.post(reverse("admin:feedback_feedback_table", args=[table.pk]))
    item = Feedback.objects.get()
    assert (item.edition.number, item.section, item.paragraph) == ("1.0", marking, 2)
    # Naming the other edition contradicts the file: refused, with the reason.
    response = upload(editor_client, old_kit, edition=str(Edition.objects.get(number="1.1").pk))
    assert "The table was made for edition 1.0, not 1.1" in response.content.decode()


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "The file is not a spreadsheet"),
        (b"just a line of text\nand another", "No header row was found"),
        (b"Comment,Type\nSomething,General\n", "The table has no column headed “Paragraph”"),
        (b"Paragraph,Comment,Comment\nB.2,a,b\n", "Two columns are headed “Comment”"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
         "protected with a password"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old Excel 97–2003 format"),
        (_zip({"[Content_Types].xml": b"macroEnabled", "xl/workbook.xml": b"<x/>",
               "xl/vbaProject.bin": b"\x00"}), "contains macros"),
        (_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
         "OpenDocument spreadsheet"),
        (_zip({"word/document.xml": b"<w/>"}), "The file is not a spreadsheet"),
        (_zip({"[Content_Types].xml": b"", "xl/workbook.xml": b"not xml"}), "damaged"),
        (b"Paragraph,Comment\n" + b"B.2,x\n" * (table_import.MAX_ROWS + 1), "more than 5"),
        (b"x" * (table_import.MAX_FILE_BYTES + 1), "larger than 2 MB"),
    ],
)  # fmt: skip
def test_files_that_are_not_comment_tables_are_refused_with_the_reason(
    editor_client, workshop, data, message
):
    response = upload(editor_client, data, "table.xlsx", edition=str(Edition.objects.get().pk))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert CommentTable.objects.count() == 0 and Feedback.objects.count() == 0


def test_ten_megabytes_are_refused_before_they_are_read(editor_client, workshop):
    response = upload(editor_client, b"Paragraph,Comment\n" + b"B.2,x\n" * 2_000_000)
    assert response.status_code == 413
    assert "The file is too large" in response.content.decode()
    assert CommentTable.objects.count() == 0


def test_hand_edited_document_properties_are_refused_or_ignored(editor_client, workshop):
    from openpyxl.packaging.custom import StringProperty

    for name, value, expected in [
        ("guidelines-module", "<script>x</script>", 302),
        ("guidelines-language", "de", 302),
        ("guidelines-edition", "9.9", "which is not a published edition"),
    ]:
        book = load_workbook(io.BytesIO(fill(kit(editor_client), [KENYA])))
        book.custom_doc_props.props = [p for p in book.custom_doc_props.props if p.name != name] + [
            StringProperty(name=name, value=value)
        ]
        out = io.BytesIO()
        book.save(out)
        response = upload(editor_client, out.getvalue(), f"{name}.xlsx")
        if expected == 302:
            table = preview_of(response)
            assert (table.module_slug, table.language) == ("", "en")
        else:
            assert expected in response.content.decode()


def test_a_workbook_missing_a_column_says_which_on_its_own_sheet(editor_client, workshop):
    book = load_workbook(io.BytesIO(kit(editor_client)))
    book.worksheets[0]["D1"] = "Remarks"  # "Comment" renamed to something unknown
    out = io.BytesIO()
    book.save(out)
    response = upload(editor_client, out.getvalue())
    assert "The table has no column headed “Comment”." in response.content.decode()


def test_the_upload_form_refuses_contradictory_details(editor_client, workshop):
    data = fill(kit(editor_client), [KENYA])
    response = upload(editor_client, data, source=Source.LETTER)
    assert "A table from a workshop has “Workshop or meeting” as its source." in (
        response.content.decode()
    )
    response = upload(editor_client, data, received_on="2999-01-01")
    assert "The table cannot have been received in the future." in response.content.decode()
    response = upload(editor_client, data, workshop="", source=Source.LETTER,
                      source_detail="Note verbale of 3 May")  # fmt: skip
    assert response.status_code == 302
    assert CommentTable.objects.get().source == Source.LETTER


def test_an_unknown_or_forgotten_table_is_a_404(editor_client, workshop):
    url = reverse("admin:feedback_feedback_table", args=[987654])
    assert editor_client.get(url).status_code == 404
    assert editor_client.post(url).status_code == 404


def test_previews_and_confirmation_cost_a_fixed_number_of_queries(
    editor_client, editor, workshop, django_assert_max_num_queries
):
    """2,000 rows (the issue's figure): the preview and the write do not query per row."""
    many = [
        ["Kenya" if n % 2 else f"Organisation {n}", "B.1.2 ¶2" if n % 3 else "B.2", "General",
         f"Comment number {n}.", ""]
        for n in range(2000)
    ]  # fmt: skip
    table = preview_of(upload(editor_client, fill(kit(editor_client), many)))
    with django_assert_max_num_queries(12):
        text = page(editor_client, table)
    assert "2000 will be recorded" in text
    # Written in batches (SQLite takes 999 parameters a query: about 20 items an INSERT),
    # never a query per row.
    with django_assert_max_num_queries(len(many) // 10):
        services.comment_table_confirm(table=table, user=editor)
    assert Feedback.objects.filter(comment_table=table).count() == 2000
    assert FeedbackEvent.objects.filter(feedback__comment_table=table).count() == 2000
    assert len(set(Feedback.objects.values_list("reference", flat=True))) == 2000


def test_the_upload_form_speaks_russian_and_offers_today_as_a_date_input_takes_it(
    editor_client, workshop
):
    workshop.title_ru = "Семинар для Европы"
    workshop.save()
    response = editor_client.get(UPLOAD, HTTP_ACCEPT_LANGUAGE="ru")
    text = response.content.decode()
    assert "Таблица комментариев из комплекта для рассмотрения (.xlsx)" in text
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in text  # ISO, whatever the language
    assert "Семинар для Европы (2022-04-05)" in text


def test_the_upload_page_costs_a_fixed_number_of_queries(
    editor_client, workshop, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        assert editor_client.get(UPLOAD).status_code == 200
