"""Published pages stored once and served like files: the same bytes for every reader,
pre-compressed, conditional, switched to a new edition at once, rebuilt when lost or
damaged, and never holding what only one reader may see."""

import datetime
import gzip
from pathlib import Path

import brotli
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from guidelines_portal.page_store import prepare
from guidelines_portal.page_store.store import release, store
from guidelines_portal.page_store.tasks import prepare_pages
from modules import services
from modules.models import Edition, Module, Section
from tests.conftest import make_section, publish

SECTION = "/en/modules/salw/salw-marking/"


@pytest.fixture
def stored(settings, tmp_path):
    """The store on, in a folder of this test's own, nothing in memory."""
    settings.PAGE_STORE = True
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PAGE_STORE_RELEASE = "test-release"
    # Pages are prepared with requests to the public address, as in production.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "guidelines.test"]
    release.cache_clear()  # an earlier test's pages or searches may have named the real one
    store.forget()
    yield tmp_path
    store.forget()
    release.cache_clear()


def page_files(root: Path) -> list[Path]:
    return sorted(root.glob("pages/*/test-release/*/*.page"))


@pytest.mark.django_db
def test_a_page_is_rendered_once_then_sent_from_the_store(
    published, stored, client, django_assert_num_queries
):
    first = client.get(SECTION)
    assert first.status_code == 200
    assert len(page_files(stored)) == 1
    with django_assert_num_queries(0):
        again = client.get(SECTION)
    assert again.status_code == 200
    assert again.content == first.content
    assert b"Marking" in again.content
    assert again["Cache-Control"] == "public, max-age=60"
    assert again["Vary"] == "Accept-Encoding"
    assert again["Content-Language"] == "en"
    assert again["X-Frame-Options"] == "DENY"
    assert again["ETag"] and again["Last-Modified"]
    assert "Set-Cookie" not in again and not again.cookies


@pytest.mark.django_db
def test_pages_are_sent_pre_compressed_as_the_client_accepts(published, stored, client):
    plain = client.get(SECTION).content
    br = client.get(SECTION, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert br["Content-Encoding"] == "br"
    assert brotli.decompress(br.content) == plain
    assert int(br["Content-Length"]) == len(br.content) < len(plain) / 2
    gz = client.get(SECTION, HTTP_ACCEPT_ENCODING="gzip")
    assert gz["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.content) == plain
    refused = client.get(SECTION, HTTP_ACCEPT_ENCODING="br;q=0, gzip;q=0")
    assert "Content-Encoding" not in refused and refused.content == plain
    # Each encoding has its own entity tag; any of them matches the page.
    assert len({br["ETag"], gz["ETag"], refused["ETag"]}) == 3


@pytest.mark.django_db
def test_conditional_requests_get_304(published, stored, client):
    page = client.get(SECTION, HTTP_ACCEPT_ENCODING="br")
    for headers in (
        {"HTTP_IF_NONE_MATCH": page["ETag"]},
        {"HTTP_IF_NONE_MATCH": f'"other", W/{page["ETag"]}'},
        {"HTTP_IF_MODIFIED_SINCE": page["Last-Modified"]},
    ):
        response = client.get(SECTION, **headers)
        assert response.status_code == 304, headers
        assert response.content == b""
    assert client.get(SECTION, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    assert client.get(SECTION, HTTP_IF_MODIFIED_SINCE="not a date").status_code == 200


@pytest.mark.django_db
def test_head_sends_the_headers_only(published, stored, client):
    client.get(SECTION)
    response = client.head(SECTION)
    assert response.status_code == 200
    assert response.content == b""
    assert int(response["Content-Length"]) > 1000


@pytest.mark.django_db
def test_every_reader_gets_the_same_bytes(published, stored, client, editor):
    anonymous = client.get(SECTION).content
    staff = Client()
    staff.force_login(editor)
    assert staff.get(SECTION).content == anonymous
    russian = client.get("/ru/modules/salw/salw-marking/")
    assert russian["Content-Language"] == "ru"
    assert russian.content != anonymous


@pytest.mark.django_db
def test_edition_addresses_are_cached_longer_than_current_ones(published, stored, client):
    publish("1.1", on=datetime.date(2023, 1, 1))
    store.invalidate()
    for numbered in (
        "/en/editions/1.0/modules/salw/salw-marking/", "/ru/editions/1.1/",
        "/en/editions/1.0/compare/1.1/", "/en/editions/1.0/compare/1.1/sections/salw-marking/",
    ):  # fmt: skip
        response = client.get(numbered)
        assert response.status_code == 200, numbered
        assert response["Cache-Control"] == "public, max-age=86400", numbered
    # The list of editions and their feed change with each new edition, like the current text.
    for current in ("/en/editions/", "/ru/editions/feed/", "/en/modules/salw/salw-marking/"):
        response = client.get(current)
        assert response.status_code == 200, current
        assert response["Cache-Control"] == "public, max-age=60", current


@pytest.mark.django_db
def test_unknown_addresses_stay_404_and_are_never_stored(published, stored, client):
    for url in (
        "/en/modules/salw/no-such-section/",
        "/en/modules/nothing/",
        "/en/editions/9.9/",
        "/ru/modules/salw/no-such-section/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.get(url).status_code == 404, url
    assert page_files(stored) == []


@pytest.mark.django_db
def test_removed_sections_keep_410_from_the_store(published, stored, client, caplog):
    services.section_delete(section=Section.objects.get(key="salw-tracing"))
    publish("1.1", on=datetime.date(2023, 1, 1))
    store.invalidate()
    url = "/en/modules/salw/salw-tracing/"
    with caplog.at_level("WARNING", logger="django.request"):
        assert client.get(url).status_code == 410
        assert [r.getMessage() for r in caplog.records] == [f"Gone: {url}"]
        caplog.clear()
        response = client.get(url)
        assert response.status_code == 410
        assert caplog.records == []  # logged once, when it was rendered; not for each reader
    assert b"salw-tracing" in response.content or b"Tracing" in response.content


@pytest.mark.django_db
def test_only_declared_query_strings_are_stored(published, stored, client):
    services.section_update(section=Section.objects.get(key="salw-marking"), body_en="New text.")
    publish("1.1", on=datetime.date(2023, 1, 1))
    store.invalidate()
    compare = "/en/editions/1.0/compare/1.1/"
    assert client.get(compare).status_code == 200
    assert client.get(compare + "?languages=both").status_code == 200
    assert client.get(compare + "?utm_source=x").status_code == 200
    assert client.get(SECTION + "?anything=1").status_code == 200
    assert len(page_files(stored)) == 2


@pytest.mark.django_db
def test_a_new_edition_is_switched_on_at_once(
    published, stored, client, django_capture_on_commit_callbacks
):
    assert b"English body of salw-marking." in client.get(SECTION).content  # stored
    services.section_update(
        section=Section.objects.get(key="salw-marking"), body_en="Revised marking text."
    )
    with django_capture_on_commit_callbacks(execute=True):
        publish("1.1", on=datetime.date(2023, 1, 1))
    queued = [
        task.args_kwargs["args"][0]
        for task in DBTaskResult.objects.filter(task_path=prepare_pages.module_path)
    ]
    assert queued == [store.fresh_state().pending]
    # While the new edition's pages are prepared, readers keep the previous edition's pages.
    assert b"English body of salw-marking." in client.get(SECTION).content
    # A page not stored yet is rendered from the new edition, and not kept in the old one.
    home = client.get("/en/modules/salw/")
    assert b"1.1" in home.content
    result = prepare.prepare_and_switch(queued[0])
    assert result.failed == []
    assert result.pages == len(prepare.current_paths())
    assert store.fresh_state().generation == queued[0]
    after = client.get(SECTION)
    assert b"Revised marking text." in after.content


@pytest.mark.django_db
def test_a_publish_from_a_process_with_the_store_off_still_renews_the_served_pages(
    published, stored, client, settings, django_capture_on_commit_callbacks
):
    # make run serves stored pages; an editor publishes from `manage.py shell` (DEBUG on,
    # so PAGE_STORE off in that process): the servers must not go on sending the old edition.
    assert b"English body of salw-marking." in client.get(SECTION).content
    settings.PAGE_STORE = False
    services.section_update(
        section=Section.objects.get(key="salw-marking"), body_en="Revised marking text."
    )
    with django_capture_on_commit_callbacks(execute=True):
        publish("1.1", on=datetime.date(2023, 1, 1))
    [task] = DBTaskResult.objects.filter(task_path=prepare_pages.module_path)
    assert task.args_kwargs["args"] == [store.fresh_state().pending]
    settings.PAGE_STORE = True  # the worker and the servers
    assert prepare.prepare_and_switch(task.args_kwargs["args"][0]).failed == []
    assert b"Revised marking text." in client.get(SECTION).content


@pytest.mark.django_db
def test_a_correction_from_a_process_with_the_store_off_renders_the_pages_again(
    published, stored, client, settings, django_capture_on_commit_callbacks
):
    assert b"18 March 2022" in client.get("/en/editions/1.0/").content
    settings.PAGE_STORE = False
    with django_capture_on_commit_callbacks(execute=True):
        services.edition_correct_date(
            edition=published, published_on=datetime.date(2022, 3, 17), reason_en="Typo."
        )
    settings.PAGE_STORE = True
    assert b"17 March 2022" in client.get("/en/editions/1.0/").content


@pytest.mark.django_db
def test_nothing_is_staged_where_nobody_stores_pages(
    published, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    store.forget()
    with django_capture_on_commit_callbacks(execute=True):
        publish("1.1", on=datetime.date(2023, 1, 1))
    assert not DBTaskResult.objects.filter(task_path=prepare_pages.module_path).exists()
    assert store.fresh_state() is None
    assert not list(tmp_path.glob("pages/**/*"))


@pytest.mark.django_db
def test_a_publish_that_fails_half_way_leaves_the_pages_as_they_were(
    published, stored, client, django_capture_on_commit_callbacks, monkeypatch
):
    page = client.get(SECTION).content
    before = store.fresh_state()

    def fail(sections):
        raise RuntimeError("disk full")

    monkeypatch.setattr("modules.services.editions.search.index_sections", fail)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        publish("1.1", on=datetime.date(2023, 1, 1))  # after the sections were written
    assert Edition.objects.count() == 1
    assert store.fresh_state() == before
    assert client.get(SECTION).content == page


@pytest.mark.django_db
def test_prepared_pages_are_sent_without_rendering(
    published, stored, client, django_assert_num_queries
):
    generation = store.stage()
    result = prepare.prepare_and_switch(generation)
    assert result.failed == []
    paths = prepare.current_paths()
    assert "/ru/modules/salw/salw-marking/" in paths and "/en/editions/feed/" in paths
    store.forget()  # another process: reads the files, not this one's memory
    for path in paths:
        with django_assert_num_queries(0):
            assert client.get(path).status_code == 200, path
    # The files to take away were made after the switch, into the same generation.
    files = prepare.takeaway_paths()
    assert "/ru/editions/1.0/docx/" in files and "/en/editions/1.0/modules/salw/epub/" in files
    for path in files:
        with django_assert_num_queries(0):
            response = client.get(path)
        assert response.status_code == 200 and response["Content-Disposition"], path


@pytest.mark.django_db
def test_a_corrected_date_renders_the_pages_again(
    published, stored, client, django_capture_on_commit_callbacks
):
    assert b"18 March 2022" in client.get("/en/editions/1.0/").content
    with django_capture_on_commit_callbacks(execute=True):
        services.edition_correct_date(
            edition=published, published_on=datetime.date(2022, 3, 17), reason_en="Typo."
        )
    assert b"17 March 2022" in client.get("/en/editions/1.0/").content


@pytest.mark.django_db
def test_a_damaged_or_lost_page_is_rendered_again(published, stored, client):
    good = client.get(SECTION).content
    (path,) = page_files(stored)
    path.write_bytes(path.read_bytes()[:200])
    store.forget()
    assert client.get(SECTION).content == good
    path.unlink()
    store.forget()
    assert client.get(SECTION).content == good
    assert len(page_files(stored)) == 1


@pytest.mark.django_db
def test_staff_previews_and_forms_are_never_stored(published, stored, editor_client):
    make_section(Module.objects.get(code="SALW"), "salw-new")  # the draft differs from 1.0
    assert editor_client.get("/en/preview/modules/salw/").status_code == 200
    assert editor_client.get("/en/feedback/").status_code == 200
    assert editor_client.get("/en/search/?q=marking").status_code == 200
    assert page_files(stored) == []


@pytest.mark.django_db
def test_the_command_prepares_the_current_pages(published, stored, capsys):
    call_command("prepare_pages")
    assert "20 pages prepared, then 8 files to take away" in capsys.readouterr().out
    assert len(page_files(stored)) == 28
    assert store.fresh_state().pending is None


@pytest.mark.django_db
def test_the_command_refuses_when_the_store_is_off(published, settings):
    settings.PAGE_STORE = False
    with pytest.raises(CommandError, match="PAGE_STORE is off"):
        call_command("prepare_pages")


@pytest.mark.django_db
def test_old_generations_are_pruned(published, stored, client):
    client.get(SECTION)
    for _ in range(3):
        store.invalidate()
        client.get(SECTION)
    store.prune()
    generations = {path.parent.name for path in page_files(stored)}
    current = store.fresh_state().generation
    assert generations == {str(current), str(current - 1)}


@pytest.mark.django_db
def test_changes_to_public_texts_and_notes_start_a_new_generation(
    published, stored, django_capture_on_commit_callbacks
):
    from feedback import services as feedback_services
    from modules.models import SectionReplacement
    from tests.feedback.conftest import make_feedback

    item = make_feedback(comment="A comment.")
    generation = store.begin().generation
    with django_capture_on_commit_callbacks(execute=True):
        feedback_services.feedback_edit_public_texts(feedback=item, user=None, response_en="Done.")
    assert store.fresh_state().generation == generation + 1
    with django_capture_on_commit_callbacks(execute=True):
        SectionReplacement.objects.create(
            removed_key="salw-old", replaced_by=Section.objects.get(key="salw-marking")
        )
    assert store.fresh_state().generation == generation + 2
    with django_capture_on_commit_callbacks(execute=True):
        make_feedback(comment="Another, new comment: not public.")
    assert store.fresh_state().generation == generation + 2


@pytest.mark.django_db
def test_a_page_naming_a_consultation_round_is_rendered_again_at_its_deadline(
    published, stored, client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from django.utils import timezone
    from freezegun import freeze_time

    from feedback import services as feedback_services

    assert b"Consultation on 1.0" not in client.get(SECTION).content  # stored without
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):  # a round announced: pages anew
        feedback_services.round_open(
            edition=published, opens_at=now, closes_at=now + datetime.timedelta(hours=2),
            whole_text=True, title_en="Consultation on 1.0", description_en="Comments.",
            contact_email="guidelines@example.org",
        )  # fmt: skip
    first = client.get(SECTION)
    assert b"Consultation on 1.0" in first.content
    # An edition's own address is cached for a day, but never past the deadline it names.
    numbered = client.get("/en/editions/1.0/modules/salw/salw-marking/")
    assert b"Consultation on 1.0" in numbered.content
    max_age = int(numbered["Cache-Control"].removeprefix("public, max-age="))
    assert 7000 < max_age <= 2 * 3600
    with django_assert_num_queries(0):
        assert client.get(SECTION).content == first.content  # sent from the store
    with freeze_time(now + datetime.timedelta(hours=2, seconds=1)):
        after = client.get(SECTION)
        assert after.status_code == 200
        assert b"Consultation on 1.0" not in after.content  # rendered again, round closed
        with django_assert_num_queries(0):
            assert client.get(SECTION).content == after.content  # and stored again


@pytest.mark.django_db
def test_a_page_is_rendered_again_when_an_announced_round_opens(
    published, stored, client, django_capture_on_commit_callbacks
):
    from django.utils import timezone
    from freezegun import freeze_time

    from feedback import services as feedback_services

    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        feedback_services.round_open(
            edition=published, opens_at=now + datetime.timedelta(days=1),
            closes_at=now + datetime.timedelta(days=10), whole_text=True,
            title_en="Consultation on 1.0", description_en="Comments.",
            contact_email="guidelines@example.org",
        )  # fmt: skip
    assert b"Consultation on 1.0" not in client.get(SECTION).content  # not open yet
    with freeze_time(now + datetime.timedelta(days=1, seconds=1)):
        assert b"Consultation on 1.0" in client.get(SECTION).content
