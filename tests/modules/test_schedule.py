"""Scheduled publication: an edition confirmed now and published by the worker at its moment,
exactly as confirmed; one at a time, cancellable until then."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from modules import pdf_builds, services
from modules.models import (
    Edition,
    EditionPDF,
    PDFStatus,
    ScheduledPDF,
    ScheduledPublication,
    ScheduleStatus,
    Section,
)
from tests.conftest import make_section
from tests.modules.test_pdf import pdftotext

pytestmark = pytest.mark.django_db

PUBLISH = "/admin/modules/edition/add/"


def later(**delta) -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(**delta)).replace(second=0, microsecond=0)


def schedule(number: str = "1.1", *, at: datetime.datetime | None = None, user=None, **kwargs):
    return services.edition_schedule(
        number=number,
        publish_at=at or later(days=2),
        change_summary_en=kwargs.pop("change_summary_en", "Marking revised."),
        change_summary_ru=kwargs.pop("change_summary_ru", "Пересмотрен раздел о маркировке."),
        user=user,
        expected_fingerprint=kwargs.pop("expected_fingerprint", services.draft_fingerprint()),
        # Clearance is tested in test_review.py.
        override_reason=kwargs.pop("override_reason", "Cleared elsewhere."),
        **kwargs,
    )


def come(scheduled: ScheduledPublication) -> None:
    """Its moment arrives (the schedule is moved into the past, as time would move)."""
    ScheduledPublication.objects.filter(pk=scheduled.pk).update(
        publish_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def marking() -> Section:
    return Section.objects.get(key="salw-marking")


# --- The services ---------------------------------------------------------------------------


def test_the_worker_publishes_the_text_as_it_was_confirmed(published, editor):
    services.section_update(section=marking(), body_en="Confirmed text.")
    scheduled = schedule(user=editor)
    # The draft moves on after the confirmation: that change waits for the next edition.
    services.section_update(section=marking(), body_en="A later change.")
    make_section(marking().module, "salw-later", title_en="Added later")

    assert services.edition_publish_due(scheduled_id=scheduled.pk).status == "scheduled"
    assert Edition.objects.current() == published  # not before its moment

    come(scheduled)
    done = services.edition_publish_due(scheduled_id=scheduled.pk)
    edition = Edition.objects.current()
    assert (done.status, done.edition) == (ScheduleStatus.PUBLISHED, edition)
    assert (edition.number, edition.published_by) == ("1.1", editor)
    assert edition.published_on == timezone.localdate(done.publish_at)
    assert edition.sections.get(key="salw-marking").body_en == "Confirmed text."
    assert not edition.sections.filter(key="salw-later").exists()
    assert edition.text_fingerprint == scheduled.fingerprint
    assert (edition.sections_changed, edition.sections_added) == (1, 0)
    assert EditionPDF.objects.filter(edition=edition).count() == 4  # its PDFs are queued
    # The draft keeps the later work.
    assert marking().body_en == "A later change."
    # Running again publishes nothing more.
    assert services.edition_publish_due(scheduled_id=scheduled.pk).status == "published"
    assert Edition.objects.count() == 2


def test_a_snapshot_publishes_the_same_edition_as_publishing_at_once(published):
    services.section_update(section=marking(), body_ru="Новая редакция.")
    fingerprint = services.draft_fingerprint()
    scheduled = schedule()
    come(scheduled)
    edition = services.edition_publish_due(scheduled_id=scheduled.pk).edition
    assert edition.text_fingerprint == fingerprint
    ours = list(edition.sections.values("key", "parent_key", "number", "sort_key", "depth",
                                        "body_html_ru", "text_hash", "module__slug"))  # fmt: skip
    draft = Section.objects.get(key="salw-marking")
    assert {"key": "salw-marking", "parent_key": draft.parent.key, "number": draft.number,
            "sort_key": draft.sort_key, "depth": draft.depth, "body_html_ru": draft.body_html_ru,
            "text_hash": ours[[s["key"] for s in ours].index("salw-marking")]["text_hash"],
            "module__slug": "salw"} in ours  # fmt: skip


def test_a_cancelled_publication_is_never_published(published, editor):
    scheduled = schedule()
    assert services.edition_schedule_cancel(scheduled=scheduled, user=editor) is True
    assert services.edition_schedule_cancel(scheduled=scheduled, user=editor) is False
    come(scheduled)
    assert services.edition_publish_due(scheduled_id=scheduled.pk).status == "cancelled"
    assert Edition.objects.count() == 1
    scheduled.refresh_from_db()
    assert scheduled.cancelled_by == editor and scheduled.closed_at is not None
    # Once cancelled, another can be scheduled, and publishing at once is allowed again.
    schedule("1.2").delete()
    assert services.edition_publish(
        number="1.1", published_on=timezone.localdate(), change_summary_en="Now."
    ).number == "1.1"  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"at": later(minutes=-5)}, "publish_at", "That moment has passed"),
        ({"number": "1.0"}, "number", "greater than the latest edition"),
        ({"change_summary_en": " "}, "change_summary_en", "Write a change summary"),
        ({"expected_fingerprint": "0" * 64}, "__all__", "changed after you reviewed it"),
    ],
)
def test_a_schedule_that_cannot_be_kept_is_refused(published, kwargs, field, message):
    with pytest.raises(ValidationError) as refused:
        schedule(**kwargs)
    assert message in " ".join(refused.value.message_dict[field])
    assert not ScheduledPublication.objects.exists()


def test_one_publication_is_scheduled_at_a_time_and_nothing_is_published_meanwhile(published):
    first = schedule("1.1", at=later(days=1))
    with pytest.raises(ValidationError, match=r"Edition 1\.1 is scheduled to be published at"):
        schedule("1.2", at=later(days=3))
    with pytest.raises(ValidationError, match="cancel that publication first"):
        services.edition_publish(
            number="1.2", published_on=timezone.localdate(), change_summary_en="Now."
        )
    assert list(ScheduledPublication.objects.all()) == [first]
    assert Edition.objects.count() == 1


def test_the_database_allows_one_scheduled_publication(published):
    from django.db import IntegrityError, transaction

    first = schedule()
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduledPublication.objects.create(
            number="1.2", publish_at=later(days=3), change_summary_en="x", snapshot={},
            fingerprint="", status=ScheduleStatus.SCHEDULED,
        )  # fmt: skip
    assert ScheduledPublication.objects.get() == first


def test_a_publication_that_fails_at_its_moment_is_marked_with_the_reason(published):
    scheduled = schedule("1.1")
    # An edition 1.1 appeared meanwhile (by an operator, outside the back office).
    ScheduledPublication.objects.filter(pk=scheduled.pk).update(status=ScheduleStatus.CANCELLED)
    services.edition_publish(number="1.1", published_on=timezone.localdate(),
                             change_summary_en="By hand.")  # fmt: skip
    ScheduledPublication.objects.filter(pk=scheduled.pk).update(status=ScheduleStatus.SCHEDULED)
    come(scheduled)
    failed = services.edition_publish_due(scheduled_id=scheduled.pk)
    assert failed.status == ScheduleStatus.FAILED
    assert "greater than the latest edition" in failed.failure
    assert Edition.objects.count() == 2


def test_the_cron_safeguard_publishes_what_is_due_once(published, capsys):
    call_command("publish_scheduled")
    assert "No edition is scheduled." in capsys.readouterr().out
    scheduled = schedule()
    call_command("publish_scheduled")
    assert "scheduled for" in capsys.readouterr().out
    come(scheduled)
    call_command("publish_scheduled")
    call_command("publish_scheduled")
    assert "Edition 1.1 published." in capsys.readouterr().out
    assert Edition.objects.count() == 2


def test_the_worker_publishes_at_the_moment_and_not_before(
    transactional_db, published, django_capture_on_commit_callbacks, monkeypatch
):
    """The real queue: the task waits for its moment (run_after), then the worker runs it."""
    monkeypatch.setattr("modules.pdf_builds.pdf_build", lambda **kwargs: None)  # no WeasyPrint
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = schedule(at=later(hours=1))
    task = DBTaskResult.objects.get(task_path="modules.publication_tasks.publish_scheduled_edition")
    assert task.run_after == scheduled.publish_at
    worker = ["db_worker", "--batch", "--no-startup-delay", "--interval", "0"]
    call_command(*worker, verbosity=0)
    assert Edition.objects.count() == 1  # not yet
    come(scheduled)
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now())
    call_command(*worker, verbosity=0)
    assert Edition.objects.current().number == "1.1"
    assert ScheduledPublication.objects.get().status == ScheduleStatus.PUBLISHED


# --- Its PDFs, made before its moment ---------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_all(scheduled: ScheduledPublication) -> list[ScheduledPDF]:
    while pdf_builds.scheduled_pdfs_build(scheduled_id=scheduled.pk):
        pass
    return list(scheduled.pdfs.order_by("pk"))


def at_its_moment(monkeypatch, scheduled: ScheduledPublication) -> None:
    """The clock reaches the scheduled moment (the edition is dated that day)."""
    moment = scheduled.publish_at + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_scheduled_editions_pdfs_are_ready_the_moment_it_is_published(
    published, editor, media, monkeypatch, tmp_path
):
    services.section_update(section=marking(), body_en="Confirmed text for the PDF.")
    scheduled = schedule(user=editor, at=later(days=2))
    made = make_all(scheduled)
    modules = Edition.objects.current().modules.count()
    assert len(made) == 2 * (1 + modules) and all(p.sha256 and p.pages for p in made)
    assert not pdf_builds.scheduled_pdfs_build(scheduled_id=scheduled.pk)  # nothing left
    assert scheduled.pdfs_made == scheduled.pdfs_expected == len(made)

    at_its_moment(monkeypatch, scheduled)
    services.edition_publish_due(scheduled_id=scheduled.pk)
    edition = Edition.objects.get(number="1.1")
    pdfs = EditionPDF.objects.filter(edition=edition)
    assert {p.status for p in pdfs} == {PDFStatus.READY} and pdfs.count() == len(made)
    assert {p.sha256 for p in pdfs} == {p.sha256 for p in made}
    assert not ScheduledPDF.objects.exclude(file="").exists()  # the files are the edition's

    # What was made ahead is what building it after publishing makes.
    whole = pdfs.get(module_slug="", language="en")
    ahead = pdftotext(whole.file.read(), tmp_path)
    pdf_builds.pdf_build(pdf_id=whole.pk, force=True)
    whole.refresh_from_db()
    assert pdftotext(whole.file.read(), tmp_path) == ahead
    assert "Confirmed text for the PDF." in ahead and "1.1" in ahead


def test_pdfs_not_made_in_time_are_built_after_publishing(published, editor, media, monkeypatch):
    scheduled = schedule(user=editor)
    assert pdf_builds.scheduled_pdfs_build(scheduled_id=scheduled.pk)  # one made, more left
    assert scheduled.pdfs_made == 1 < scheduled.pdfs_expected
    at_its_moment(monkeypatch, scheduled)
    services.edition_publish_due(scheduled_id=scheduled.pk)
    statuses = list(
        EditionPDF.objects.filter(edition__number="1.1").values_list("status", flat=True)
    )
    assert statuses.count(PDFStatus.READY) == 1 and PDFStatus.QUEUED in statuses
    # Once published, nothing more is made ahead.
    assert not pdf_builds.scheduled_pdfs_build(scheduled_id=scheduled.pk)
    assert scheduled.pdfs.count() == 1


def test_a_cancelled_publication_leaves_no_pdf_behind(
    published, editor, media, django_capture_on_commit_callbacks
):
    scheduled = schedule(user=editor)
    pdf_builds.scheduled_pdfs_build(scheduled_id=scheduled.pk)
    name = scheduled.pdfs.get().file.name
    assert (media / name).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.edition_schedule_cancel(scheduled=scheduled, user=editor)
    assert not (media / name).exists()
    assert not pdf_builds.scheduled_pdfs_build(scheduled_id=scheduled.pk)
    assert scheduled.pdfs.count() == 1  # the record stays, without its file


def test_a_failed_publication_leaves_no_pdf_behind(
    published, editor, media, monkeypatch, django_capture_on_commit_callbacks
):
    scheduled = schedule(user=editor)
    pdf_builds.scheduled_pdfs_build(scheduled_id=scheduled.pk)
    name = scheduled.pdfs.get().file.name
    # An edition 1.1 appeared meanwhile (by an operator, outside the back office).
    ScheduledPublication.objects.filter(pk=scheduled.pk).update(status=ScheduleStatus.CANCELLED)
    services.edition_publish(number="1.1", published_on=timezone.localdate(),
                             change_summary_en="By hand.", clearance=False)  # fmt: skip
    ScheduledPublication.objects.filter(pk=scheduled.pk).update(status=ScheduleStatus.SCHEDULED)
    at_its_moment(monkeypatch, scheduled)
    with django_capture_on_commit_callbacks(execute=True):
        done = services.edition_publish_due(scheduled_id=scheduled.pk)
    assert done.status == ScheduleStatus.FAILED and not (media / name).exists()


def test_a_pdf_that_fails_ahead_is_recorded_and_the_others_are_made(
    published, editor, media, monkeypatch
):
    from modules import pdf as renderer

    real = renderer.render_text

    def failing(edition, modules, sections, **kwargs):
        if kwargs["language"] == "ru" and not kwargs["module_slug"]:
            raise RuntimeError("font missing")
        return real(edition, modules, sections, **kwargs)

    monkeypatch.setattr(renderer, "render_text", failing)
    scheduled = schedule(user=editor)
    made = make_all(scheduled)
    failed = [p for p in made if p.error]
    assert len(failed) == 1 and "font missing" in failed[0].error and not failed[0].sha256
    assert all(p.sha256 for p in made if not p.error)


def test_the_worker_makes_the_pdfs_ahead_and_publishes_first_when_both_are_due(
    transactional_db, published, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = schedule(at=later(hours=1))
    prepared = DBTaskResult.objects.get(task_path="modules.tasks.build_scheduled_pdfs")
    publication = DBTaskResult.objects.get(
        task_path="modules.publication_tasks.publish_scheduled_edition"
    )
    assert prepared.priority < publication.priority
    worker = ["db_worker", "--batch", "--no-startup-delay", "--interval", "0"]
    call_command(*worker, verbosity=0)
    assert Edition.objects.count() == 1  # not yet published, but every PDF made
    assert scheduled.pdfs.exclude(sha256="").count() == scheduled.pdfs.count() > 0


# --- The back office -----------------------------------------------------------------------


def form(**overrides) -> dict:
    return {
        "number": "1.1",
        "published_on": "2024-05-01",
        "change_summary_en": "Marking revised.",
        "change_summary_ru": "Пересмотрен раздел о маркировке.",
        "publish_at": later(days=2).strftime("%Y-%m-%dT%H:%M"),
        "override_reason": "Cleared elsewhere.",
        **overrides,
    }


def test_an_editor_schedules_an_edition_and_can_cancel_it(editor_client, editor, published):
    moment = later(days=2)
    page = editor_client.post(PUBLISH, form(publish_at=moment.strftime("%Y-%m-%dT%H:%M")))
    stated = moment.strftime("%Y-%m-%d %H:%M UTC")
    assert f"Schedule edition 1.1 for {stated}" in page.text
    assert 'name="publish"' not in page.text
    # The edition is dated the day it is published, whatever the date field said.
    assert page.context["form"].cleaned_data["published_on"] == moment.date()
    confirmed = {**form(publish_at=moment.strftime("%Y-%m-%dT%H:%M")),
                 "fingerprint": page.context["fingerprint"], "schedule": "1"}  # fmt: skip
    response = editor_client.post(PUBLISH, confirmed, follow=True)
    assert f"Edition 1.1 will be published at {stated}" in response.text
    scheduled = ScheduledPublication.objects.get()
    assert (scheduled.publish_at, scheduled.scheduled_by) == (moment, editor)
    # The publish page now shows it, with the way to cancel it, and no form.
    assert (
        "Scheduled publication" in response.text and 'name="change_summary_en"' not in response.text
    )
    expected = scheduled.pdfs_expected
    assert f"ready the moment it is published: 0 of {expected} made so far." in response.text
    # A second click on "Schedule" is told the same, and schedules nothing more.
    again = editor_client.post(PUBLISH, confirmed, follow=True)
    assert again.redirect_chain == [(PUBLISH, 302)]
    assert f"Edition 1.1 will be published at {stated}" in again.text
    assert ScheduledPublication.objects.count() == 1

    cancel = f"/admin/modules/edition/scheduled/{scheduled.pk}/cancel/"
    assert editor_client.get(cancel).status_code == 405
    response = editor_client.post(cancel, follow=True)
    assert "is cancelled" in response.text and 'name="change_summary_en"' in response.text
    assert ScheduledPublication.objects.get().status == ScheduleStatus.CANCELLED
    response = editor_client.post(cancel, follow=True)
    assert "was no longer scheduled" in response.text


def test_a_moment_in_the_past_is_refused_at_its_field(editor_client, published):
    page = editor_client.post(PUBLISH, form(publish_at="2020-01-01T10:00"))
    assert "fingerprint" not in page.context
    assert "That moment has passed" in page.context["form"].errors["publish_at"][0]
    page = editor_client.post(PUBLISH, form(publish_at="tomorrow at noon"))
    assert "publish_at" in page.context["form"].errors


def test_the_publish_page_says_why_a_scheduled_edition_was_not_published(editor_client, published):
    scheduled = schedule()
    ScheduledPublication.objects.filter(pk=scheduled.pk).update(
        status=ScheduleStatus.FAILED, failure="The number was taken.", closed_at=timezone.now()
    )
    page = editor_client.get(PUBLISH)
    assert "was not published: The number was taken." in page.text
    publish_now = services.edition_publish(
        number="1.1", published_on=timezone.localdate(), change_summary_en="By hand."
    )
    assert publish_now.number == "1.1"
    assert "was not published" not in editor_client.get(PUBLISH).text


def test_the_waiting_publication_has_no_english_for_a_russian_editor(editor_client, published):
    from tests.test_russian_completeness import english_in, english_words, visible_text

    schedule()
    page = editor_client.get(PUBLISH, HTTP_ACCEPT_LANGUAGE="ru")
    text = visible_text(page.text).replace("editor.", "")
    assert "Запланированная публикация" in text
    assert english_in(text, english_words()) == []
    confirmation = editor_client.post(PUBLISH, form(number="1.2"), HTTP_ACCEPT_LANGUAGE="ru")
    assert "отмените" in confirmation.text  # the form is refused: cancel the scheduled one first


def test_only_those_who_publish_may_cancel(client, translator, reviewer, published):
    scheduled = schedule()
    for person in (translator, reviewer):
        client.force_login(person)
        response = client.post(f"/admin/modules/edition/scheduled/{scheduled.pk}/cancel/")
        assert response.status_code == 403
    assert ScheduledPublication.objects.get().status == ScheduleStatus.SCHEDULED


def test_the_edition_list_says_which_edition_is_scheduled(editor_client, published):
    schedule()
    page = editor_client.get("/admin/modules/edition/")
    assert "Edition 1.1 is scheduled to be published at" in page.text
    assert 'href="/admin/modules/edition/add/">See or cancel it</a>' in page.text


def test_a_pdf_made_ahead_that_the_edition_does_not_take_is_deleted(
    published, editor, media, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    scheduled = schedule(user=editor)
    stray = ScheduledPDF(scheduled=scheduled, module_slug="gone", language="en", sha256="x")
    stray.file.save("stray.pdf", ContentFile(b"%PDF-1.7"), save=True)
    assert (media / stray.file.name).exists()
    at_its_moment(monkeypatch, scheduled)
    with django_capture_on_commit_callbacks(execute=True):
        services.edition_publish_due(scheduled_id=scheduled.pk)
    assert not (media / stray.file.name).exists()
    assert EditionPDF.objects.filter(edition__number="1.1", status=PDFStatus.QUEUED).exists()
