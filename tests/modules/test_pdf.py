"""PDF editions: content read back from the files, background building, serving, faults."""

import re
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from modules import pdf_services
from modules.models import Edition, EditionPDF, PDFStatus
from modules.pdf import BlockedURL, SiteOnlyURLFetcher, pdf_filename, render_pdf
from tests.conftest import make_section, publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdftotext(content: bytes, tmp_path, *options: str) -> str:
    """The PDF's text as poppler's pdftotext extracts it (with ``options``)."""
    command = shutil.which("pdftotext")
    if command is None:
        pytest.fail("pdftotext is missing: apt-get install poppler-utils (make test does it)")
    path = tmp_path / "file.pdf"
    path.write_bytes(content)
    return subprocess.run(
        [command, *options, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _text(content: bytes, tmp_path) -> str:
    return pdftotext(content, tmp_path, "-layout")


@pytest.fixture
def edition(published, draft):
    """Edition 1.1 of the small draft, with a footnote and a table."""
    make_section(
        draft, "salw-records", title_en="Records", title_ru="Учёт",
        body_en="Keep records.[^1]\n\n| Item | Years |\n|---|---|\n| Register | 20 |\n\n[^1]: For twenty years.",
        body_ru="Ведите учёт.[^1]\n\n| Элемент | Лет |\n|---|---|\n| Реестр | 20 |\n\n[^1]: Двадцать лет.",
    )  # fmt: skip
    return publish("1.1")


def test_the_russian_pdf_has_a_cover_contents_with_page_numbers_bookmarks_and_metadata(
    edition, tmp_path
):
    rendered = render_pdf(edition=edition, language="ru")
    assert rendered.filename == "TG-2370_ed1.1_ru.pdf" and rendered.pages >= 4
    text = _text(rendered.content, tmp_path)
    cover = text.split("\f")[0]
    assert "Технические руководящие принципы" in cover and "1.1" in cover
    assert "Демонстрационное содержание" in cover
    assert edition.text_fingerprint in cover.replace("\n", "").replace(" ", "")
    contents = text.split("\f")[1]
    entry = next(line for line in contents.splitlines() if "Учёт" in line)
    page = int(re.search(r"(\d+)\s*$", entry).group(1))
    assert "Ведите учёт." in text.split("\f")[page - 1]  # the number is the real page
    assert "Двадцать лет." in text and "Реестр" in text
    reader = PdfReader(_path(tmp_path, rendered.content))
    titles = _outline_titles(reader.outline)
    assert any("Учёт" in t for t in titles) and any("Модуль SALW" in t for t in titles)
    assert reader.metadata.title.startswith("Технические руководящие принципы")
    assert "Издание 1.1" in reader.metadata.title
    assert reader.trailer["/Root"]["/Lang"] == "ru"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged (PDF/UA)
    assert "Издание 1.1 · Русский" in text and "Страница 2 из" in text


def test_a_module_pdf_in_english_holds_only_that_module(edition, draft, tmp_path):
    rendered = render_pdf(edition=edition, language="en", module_slug="salw")
    assert rendered.filename == "TG-2370_ed1.1_en_SALW.pdf"
    text = _text(rendered.content, tmp_path)
    assert "Keep records." in text and "Edition 1.1 · English" in text


def test_the_draft_pdf_is_marked_draft_on_every_page(edition, tmp_path):
    rendered = render_pdf(edition=None, language="en")
    assert rendered.filename == "TG-2370_draft_en.pdf"
    pages = _text(rendered.content, tmp_path).strip("\f").split("\f")
    assert all("DRAFT" in page for page in pages)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/style.css",
        "https://example.org/image.png",
        "https://pdf.invalid/static/../../settings.py",
        "https://pdf.invalid/static/css/../../../../etc/passwd",
        "ftp://example.org/x",
    ],
)
def test_the_fetcher_refuses_everything_but_the_sites_static_files(url):
    with pytest.raises(BlockedURL):
        SiteOnlyURLFetcher().fetch(url)


def test_the_fetcher_reads_static_files_and_data_uris():
    assert SiteOnlyURLFetcher().fetch("https://pdf.invalid/static/css/pdf.css").read()
    assert SiteOnlyURLFetcher().fetch("data:text/plain,hello").read() == b"hello"


def test_hostile_markup_in_a_text_cannot_make_the_pdf_read_files_or_the_network(
    edition, tmp_path, caplog, monkeypatch
):
    from modules import selectors

    sections = list(edition.sections.order_by("sort_key"))
    sections[-1].body_html_en = (
        '<p>x</p><img src="file:///etc/passwd"><link rel="stylesheet" '
        'href="http://127.0.0.1:9/evil.css"><img src="http://127.0.0.1:9/redirect">'
        '<p style="background: url(file:///etc/hostname)">y</p>'
    )
    # Published rows cannot be altered, so the hostile text is handed to the renderer.
    monkeypatch.setattr(selectors, "get_full_sections", lambda _edition: sections)
    rendered = render_pdf(edition=edition, language="en")
    assert b"root:x:" not in rendered.content
    assert "PDFs load only the site's own static files" in caplog.text


def test_publishing_queues_every_pdf_once(edition, django_capture_on_commit_callbacks):
    pdfs = EditionPDF.objects.filter(edition=edition)
    assert pdfs.count() == 4  # whole and one module, in two languages
    assert set(pdfs.values_list("status", flat=True)) == {PDFStatus.QUEUED}
    again = pdf_services.pdf_request(edition=edition, language="en")
    assert EditionPDF.objects.filter(edition=edition).count() == 4 and again.pk


def test_a_pdf_not_ready_yet_gets_a_page_that_refreshes_itself(client, edition):
    response = client.get("/ru/editions/1.1/pdf/")
    assert response.status_code == 202
    assert 'data-pdf-poll="/ru/editions/1.1/pdf/"' in response.text
    assert "no-store" in response["Cache-Control"]
    assert "готовится" in response.text


def test_a_ready_pdf_is_served_as_a_cacheable_file_with_its_name(client, edition):
    pdf = EditionPDF.objects.get(edition=edition, module_slug="salw", language="ru")
    pdf_services.pdf_build(pdf_id=pdf.pk)
    response = client.get("/ru/editions/1.1/modules/salw/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="TG-2370_ed1.1_ru_SALW.pdf"' in response["Content-Disposition"]
    assert "immutable" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_serving_a_ready_pdf_costs_a_few_queries(client, edition, django_assert_max_num_queries):
    pdf = EditionPDF.objects.get(edition=edition, module_slug="", language="en")
    pdf_services.pdf_build(pdf_id=pdf.pk)
    with django_assert_max_num_queries(3):
        assert client.get("/en/editions/1.1/pdf/").status_code == 200


@pytest.mark.parametrize(
    "url", ["/en/editions/9.9/pdf/", "/en/editions/1.1/modules/nope/pdf/", "/de/editions/1.1/pdf/"]
)
def test_unknown_edition_module_or_language_is_a_404(client, edition, url):
    assert client.get(url).status_code == 404


def test_a_failed_build_is_recorded_retried_and_shown_without_a_500(
    client, edition, monkeypatch, settings
):
    settings.PDF_MAX_ATTEMPTS = 2
    pdf = EditionPDF.objects.get(edition=edition, module_slug="", language="en")

    def broken(**kwargs):
        raise RuntimeError("fonts missing")

    monkeypatch.setattr("modules.pdf.render_pdf", broken)
    pdf_services.pdf_build(pdf_id=pdf.pk)
    pdf.refresh_from_db()
    assert pdf.status == PDFStatus.QUEUED and "fonts missing" in pdf.error  # retried
    pdf_services.pdf_build(pdf_id=pdf.pk)
    pdf.refresh_from_db()
    assert pdf.status == PDFStatus.FAILED and pdf.attempts == 2 and not pdf.file
    response = client.get("/en/editions/1.1/pdf/")
    assert response.status_code == 503 and "not available" in response.text


def test_the_workers_task_queues_a_failed_build_again_later(
    edition, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from modules.tasks import build_edition_pdf

    settings.PDF_MAX_ATTEMPTS = 3
    pdf = EditionPDF.objects.get(edition=edition, module_slug="", language="en")
    monkeypatch.setattr("modules.pdf.render_pdf", lambda **kwargs: 1 / 0)
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        build_edition_pdf.call(pdf.pk)
    [retry] = DBTaskResult.objects.all()
    assert retry.args_kwargs["args"] == [pdf.pk] and retry.run_after > timezone.now()
    pdf.refresh_from_db()
    assert (pdf.status, pdf.attempts) == (PDFStatus.QUEUED, 1)


def test_only_staff_with_access_to_the_draft_get_the_draft_pdf(
    client, edition, editor, translator, staff_without_permissions
):
    url = reverse("modules:preview_pdf")
    assert client.get(url).status_code == 302
    client.force_login(staff_without_permissions)
    assert client.get(url).status_code == 403
    for user in (editor, translator):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
        assert "private" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_the_operations_command_builds_an_edition(edition, capsys):
    call_command("build_edition_pdfs", "1.1", "--language", "en")
    assert set(
        EditionPDF.objects.filter(edition=edition, language="en").values_list("status", flat=True)
    ) == {PDFStatus.READY}
    assert "TG-2370_ed1.1_en_SALW.pdf" in capsys.readouterr().out


def test_a_dry_run_of_the_operations_command_queues_nothing(
    edition, capsys, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    EditionPDF.objects.filter(edition=edition).delete()
    queued = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("build_edition_pdfs", "1.1", "--dry-run")
    assert callbacks == [] and DBTaskResult.objects.count() == queued
    assert not EditionPDF.objects.filter(edition=edition).exists()
    assert "1.1 whole en: not requested yet" in capsys.readouterr().out


def test_the_edition_page_shows_the_same_fingerprint_as_the_pdf(client, edition):
    page = client.get("/en/editions/1.1/")
    assert edition.text_fingerprint in page.text and len(edition.text_fingerprint) == 64
    assert "/en/editions/1.1/pdf/" in page.text
    assert "/ru/editions/1.1/pdf/" in client.get("/en/editions/").text
    assert "/en/editions/1.1/modules/salw/pdf/" in client.get("/en/modules/salw/").text


def test_the_fingerprint_changes_only_with_the_text(published, draft):
    unchanged = publish("1.1")
    assert unchanged.text_fingerprint == Edition.objects.get(number="1.0").text_fingerprint


def test_file_names_carry_edition_language_and_module():
    assert pdf_filename("1.1", "ru", "SALW") == "TG-2370_ed1.1_ru_SALW.pdf"


def _path(tmp_path, content: bytes):
    path = tmp_path / "outline.pdf"
    path.write_bytes(content)
    return str(path)


def _outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        if isinstance(item, list):
            titles += _outline_titles(item)
        else:
            titles.append(item.title)
    return titles


@pytest.mark.django_db(transaction=True)
def test_the_worker_builds_what_publishing_queued(draft, client):
    """django-tasks' database backend and its real worker, as `make run` starts it."""
    publish("1.0")
    assert client.get("/en/editions/1.0/pdf/").status_code == 202
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    statuses = set(EditionPDF.objects.values_list("status", flat=True))
    assert statuses == {PDFStatus.READY}
    response = client.get("/en/editions/1.0/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


@pytest.fixture
def rq_backend(settings):
    """django-tasks' RQ backend on the local Redis (its own database), as on several hosts."""
    import django_rq
    import redis

    try:
        redis.Redis(db=13, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("*** Redis is not running on 127.0.0.1:6379: the RQ backend is not tested ***")
    settings.RQ_QUEUES = {
        name: {"URL": "redis://127.0.0.1:6379/13"} for name in settings.TASK_QUEUES
    }
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": settings.TASK_QUEUES}
    }
    queue = django_rq.get_queue("default")
    queue.connection.flushdb()
    yield queue
    queue.connection.flushdb()


@pytest.mark.parametrize(
    "name",
    ["modules.tasks", "modules.publication_tasks", "feedback.tasks", "alerts.tasks",
     "guidelines_portal.page_store.tasks"],
)  # fmt: skip
def test_every_task_module_loads_on_the_rq_backend(rq_backend, name):
    """django-tasks checks a task's priority against the backend as its module is imported:
    on RQ (no priorities) a module declaring one would not load, and nothing it queues runs."""
    import importlib
    import sys

    sys.modules.pop(name, None)
    try:
        module = importlib.import_module(name)
    finally:  # the site's own tasks, as loaded under the database backend, back in place
        sys.modules.pop(name, None)
        importlib.import_module(name)
    assert module


@pytest.mark.django_db(transaction=True)
def test_the_rq_worker_builds_what_publishing_queued(draft, client, rq_backend):
    from django_tasks_rq import Job
    from rq import SimpleWorker

    publish("1.0")
    queued = EditionPDF.objects.count()
    assert rq_backend.count == queued > 0
    health = client.get("/health/").json()["tasks"]
    assert health["status"] == "ok" and health["waiting"] == queued
    # In-process (a forked work horse would write to a copy of the in-memory test database).
    worker = SimpleWorker([rq_backend], connection=rq_backend.connection, job_class=Job)
    worker.work(burst=True)
    assert set(EditionPDF.objects.values_list("status", flat=True)) == {PDFStatus.READY}
    assert rq_backend.count == 0
    response = client.get("/en/editions/1.0/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


@pytest.fixture
def s3_storage(settings, tmp_path):
    """PDFs in a private bucket on an S3-compatible server on 127.0.0.1 (MEDIA_STORAGE=s3)."""
    import socket
    import sys
    import time
    from pathlib import Path

    import boto3

    moto = Path(sys.executable).parent / "moto_server"
    if not moto.exists():
        pytest.fail("moto_server is missing: install the dev requirements (make install)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [str(moto), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    options = {"endpoint_url": endpoint, "region_name": "eu-west-1",
               "access_key": "test", "secret_key": "test-secret"}  # fmt: skip
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="eu-west-1",
        aws_access_key_id="test", aws_secret_access_key="test-secret",
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while True:
        try:
            client.create_bucket(
                Bucket="guidelines",
                CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
            )
            break
        except Exception:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.2)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": "guidelines", "location": "media", "default_acl": None,
                        "file_overwrite": False, **options},
        },
    }  # fmt: skip
    yield client
    server.terminate()
    server.wait(timeout=10)


def test_pdfs_can_live_in_shared_s3_storage(edition, client, s3_storage):
    pdf = pdf_services.pdf_request(edition=edition, language="ru", module_slug="")
    pdf_services.pdf_build(pdf_id=pdf.pk)
    pdf.refresh_from_db()
    assert pdf.status == PDFStatus.READY
    stored = s3_storage.list_objects_v2(Bucket="guidelines")["Contents"]
    assert [o["Key"] for o in stored] == [f"media/{pdf.file.name}"]
    assert stored[0]["Size"] == pdf.size
    # Private: the bucket grants nobody but the portal's key.
    acl = s3_storage.get_object_acl(Bucket="guidelines", Key=stored[0]["Key"])
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]

    response = client.get(f"/ru/editions/{edition.number}/pdf/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF") and len(body) == pdf.size

    # Building again replaces the object; nothing is left behind.
    pdf_services.pdf_build(pdf_id=pdf.pk, force=True)
    pdf.refresh_from_db()
    keys = [o["Key"] for o in s3_storage.list_objects_v2(Bucket="guidelines")["Contents"]]
    assert keys == [f"media/{pdf.file.name}"]
