"""The back office's triage queue: who may use it, filters, decisions, bulk changes, CSV."""

import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.forms import FeedbackAdminForm
from feedback.models import EventKind, Feedback, Status
from guidelines_portal.edit_guard import edit_token
from modules.models import Edition, Section
from tests.conftest import admin_change_url, publish, section_admin_form
from tests.feedback.conftest import make_feedback

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:feedback_feedback_changelist")
EXPORT = reverse("admin:feedback_feedback_export")


def _change_url(item: Feedback) -> str:
    return reverse("admin:feedback_feedback_change", args=[item.pk])


def _change_form(item: Feedback, **overrides) -> dict:
    """The item's change form as the admin posts it, opened now, with some values changed."""
    item.refresh_from_db()
    data = {
        "module": item.module_id or "",
        "section": item.section_id or "",
        "status": item.status,
        "duplicate_of": item.duplicate_of_id or "",
        "assigned_to": item.assigned_to_id or "",
        "summary_en": item.summary_en or "", "summary_ru": item.summary_ru or "",
        "response_en": item.response_en or "", "response_ru": item.response_ru or "",
        "confidentiality": item.confidentiality, "redacted_comment": item.redacted_comment,
        "redacted_proposed_wording": item.redacted_proposed_wording,
        "note": "", "edit_token": edit_token(item, FeedbackAdminForm.guarded_fields),
        "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0", "events-MAX_NUM_FORMS": "0",
    }  # fmt: skip
    return {**data, **overrides}


def test_two_reviewers_deciding_one_item_at_once_do_not_overwrite_each_other(
    client, published, editor, reviewer
):
    item = make_feedback()
    stale = _change_form(item, status=Status.NOT_ACCEPTED, response_en="Out of scope, sorry.")
    client.force_login(editor)
    first = _change_form(item, status=Status.UNDER_REVIEW, response_en="We are looking.")
    assert client.post(_change_url(item), first).status_code == 302
    client.force_login(reviewer)
    response = client.post(_change_url(item), stale, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    assert "Этот отзыв изменил кто-то другой" in response.text
    assert "Out of scope, sorry." in response.text
    item.refresh_from_db()
    assert (item.status, item.response_en) == (Status.UNDER_REVIEW, "We are looking.")


def test_every_change_to_the_public_response_is_kept_in_the_history(
    client, published, editor, reviewer
):
    item = make_feedback()
    client.force_login(editor)
    client.post(_change_url(item), _change_form(item, response_en="First answer."))
    client.force_login(reviewer)
    client.post(
        _change_url(item), _change_form(item, response_en="Second answer.", summary_ru="Кратко.")
    )
    client.post(_change_url(item), _change_form(item))  # saved again, nothing changed

    item.refresh_from_db()
    assert (item.response_en, item.summary_ru) == ("Second answer.", "Кратко.")
    events = list(item.events.filter(kind=EventKind.RESPONSE))
    assert [event.actor for event in events] == [editor, reviewer]
    assert events[0].text == "response (English) was: —"
    assert "response (English) was: First answer." in events[1].text
    assert "summary (Russian) was: —" in events[1].text
    page = client.get(_change_url(item))
    assert "First answer." in page.text  # in the history shown on the item


def _bulk(count: int, *, start: int = 0) -> None:
    """Many items at once, as a busy year would bring (numbered from ``start``)."""
    edition = Edition.objects.current()
    section = Section.objects.get(key="salw-marking")
    today = timezone.localdate()
    Feedback.objects.bulk_create(
        Feedback(
            reference=f"FB-{today:%Y}-9{n:05d}", edition=edition, language="en",
            module=section.module, section=section, section_key=section.key,
            kind=("general", "technical", "editorial")[n % 3], comment=f"Bulk comment {n}",
            category="practitioner", country=("NO", "KZ", "BR")[n % 3], name="N",
            email=f"bulk{n}@example.org", received_on=today, fingerprint=f"bulk{n}",
            status=(Status.RECEIVED, Status.UNDER_REVIEW)[n % 2],
        )
        for n in range(start, start + count)
    )  # fmt: skip


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("reviewer", 200), ("editor", 200), ("translator", 403), ("staff_without_permissions", 403)],
)
def test_who_may_open_the_queue_and_its_export(client, published, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(CHANGELIST).status_code == expected
    assert client.get(EXPORT).status_code == expected


def test_anonymous_visitors_are_sent_to_sign_in(client, published):
    item = make_feedback()
    for url in (CHANGELIST, EXPORT, _change_url(item)):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    "query",
    [
        "progress=open", "progress=to_decide", "progress=awaiting_change",
        "progress=incorporated", "status__exact=received", "kind__exact=technical",
        "category__exact=practitioner", "country=NO", "source__exact=web",
        "assigned=me", "assigned=nobody", "q=Bulk+comment+7", "q=FB-2020-0001",
    ],
)  # fmt: skip
def test_the_queue_filters_and_searches_with_a_bounded_number_of_queries(
    client, published, reviewer, query, django_assert_max_num_queries
):
    _bulk(300)
    module = Section.objects.get(key="salw-marking")
    client.force_login(reviewer)
    with django_assert_max_num_queries(17):  # one query per filter listing rows
        response = client.get(f"{CHANGELIST}?{query}&module__id__exact={module.module_id}")
    assert response.status_code == 200


def test_a_filtered_list_exports_as_csv(client, published, reviewer):
    make_feedback(email="x@example.org", comment="=cmd|' /C calc'!A0", kind="editorial")
    make_feedback(email="y@example.org", kind="technical")
    client.force_login(reviewer)
    response = client.get(f"{EXPORT}?kind__exact=editorial")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][11] == "'=cmd|' /C calc'!A0"
    assert "x@example.org" in rows[1]


def test_an_editor_decides_responds_assigns_and_notes_in_one_save(
    client, published, editor, emails_sent, outbox
):
    item = make_feedback()
    client.force_login(editor)
    form = _change_form(
        item, status=Status.ACCEPTED_MODIFIED, assigned_to=editor.pk,
        response_en="We adapted your wording.", note="Discussed on Monday.",
        comment="Rewritten by an editor", email="hijack@example.org",
    )  # fmt: skip
    with emails_sent():
        response = client.post(_change_url(item), form)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED_MODIFIED and item.assigned_to == editor
    assert item.response_en == "We adapted your wording."
    # The contributor's words and address are never rewritten by the back office.
    assert item.comment == "A comment on salw-marking." and item.email == "a@example.org"
    kinds = list(item.events.values_list("kind", flat=True))
    assert kinds.count(EventKind.STATUS) == 1 and EventKind.NOTE in kinds
    assert EventKind.ASSIGNED in kinds
    assert outbox[-1].to == ["a@example.org"] and "We adapted your wording." in outbox[-1].body


def test_a_duplicate_needs_the_item_it_duplicates(client, published, editor):
    first, second = make_feedback(email="a@example.org"), make_feedback(email="b@example.org")
    client.force_login(editor)
    response = client.post(_change_url(second), _change_form(second, status=Status.DUPLICATE))
    assert response.status_code == 200
    assert "Say which item this one duplicates." in response.text
    client.post(
        _change_url(second), _change_form(second, status=Status.DUPLICATE, duplicate_of=first.pk)
    )
    second.refresh_from_db()
    assert second.duplicate_of == first


def test_bulk_status_change_records_each_item_and_skips_final_decisions(client, published, editor):
    items = [make_feedback(email=f"{n}@example.org") for n in range(3)]
    services.feedback_set_status(feedback=items[0], status=Status.ACCEPTED, user=editor)
    services.feedback_mark_addressed(section=items[0].section, items=[items[0]], user=editor)
    client.force_login(editor)
    selected = {ACTION_CHECKBOX_NAME: [i.pk for i in items], "action": "change_status"}
    page = client.post(CHANGELIST, selected)
    assert page.status_code == 200 and "Change the status of 3 items" in page.text
    response = client.post(
        CHANGELIST, {**selected, "apply": "1", "status": Status.SPAM}, follow=True
    )
    assert "2 items changed." in response.text
    assert list(Feedback.objects.order_by("pk").values_list("status", flat=True)) == [
        Status.ACCEPTED, Status.SPAM, Status.SPAM,
    ]  # fmt: skip


def test_feedback_is_never_deleted(client, published, superuser):
    item = make_feedback()
    client.force_login(superuser)
    delete = reverse("admin:feedback_feedback_delete", args=[item.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert "delete_selected" not in client.get(CHANGELIST).text
    assert Feedback.objects.filter(pk=item.pk).exists()


def test_an_editor_records_feedback_from_a_workshop(client, published, reviewer):
    client.force_login(reviewer)
    add = reverse("admin:feedback_feedback_add")
    assert 'value="web"' not in client.get(add).text
    response = client.post(add, {
        "source": "workshop", "source_detail": "Regional workshop, Almaty",
        "received_on": "2022-05-12", "edition": Edition.objects.current().pk, "language": "ru",
        "module": "", "section": Section.objects.get(key="salw-tracing").pk, "paragraph": "",
        "kind": "general", "comment": "Предложение участников.", "proposed_wording": "",
        "category": "organisation", "country": "", "name": "", "organisation": "", "email": "",
        "publishable": "on", "assigned_to": "", "note": "From the report.",
        "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0",
    })  # fmt: skip
    assert response.status_code == 302, response.text
    item = Feedback.objects.get()
    assert item.reference == f"FB-2022-{item.pk:04d}" and item.source == "workshop"
    assert item.section_key == "salw-tracing"
    assert item.events.filter(kind=EventKind.NOTE, actor=reviewer).exists()


def test_the_section_form_offers_accepted_feedback_and_records_what_the_change_addresses(
    client, published, editor
):
    item = make_feedback()
    make_feedback(email="open@example.org")  # still to decide: listed, not offered
    services.feedback_set_status(feedback=item, status=Status.ACCEPTED, user=editor)
    marking = Section.objects.get(key="salw-marking")
    client.force_login(editor)
    page = client.get(admin_change_url(marking))
    assert item.reference in page.text and "This change addresses" in page.text
    client.post(
        admin_change_url(marking),
        section_admin_form(marking, body_en="Addressed.", addresses_feedback=[item.pk]),
    )
    item.refresh_from_db()
    assert item.addressed_at is not None and item.addressed_by == editor
    publish_page = client.get(reverse("admin:modules_edition_add"))
    assert "1 accepted feedback item will become" in publish_page.text
    publish("1.1", user=editor)
    item.refresh_from_db()
    assert item.incorporated_in.number == "1.1"


def test_translators_are_not_offered_feedback_on_the_section_form(
    client, published, translator, editor
):
    item = make_feedback()
    services.feedback_set_status(feedback=item, status=Status.ACCEPTED, user=editor)
    client.force_login(translator)
    page = client.get(admin_change_url(Section.objects.get(key="salw-marking")))
    assert "This change addresses" not in page.text


def test_the_section_filter_lists_the_sections_of_the_chosen_module(client, published, reviewer):
    item = make_feedback("salw-tracing")
    make_feedback("salw-marking", email="b@example.org")
    client.force_login(reviewer)
    assert "By section" not in client.get(CHANGELIST).text
    page = client.get(f"{CHANGELIST}?module__id__exact={item.module_id}")
    assert "By section" in page.text and "Tracing" in page.text
    filtered = client.get(f"{CHANGELIST}?section__id__exact={item.section_id}")
    assert item.reference in filtered.text and "FB-" in filtered.text
    assert filtered.text.count('class="action-select"') == 1


def test_reviewers_see_the_items_history(client, published, reviewer, editor):
    item = make_feedback()
    services.feedback_note(feedback=item, text="Ask the IED team.", user=editor)
    client.force_login(reviewer)
    page = client.get(_change_url(item))
    assert "Ask the IED team." in page.text and "History" in page.text


def test_a_reference_search_finds_exactly_that_item(client, published, reviewer):
    first = make_feedback()
    make_feedback(email="other@example.org", comment=f"See {first.reference} too.")
    client.force_login(reviewer)
    page = client.get(f"{CHANGELIST}?q={first.reference.lower()}")
    assert page.text.count('class="action-select"') == 1


def test_the_russian_export_says_da_and_net_not_true_and_false(client, published, reviewer):
    make_feedback(email="x@example.org", may_name=True, publishable=False)
    client.force_login(reviewer)
    response = client.get(EXPORT, HTTP_ACCEPT_LANGUAGE="ru")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][18:20] == ["Да", "Нет"]
    assert "True" not in text and "False" not in text


def test_triage_records_each_decision_once_through_its_service(published, reviewer):
    """feedback_triage, as the item page calls it: what the contributor sent is saved as
    edited; status, public text, assignee and note each go through their service."""
    item = make_feedback(email="t@example.org")
    stored = Feedback.objects.get(pk=item.pk)
    item.status = Status.UNDER_REVIEW
    item.assigned_to = reviewer
    item.summary_en = "Polymer frames need a metal insert."
    item.section = Section.objects.get(key="salw-tracing")
    services.feedback_triage(feedback=item, stored=stored, note="Ask the experts.", user=reviewer)
    item.refresh_from_db()
    assert (item.status, item.assigned_to, item.section_key) == (
        Status.UNDER_REVIEW,
        reviewer,
        "salw-tracing",
    )
    kinds = list(item.events.order_by("pk").values_list("kind", flat=True))
    assert kinds.count(EventKind.STATUS) == 1 and kinds.count(EventKind.ASSIGNED) == 1
    assert kinds.count(EventKind.RESPONSE) == 1 and kinds.count(EventKind.NOTE) == 1


def test_triage_refuses_an_impossible_decision_and_saves_nothing(published, reviewer):
    item = make_feedback(email="t@example.org")
    stored = Feedback.objects.get(pk=item.pk)
    item.comment = "Edited comment."
    item.status = Status.DUPLICATE  # a duplicate of nothing
    with pytest.raises(ValidationError):
        services.feedback_triage(feedback=item, stored=stored, user=reviewer)
    assert Feedback.objects.get(pk=item.pk).comment != "Edited comment."


def test_a_rounds_triage_list_reads_as_many_queries_for_1000_items_as_for_10(
    client, published, reviewer
):
    from tests.feedback.test_rounds import open_round

    consultation = open_round(published)
    client.force_login(reviewer)
    url = f"{CHANGELIST}?round__id__exact={consultation.pk}&progress=open"
    _bulk(10)
    Feedback.objects.update(round=consultation)
    client.get(url)  # what a first page keeps per process
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _bulk(990, start=10)
    Feedback.objects.update(round=consultation)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.status_code == 200 and page.text.count('class="action-select"') == 50
    assert len(many) == len(few), [q["sql"][:80] for q in many]
