"""Editors decide; an accepted item follows its section until a published edition carries
its change; the contributor's page and the edition's response to comments link to it."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from feedback import services
from feedback.models import EventKind, Feedback, Status
from modules import services as content
from modules.models import Edition, Section
from tests.conftest import publish
from tests.feedback.conftest import make_feedback, token_in, tracking_path

pytestmark = pytest.mark.django_db


def _accept_and_change(item: Feedback, editor, *, body: str = "Changed text.") -> Section:
    services.feedback_set_status(feedback=item, status=Status.ACCEPTED, user=editor)
    section = item.section
    content.section_update(section=section, body_en=body, user=editor)
    services.feedback_mark_addressed(section=section, items=[item], user=editor)
    return section


def test_every_status_change_is_kept_with_who_and_when(published, editor):
    item = make_feedback()
    services.feedback_set_status(feedback=item, status=Status.UNDER_REVIEW, user=editor)
    services.feedback_set_status(feedback=item, status=Status.NOT_ACCEPTED, user=editor)
    history = list(item.events.filter(kind=EventKind.STATUS).values_list(
        "old_status", "new_status", "actor__username"
    ))  # fmt: skip
    assert history == [
        ("received", "under_review", "editor"),
        ("under_review", "not_accepted", "editor"),
    ]
    item.refresh_from_db()
    assert item.decided_at is not None


def test_a_decision_is_e_mailed_to_the_contributor_in_their_language(
    published, editor, emails_sent
):
    item = make_feedback(language="ru")
    Feedback.objects.filter(pk=item.pk).update(response_ru="Спасибо, учтено.")
    item.refresh_from_db()
    with emails_sent():
        services.feedback_set_status(feedback=item, status=Status.NOT_ACCEPTED, user=editor)
    message = mail.outbox[-1]
    assert message.to == [item.email]
    assert "Спасибо, учтено." in message.body
    assert Feedback.objects.tracked_by(token_in(message.body)) == item
    assert "/ru/feedback/track/" in message.body
    html = message.alternatives[0][0]
    assert '<html lang="ru">' in html


def test_a_duplicate_points_at_another_item_never_at_itself(published, editor):
    first, second = make_feedback(email="a@example.org"), make_feedback(email="b@example.org")
    with pytest.raises(ValidationError):
        services.feedback_set_status(feedback=second, status=Status.DUPLICATE, user=editor)
    services.feedback_set_status(
        feedback=second, status=Status.DUPLICATE, duplicate_of=first, user=editor
    )
    with pytest.raises(ValidationError):
        services.feedback_set_status(
            feedback=first, status=Status.DUPLICATE, duplicate_of=second, user=editor
        )
    second.refresh_from_db()
    assert second.duplicate_of == first
    assert second.public_decision == f"Duplicate of {first.reference}"


def test_assignment_and_notes_are_in_the_history_but_never_public(published, editor, client):
    item = make_feedback()
    services.feedback_assign(feedback=item, assignee=editor, user=editor)
    services.feedback_note(feedback=item, text="Check with the legal team.", user=editor)
    kinds = set(item.events.values_list("kind", flat=True))
    assert {EventKind.ASSIGNED, EventKind.NOTE} <= kinds
    page = client.get(tracking_path(item))
    assert "Check with the legal team." not in page.text
    assert "editor" not in page.text


def test_publishing_incorporates_addressed_items_and_links_the_exact_change(
    published, editor, client, emails_sent
):
    item = make_feedback(language="ru")
    _accept_and_change(item, editor)
    with emails_sent():
        edition = publish("1.1", user=editor)
    item.refresh_from_db()
    assert item.incorporated_in == edition and item.responded_in == edition
    assert item.events.filter(kind=EventKind.INCORPORATED, text="1.1").exists()
    change = "/ru/editions/1.0/compare/1.1/sections/salw-marking/"
    # The contributor's page, their e-mail and the response to comments link to the change.
    tracking = client.get(tracking_path(item, "ru"))
    assert change in tracking.text
    assert Feedback.objects.tracked_by(token_in(mail.outbox[-1].body)) == item
    assert "/ru/feedback/track/" in mail.outbox[-1].body
    responses = client.get("/ru/feedback/editions/1.1/")
    assert item.reference in responses.text and change in responses.text
    # And the change links back to the feedback that caused it.
    change_page = client.get(change)
    assert f"/ru/feedback/editions/1.1/#{item.reference}" in change_page.text
    compare_page = client.get("/ru/editions/1.0/compare/1.1/")
    assert f"#{item.reference}" in compare_page.text


def test_items_not_dealt_with_stay_open_and_follow_their_section(published, editor):
    accepted_untouched = make_feedback(email="a@example.org")
    services.feedback_set_status(feedback=accepted_untouched, status=Status.ACCEPTED, user=editor)
    pending = make_feedback(email="b@example.org")
    marking = Section.objects.get(key="salw-marking")
    # The section moves and is renumbered: the items stay with it.
    content.section_move(section=marking, parent=None, position=1, user=editor)
    publish("1.1")
    for item in (accepted_untouched, pending):
        item.refresh_from_db()
        assert item.incorporated_in is None and item.responded_in is None
        assert item.section == marking
    assert set(Feedback.objects.open()) == {accepted_untouched, pending}


def test_an_item_recorded_as_addressed_whose_section_did_not_change_stays_open(published, editor):
    item = make_feedback()
    services.feedback_set_status(feedback=item, status=Status.ACCEPTED, user=editor)
    services.feedback_mark_addressed(section=item.section, items=[item], user=editor)
    content.section_update(section=Section.objects.get(key="salw-tracing"), body_en="Other.")
    publish("1.1")
    item.refresh_from_db()
    assert item.incorporated_in is None


def test_decisions_other_than_acceptance_are_answered_in_the_next_edition(published, editor):
    rejected = make_feedback(email="a@example.org")
    services.feedback_set_status(feedback=rejected, status=Status.NOT_ACCEPTED, user=editor)
    spam = make_feedback(email="b@example.org")
    services.feedback_set_status(feedback=spam, status=Status.SPAM, user=editor)
    content.section_update(section=Section.objects.get(key="salw-tracing"), body_en="Other.")
    edition = publish("1.1")
    rejected.refresh_from_db()
    spam.refresh_from_db()
    assert rejected.responded_in == edition
    assert spam.responded_in is None


def test_an_incorporated_decision_is_final(published, editor):
    item = make_feedback()
    _accept_and_change(item, editor)
    publish("1.1")
    item.refresh_from_db()
    with pytest.raises(ValidationError):
        services.feedback_set_status(feedback=item, status=Status.NOT_ACCEPTED, user=editor)


def test_an_addressed_item_cannot_be_rejected_before_the_record_is_withdrawn(published, editor):
    item = make_feedback()
    section = _accept_and_change(item, editor)
    with pytest.raises(ValidationError):
        services.feedback_set_status(feedback=item, status=Status.NOT_ACCEPTED, user=editor)
    services.feedback_mark_addressed(section=section, items=[], user=editor)
    services.feedback_set_status(feedback=item, status=Status.NOT_ACCEPTED, user=editor)
    assert item.events.filter(kind=EventKind.UNADDRESSED).exists()


def test_feedback_recorded_by_an_editor_says_where_it_came_from(published, editor):
    item = services.feedback_record(
        user=editor,
        source="workshop",
        source_detail="Regional workshop, Almaty",
        received_on=datetime.date(2022, 5, 12),
        edition=Edition.objects.get(number="1.0"),
        language="ru",
        section=Section.objects.get(key="salw-tracing"),
        kind="general",
        comment="Участники предложили раздел о баллистике.",
        category="organisation",
        note="From the workshop's report.",
    )
    assert item.reference == f"FB-2022-{item.pk:04d}"
    assert item.section_key == "salw-tracing" and item.module.code == "SALW"
    assert item.events.filter(kind=EventKind.NOTE).exists()
    with pytest.raises(ValidationError):
        services.feedback_record(user=editor, source="web", received_on=timezone.localdate())


def test_a_deleted_section_keeps_its_feedback(published, editor):
    item = make_feedback("salw-tracing")
    content.section_delete(section=Section.objects.get(key="salw-tracing"), user=editor)
    item.refresh_from_db()
    assert item.section is None and item.section_key == "salw-tracing"
    assert item.section_number == "B.2"
