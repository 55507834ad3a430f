"""A consultation round's disposition report: every comment sent in it whose decision is
published, by module and section with States first, the counts and the charts, as a page and
as a workbook read back with openpyxl and LibreOffice, in both languages."""

import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from feedback import disposition, services
from feedback.models import Category, ConsultationRound, Feedback, Status, consented_level
from modules import services as content
from modules.models import Edition
from tests.conftest import publish
from tests.feedback.conftest import libreoffice_csv, make_feedback
from tests.feedback.test_rounds import close, open_round
from tests.modules.test_pdf import pdftotext

pytestmark = pytest.mark.django_db

URL = "/{lang}/feedback/rounds/{pk}/disposition/"
XLSX = "/{lang}/feedback/rounds/{pk}/disposition.xlsx"


def decide(item: Feedback, editor, status: str, *, response: str = "", change: bool = False):
    Feedback.objects.filter(pk=item.pk).update(
        response_en=response or f"Response to {item.reference}.",
        response_ru=f"Ответ на {item.reference}.",
    )
    services.feedback_set_status(feedback=item, status=status, user=editor, notify=False)
    if change:
        section = item.section
        content.section_update(section=section, body_en=f"Changed for {item.reference}.")
        services.feedback_mark_addressed(section=section, items=[item], user=editor)


@pytest.fixture
def round_with_comments(published, editor):
    """A round on edition 1.0 with six comments, decided and published with edition 1.1
    (but one, still under review), then closed: (round, {name: item})."""
    consultation = open_round(published)
    items = {
        "practitioner": make_feedback("salw-marking", email="p@example.org"),
        "state": make_feedback(
            "salw-marking",
            email="s@example.org",
            category=Category.STATE,
            country="KZ",
            name="Aigerim Sadykova",
            may_name=True,
            comment='=HYPERLINK("http://evil.example") <script>alert(1)</script>',
            proposed_wording="Add «metal inserts».",
        ),
        "tracing": make_feedback("salw-tracing", email="t@example.org"),
        "private": make_feedback(
            "salw-tracing",
            email="x@example.org",
            comment="Nightjar: keep this private.",
            publishable=False,
        ),
        "pending": make_feedback("salw-legislation", email="q@example.org"),
        "spam": make_feedback("salw-legislation", email="spam@example.org", comment="Buy now"),
    }
    Feedback.objects.filter(pk__in=[i.pk for i in items.values()]).update(round=consultation)
    for name, paragraph in (("practitioner", 2), ("state", 3)):
        Feedback.objects.filter(pk=items[name].pk).update(paragraph=paragraph)
    decide(items["state"], editor, Status.ACCEPTED, change=True)
    decide(items["practitioner"], editor, Status.NOT_ACCEPTED)
    decide(items["tracing"], editor, Status.OUT_OF_SCOPE)
    decide(items["private"], editor, Status.NOT_ACCEPTED)
    services.feedback_set_status(feedback=items["spam"], status=Status.SPAM, user=editor)
    publish("1.1")
    services.feedback_set_status(
        feedback=items["pending"], status=Status.UNDER_REVIEW, user=editor, notify=False
    )
    Feedback.objects.filter(pk=items["tracing"].pk).update(late=True)
    close(consultation)
    for item in items.values():
        item.refresh_from_db()
    return consultation, items


def test_the_report_lists_published_decisions_by_section_with_states_first(
    client, round_with_comments
):
    consultation, items = round_with_comments
    page = client.get(URL.format(lang="en", pk=consultation.pk))
    assert page.status_code == 200
    text = page.content.decode()
    listed = [items[name].reference for name in ("state", "practitioner", "tracing")]
    positions = [text.index(f'id="{reference}"') for reference in listed]
    # Marking before tracing (the text's order); within marking, the State first.
    assert positions == sorted(positions)
    # Counted but never shown: the private comment, and the one not yet decided.
    assert items["private"].reference not in text and "Nightjar" not in text
    assert items["pending"].reference not in text and "Buy now" not in text
    report = page.context["report"]
    assert (report.counted, report.listed, report.unlisted, report.awaiting, report.late) == (
        5,
        3,
        1,
        1,
        1,
    )
    # The State is named (it agreed to be); the change and the paragraph read are linked.
    assert "Aigerim Sadykova" in text
    assert "/en/editions/1.0/compare/1.1/sections/salw-marking/" in text
    assert "/en/editions/1.0/modules/salw/salw-marking/#p3" in text
    assert "Add «metal inserts»." in text
    # A comment is text, never markup.
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)" in text


def test_the_charts_count_every_comment_by_module_category_and_decision(round_with_comments):
    consultation, _items = round_with_comments
    report = disposition.round_disposition(consultation, list(Edition.objects.published()))
    (salw,) = report.by_module.bars
    assert salw.counts == {
        "incorporated": 1, "accepted": 0, "not_accepted": 2, "out_of_scope": 1,
        "duplicate": 0, "awaiting": 1,
    }  # fmt: skip
    # The longest bar fills the width; each segment is its share of it, one after another.
    assert [(key, x, width) for key, x, width, _n in salw.segments] == [
        ("incorporated", 0.0, 20.0), ("not_accepted", 20.0, 40.0),
        ("out_of_scope", 60.0, 20.0), ("awaiting", 80.0, 20.0),
    ]  # fmt: skip
    categories = {bar.label: bar.total for bar in report.by_category.bars}
    assert categories == {"Member State official": 1, "Practitioner": 4}


def test_the_report_in_russian_names_decisions_and_modules_in_russian(client, round_with_comments):
    consultation, items = round_with_comments
    text = client.get(URL.format(lang="ru", pk=consultation.pk)).content.decode()
    assert "Ответ на " + items["state"].reference in text
    assert "/ru/editions/1.0/compare/1.1/sections/salw-marking/" in text
    for english in ("Decision not yet published", "Comments by module", "Not accepted"):
        assert english not in text


def _workbook(client, consultation, lang: str) -> tuple[bytes, openpyxl.Workbook]:
    response = client.get(XLSX.format(lang=lang, pk=consultation.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"round-{consultation.pk}_disposition_{lang}.xlsx" in response["Content-Disposition"]
    return response.content, openpyxl.load_workbook(io.BytesIO(response.content))


def test_the_workbook_has_the_iso_columns_and_keeps_formulas_as_text(client, round_with_comments):
    consultation, items = round_with_comments
    _content, book = _workbook(client, consultation, "en")
    assert book.sheetnames == ["Comments", "Summary"]
    rows = list(book["Comments"].iter_rows(values_only=True))
    assert rows[0][:5] == ("Reference", "Module", "Section", "Paragraph", "Type")
    by_reference = {row[0]: row for row in rows[1:]}
    assert set(by_reference) == {items[n].reference for n in ("state", "practitioner", "tracing")}
    state = by_reference[items["state"].reference]
    assert state[3] == 3 and state[5] == "Aigerim Sadykova"
    assert state[6].startswith("=HYPERLINK(")  # the contributor's words, as text
    assert state[11].endswith("/en/editions/1.0/compare/1.1/sections/salw-marking/")
    assert by_reference[items["tracing"].reference][12] == "yes"
    for cell in book["Comments"]["G"]:
        assert cell.data_type == "s"
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row}
    assert summary["Comments received"] == 5 and summary["Decision not yet published"] == 1
    assert "Nightjar" not in str(list(book["Summary"].values))


def test_the_russian_workbook_is_in_russian(client, round_with_comments):
    consultation, _items = round_with_comments
    _content, book = _workbook(client, consultation, "ru")
    assert book.sheetnames == ["Комментарии", "Сводка"]
    header = next(book["Комментарии"].iter_rows(values_only=True))
    assert header[0] == "Регистрационный номер" and all(
        not str(title).isascii() for title in header
    )
    assert book.properties.language == "ru"


def test_libreoffice_opens_the_workbook_and_reads_a_formula_as_text(
    client, round_with_comments, tmp_path: Path
):
    consultation, items = round_with_comments
    content, _book = _workbook(client, consultation, "ru")
    source = tmp_path / "report.xlsx"
    source.write_bytes(content)
    rows = libreoffice_csv(source)
    assert rows[0][0] == "Регистрационный номер"
    state = next(row for row in rows if row[0] == items["state"].reference)
    assert state[6].startswith('=HYPERLINK("http://evil.example")')


def test_an_unknown_round_is_a_404_and_an_upcoming_one_has_an_empty_report(client, published):
    assert client.get(URL.format(lang="ru", pk=999999)).status_code == 404
    assert client.get(XLSX.format(lang="en", pk=999999)).status_code == 404
    upcoming = open_round(published, opens=datetime.timedelta(days=3))
    page = client.get(URL.format(lang="en", pk=upcoming.pk))
    assert page.status_code == 200 and "No comment has been sent in this round yet." in page.text


def test_the_round_pages_link_to_their_report(client, round_with_comments):
    consultation, _items = round_with_comments
    report = URL.format(lang="en", pk=consultation.pk)
    assert report in client.get(f"/en/feedback/rounds/{consultation.pk}/").text
    assert report in client.get("/en/feedback/rounds/").text


def test_asking_too_often_gets_a_clear_page_in_the_readers_language(
    client, round_with_comments, settings
):
    consultation, _items = round_with_comments
    settings.SEARCH_RATE_LIMIT = 2
    for _ in range(2):
        assert client.get(URL.format(lang="ru", pk=consultation.pk)).status_code == 200
    refused = client.get(XLSX.format(lang="ru", pk=consultation.pk))
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "Пожалуйста, подождите минуту" in refused.content.decode()


def _many(consultation: ConsultationRound, count: int) -> None:
    """``count`` comments in the round, decided and published with the current edition."""
    edition = Edition.objects.current()
    template = Feedback.objects.filter(round=consultation).first()
    statuses = [Status.NOT_ACCEPTED, Status.OUT_OF_SCOPE, Status.RECEIVED, Status.ACCEPTED]
    Feedback.objects.bulk_create(
        Feedback(
            reference=f"FB-T-{n:05d}", edition=template.edition, language="en",
            module=template.module, section=template.section, section_key=template.section_key,
            section_number=template.section_number, paragraph=n % 7 or None, kind="technical",
            comment=f"Comment {n}.", category=list(Category)[n % 6], country="NO",
            received_on=timezone.localdate(), status=statuses[n % 4], round=consultation,
            responded_in=None if n % 4 == 2 else edition, publishable=n % 5 != 0,
            confidentiality=consented_level(publishable=n % 5 != 0, may_name=False),
            response_en=f"Response {n}.",
        )
        for n in range(count)
    )  # fmt: skip


def test_the_report_reads_a_fixed_number_of_queries_whatever_its_size(client, round_with_comments):
    consultation, _items = round_with_comments
    url = URL.format(lang="en", pk=consultation.pk)
    client.get(url)  # the navigation kept per process
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _many(consultation, 1000)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.context["report"].counted == 1005
    assert len(many) == len(few) == 6, "\n".join(q["sql"][:150] for q in many)


def test_five_thousand_comments_read_in_a_fixed_number_of_queries(round_with_comments):
    consultation, _items = round_with_comments
    _many(consultation, 5000)
    editions = list(Edition.objects.published())
    with CaptureQueriesContext(connection) as queries:
        report = disposition.round_disposition(consultation, editions)
        rows = report.rows
    assert report.counted == 5005 and len(rows) == 3 + 3000
    assert len(queries) == 3


# --- The PDF -------------------------------------------------------------------------------

PDF = "/{lang}/feedback/rounds/{pk}/disposition.pdf"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _queued() -> list:
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.filter(task_path__endswith="build_round_report_pdf"))


def _build(consultation, lang: str) -> None:
    from feedback.tasks import build_round_report_pdf

    build_round_report_pdf.call(consultation.pk, lang)


def test_the_pdf_is_prepared_by_the_worker_then_served_as_a_file(
    client, round_with_comments, media, tmp_path, django_capture_on_commit_callbacks
):
    consultation, items = round_with_comments
    url = PDF.format(lang="ru", pk=consultation.pk)
    with django_capture_on_commit_callbacks(execute=True):
        pending = client.get(url)
        again = client.get(url)  # asked again while it is queued: queued once
    assert pending.status_code == again.status_code == 202 and pending["Retry-After"]
    assert "no-store" in pending["Cache-Control"]
    assert "PDF этого отчёта готовится" in pending.content.decode()
    assert len(_queued()) == 1
    _build(consultation, "ru")
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert f"round-{consultation.pk}_disposition_ru.pdf" in served["Content-Disposition"]
    content = b"".join(served.streaming_content)
    text = pdftotext(content, tmp_path)
    for name in ("state", "practitioner", "tracing"):
        assert items[name].reference in text
    assert items["private"].reference not in text and "Nightjar" not in text
    assert "Рассмотрение комментариев" in text and "Ответ на " in text
    assert "/ru/editions/1.0/compare/1.1/sections/salw-marking/" in text.replace("\n", "")


def test_a_newer_state_of_the_report_gets_a_new_pdf_and_the_old_one_goes(
    client, round_with_comments, media, editor
):
    consultation, items = round_with_comments
    _build(consultation, "en")
    url = PDF.format(lang="en", pk=consultation.pk)
    assert client.get(url).status_code == 200
    before = sorted(p.name for p in (media / "reports").iterdir())
    # The pending comment is decided and its decision published with the next edition.
    decide(items["pending"], editor, Status.NOT_ACCEPTED)
    publish("1.2")
    assert client.get(url).status_code == 202
    _build(consultation, "en")
    assert client.get(url).status_code == 200
    after = sorted(p.name for p in (media / "reports").iterdir())
    assert len(before) == len(after) == 1 and before != after


def test_pdfua_finds_no_error_in_the_reports_pdf(round_with_comments, media, tmp_path):
    from feedback import report_pdf
    from tests.modules.test_pdf_print_quality import _pdfua

    consultation, _items = round_with_comments
    paths = []
    for lang in ("en", "ru"):
        with translation.override(lang):
            report = disposition.round_disposition(consultation, list(Edition.objects.published()))
            paths.append(tmp_path / f"report-{lang}.pdf")
            paths[-1].write_bytes(report_pdf.render(report, lang))
    for result in _pdfua(paths):
        assert (result["summary"]["errors"], result["summary"]["warnings"]) == (0, 0), result


def test_a_slower_build_of_an_earlier_state_never_removes_the_current_pdf(
    client, round_with_comments, media, editor
):
    from feedback import report_pdf

    _consultation, items = round_with_comments
    consultation = disposition.round_with_edition(_consultation.pk)  # as stored (closed)
    editions = list(Edition.objects.published())
    earlier = disposition.round_disposition(consultation, editions)
    decide(items["pending"], editor, Status.NOT_ACCEPTED)
    publish("1.2")
    _build(consultation, "en")  # the current state, built first
    # The earlier state's build finishes last: its file is written, the current one stays.
    report_pdf.build(earlier, "en")
    current = report_pdf.file_name(
        disposition.round_disposition(consultation, list(Edition.objects.published())), "en"
    )
    report_pdf.forget_others(consultation.pk, "en", current)
    assert [p.name for p in (media / "reports").iterdir()] == [current.split("/")[-1]]
    assert client.get(PDF.format(lang="en", pk=consultation.pk)).status_code == 200


def test_the_report_page_is_sent_compressed_to_clients_that_accept_it(client, round_with_comments):
    import gzip

    consultation, items = round_with_comments
    url = URL.format(lang="en", pk=consultation.pk)
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]
    assert items["state"].reference in gzip.decompress(response.content).decode()
    assert "Content-Encoding" not in client.get(url)
