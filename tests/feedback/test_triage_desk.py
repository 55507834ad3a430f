"""The triage desk: each item with its comment and the paragraph it is about, filters in the
URL, decisions with response templates in both languages, decisions on many items at once,
and the decision page beside the paragraph, with neighbours, other comments and history."""

import json
import re

import pytest
from django.core import mail
from django.urls import reverse

from feedback import services
from feedback.models import (
    Confidentiality,
    EventKind,
    Feedback,
    FeedbackEvent,
    ResponseTemplate,
    Status,
)
from guidelines_portal.edit_guard import edit_token
from modules import services as content
from modules.models import Section
from tests.conftest import publish
from tests.feedback.conftest import make_feedback

pytestmark = pytest.mark.django_db
DESK = reverse("admin:feedback_feedback_triage")
BODY = (
    "Each firearm is marked at manufacture.\n\n"
    "Polymer frames carry a metal plate with the serial number.\n\n"
    "Imported firearms are marked again."
)


def decide_url(item: Feedback, query: str = "") -> str:
    return reverse("admin:feedback_feedback_decide", args=[item.pk]) + query


@pytest.fixture
def marking(draft):
    section = Section.objects.get(key="salw-marking")
    content.section_update(section=section, body_en=BODY, body_ru="Маркировка.\n\nРамки.")
    publish("1.0")
    return section


@pytest.fixture
def covered() -> ResponseTemplate:
    return ResponseTemplate.objects.create(
        title_en="Already covered",
        title_ru="Уже отражено",
        status=Status.NOT_ACCEPTED,
        response_en="Already covered in section B.4.",
        response_ru="Уже отражено в разделе B.4.",
    )


def decision(item: Feedback, **overrides) -> dict:
    """The decision form as a browser posts it, opened now."""
    item.refresh_from_db()
    data = {
        "status": item.status,
        "duplicate_of": "",
        "template": "",
        "response_en": item.response_en,
        "response_ru": item.response_ru,
        "note": "",
        "notify": "on",
        "edit_token": edit_token(item, ("status", "duplicate_of", "response_en", "response_ru")),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- The desk --------------------------------------------------------------------------------


def test_the_desk_shows_each_item_with_its_comment_paragraph_sender_and_assignee(
    editor_client, editor, marking
):
    item = make_feedback(paragraph=2, comment="Plates come loose.", country="KZ", category="state")
    services.feedback_assign(feedback=item, assignee=editor, user=editor)
    html = editor_client.get(DESK).content.decode()
    card = html[html.index(f'id="item-{item.pk}"') :]
    assert item.reference in card and "Plates come loose." in card
    assert "Polymer frames carry a metal plate with the serial number." in card  # quoted
    assert "Kazakhstan" in card and "Member State official" in card
    assert "assigned to editor" in card and "paragraph 2" in card and "edition 1.0" in card
    assert decide_url(item) in card


def test_the_desk_speaks_russian(client, editor, marking):
    client.force_login(editor)
    make_feedback(comment="Рамки.", language="ru", paragraph=1, category="state", country="KZ")
    html = client.get(DESK, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "<title>Разбор |" in html and "Казахстан" in html and "не назначен" in html
    assert "Tick " not in html and " ago" not in html and "assigned to" not in html
    assert "Маркировка." in html  # the Russian paragraph the contributor read


def test_filters_are_kept_in_the_url_and_on_the_links_to_each_decision(
    editor_client, editor, marking
):
    mine = make_feedback(comment="Mine.")
    other = make_feedback(comment="Not mine.", email="b@example.org")
    services.feedback_assign(feedback=mine, assignee=editor, user=editor)
    html = editor_client.get(DESK + "?assigned=me").content.decode()
    assert "Mine." in html and "Not mine." not in html
    assert decide_url(mine, "?assigned=me") in html
    assert other.reference not in html


def test_bad_filters_send_the_desk_back_to_all_items_with_a_message(editor_client, marking):
    response = editor_client.get(DESK + "?status__in=nonsense&created_at__gte=never", follow=True)
    assert response.status_code == 200
    assert "were not understood" in response.content.decode()


def test_a_restricted_comment_is_not_shown_to_reviewers_who_may_not_read_it(
    client, reviewer, editor, marking
):
    item = make_feedback(comment="Secret seizure details.")
    services.feedback_set_publication(
        feedback=item, user=editor, confidentiality=Confidentiality.SECRETARIAT
    )
    client.force_login(reviewer)
    for url in (DESK, decide_url(item)):
        html = client.get(url).content.decode()
        assert "Secret seizure details." not in html and "Restricted:" in html
    client.force_login(editor)
    assert "Secret seizure details." in client.get(DESK).content.decode()


def test_the_desk_costs_the_same_queries_for_five_items_or_fifty(
    editor_client, marking, django_assert_max_num_queries
):
    for n in range(5):
        make_feedback(comment=f"Comment {n}.", paragraph=1 + n % 3, email=f"{n}@example.org")
    with django_assert_max_num_queries(18) as few:
        editor_client.get(DESK)
    for n in range(5, 50):
        make_feedback(comment=f"Comment {n}.", paragraph=1 + n % 3, email=f"{n}@example.org")
    with django_assert_max_num_queries(len(few.captured_queries)):
        editor_client.get(DESK)


def test_reviewers_use_the_desk_and_staff_without_permissions_do_not(
    client, reviewer, staff_without_permissions, marking
):
    item = make_feedback()
    client.force_login(reviewer)
    assert client.get(DESK).status_code == 200
    assert client.get(decide_url(item)).status_code == 200
    client.force_login(staff_without_permissions)
    assert client.get(DESK).status_code == 403
    assert client.post(decide_url(item), decision(item, status=Status.SPAM)).status_code == 403
    item.refresh_from_db()
    assert item.status == Status.RECEIVED


def test_an_unknown_item_is_a_404(editor_client, marking):
    assert (
        editor_client.get(reverse("admin:feedback_feedback_decide", args=[99999])).status_code
        == 404
    )
    assert editor_client.get("/admin/feedback/feedback/abc/decide/").status_code == 404


# --- Deciding on one item ------------------------------------------------------------------


def test_the_decision_page_shows_paragraph_comment_and_proposed_wording_side_by_side(
    editor_client, marking
):
    item = make_feedback(
        paragraph=2,
        comment="Say steel.",
        proposed_wording="Polymer frames carry a steel plate with the serial number.",
    )
    earlier = make_feedback(paragraph=2, comment="Earlier.", email="b@example.org")
    html = editor_client.get(decide_url(item)).content.decode()
    panes = html[html.index("decide__side-by-side") : html.index("decide__form")]
    assert "Polymer frames carry a metal plate with the serial number." in panes
    assert "Say steel." in panes
    assert re.search(r"<del[^>]*>.*metal", panes) and re.search(r"<ins[^>]*>.*steel", panes)
    assert earlier.reference in html  # another comment on the same paragraph
    assert "Received" in html[html.index("history-title") :]  # the history


def test_a_template_fills_both_responses_and_the_contributor_is_told(
    editor_client, editor, marking, covered, django_capture_on_commit_callbacks
):
    item = make_feedback(comment="Add a note on plates.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            decide_url(item),
            decision(item, status=Status.NOT_ACCEPTED, template=str(covered.pk), note="Seen."),
        )
    assert response.status_code == 302
    assert response.url == reverse("admin:feedback_feedback_triage") + f"#item-{item.pk}"
    item.refresh_from_db()
    assert item.status == Status.NOT_ACCEPTED
    assert item.response_en == "Already covered in section B.4."
    assert item.response_ru == "Уже отражено в разделе B.4."
    kinds = set(FeedbackEvent.objects.filter(feedback=item).values_list("kind", flat=True))
    assert {EventKind.STATUS, EventKind.RESPONSE, EventKind.NOTE} <= kinds


def test_typed_responses_win_over_the_template(editor_client, marking, covered):
    item = make_feedback()
    editor_client.post(
        decide_url(item),
        decision(
            item,
            status=Status.NOT_ACCEPTED,
            template=str(covered.pk),
            response_en="Our own words.\r\nTwo lines.",
        ),
    )
    item.refresh_from_db()
    assert item.response_en == "Our own words.\nTwo lines."  # as typed, LF line ends
    assert item.response_ru == "Уже отражено в разделе B.4."  # the empty one from the template


def test_save_and_next_goes_to_the_next_item_with_the_filters(editor_client, marking):
    older = make_feedback(comment="Older.")
    newer = make_feedback(comment="Newer.", email="b@example.org")
    response = editor_client.post(
        decide_url(newer, "?progress=to_decide"),
        {**decision(newer, status=Status.UNDER_REVIEW), "_next": "1"},
    )
    assert response.url == decide_url(older, "?progress=to_decide")
    html = editor_client.get(response.url).content.decode()
    assert 'rel="prev"' in html and "Last item" in html


def test_neighbours_follow_the_column_order_the_reviewer_chose(editor_client, marking):
    first, second, third = (
        make_feedback(comment=f"Comment {n}.", email=f"{n}@example.org") for n in range(3)
    )
    # Newest first by default: after the third comes the second.
    html = editor_client.get(decide_url(third)).content.decode()
    assert decide_url(second) in html
    # By reference, ascending (?o=1): after the first comes the second, nothing before it.
    html = editor_client.get(decide_url(first, "?o=1")).content.decode()
    assert decide_url(second, "?o=1") in html and 'rel="prev"' not in html
    response = editor_client.post(
        decide_url(second, "?o=1"),
        {**decision(second, status=Status.UNDER_REVIEW), "_next": "1"},
    )
    assert response.url == decide_url(third, "?o=1")


def test_the_decision_page_offers_the_templates_to_the_script(editor_client, marking, covered):
    ResponseTemplate.objects.create(
        title_en="Retired",
        title_ru="Старый",
        response_en="Old.",
        response_ru="Старое.",
        active=False,
    )
    html = editor_client.get(decide_url(make_feedback())).content.decode()
    data = re.search(
        r'<script id="response-templates" type="application/json">(.*?)</script>', html
    )
    assert json.loads(data.group(1)) == {
        str(covered.pk): {"en": covered.response_en, "ru": covered.response_ru}
    }
    assert "Retired" not in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"status": "nonsense"}, "Select a valid choice"),
        ({"status": Status.DUPLICATE}, "Say which item this one duplicates."),
        ({"status": Status.DUPLICATE, "duplicate_of": "FB-1"}, "Write a reference like"),
        (
            {"status": Status.DUPLICATE, "duplicate_of": "FB-2026-99999"},
            "No item has the reference",
        ),
        ({"status": Status.NOT_ACCEPTED, "template": "999"}, "Select a valid choice"),
        ({"response_en": "x" * 5001}, "at most 5000 characters"),
        ({"edit_token": "stale"}, "Someone else decided on this item"),
    ],
)
def test_bad_decisions_are_refused_with_the_text_kept(editor_client, marking, overrides, message):
    item = make_feedback()
    data = decision(item, response_ru="Мой ответ <script>alert(1)</script>", **overrides)
    response = editor_client.post(decide_url(item), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Мой ответ &lt;script&gt;alert(1)&lt;/script&gt;" in html  # kept, escaped
    item.refresh_from_db()
    assert item.status == Status.RECEIVED and item.response_ru == ""


def test_a_decision_taken_meanwhile_is_not_overwritten(editor_client, editor, marking):
    item = make_feedback()
    opened = decision(item, status=Status.NOT_ACCEPTED, response_en="Mine.")
    services.feedback_decide(
        feedback=item, status=Status.ACCEPTED, response_en="Theirs.", user=editor
    )
    response = editor_client.post(decide_url(item), opened)
    assert "Someone else decided on this item" in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.response_en) == (Status.ACCEPTED, "Theirs.")


def test_a_duplicate_names_its_item_by_reference(editor_client, marking):
    first = make_feedback(comment="First.")
    second = make_feedback(comment="Again.", email="b@example.org")
    editor_client.post(
        decide_url(second),
        decision(
            second, status=Status.DUPLICATE, duplicate_of=first.reference.lower(), notify=None
        ),
    )
    second.refresh_from_db()
    assert second.status == Status.DUPLICATE and second.duplicate_of == first


def test_the_decision_page_counts_its_queries(
    editor_client, marking, covered, django_assert_max_num_queries
):
    item = make_feedback(paragraph=2, proposed_wording="Polymer frames carry a steel plate.")
    # The filters' choices are read twice, as the feedback list itself does (ChangeList).
    with django_assert_max_num_queries(27):
        editor_client.get(decide_url(item, "?progress=to_decide"))


# --- Deciding on many items --------------------------------------------------------------


def test_a_bulk_decision_gives_the_template_only_to_items_without_a_response(
    editor_client, editor, marking, covered
):
    plain = make_feedback(comment="One.")
    answered = make_feedback(comment="Two.", email="b@example.org")
    untouched = make_feedback(comment="Three.", email="c@example.org")
    services.feedback_edit_public_texts(feedback=answered, user=editor, response_en="Written.")
    response = editor_client.post(
        DESK + "?progress=to_decide",
        {"item": [plain.pk, answered.pk], "status": Status.NOT_ACCEPTED, "template": covered.pk},
        follow=True,
    )
    html = response.content.decode()
    assert "2 items changed." in html and "already had a response" in html
    for item in (plain, answered, untouched):
        item.refresh_from_db()
    assert plain.status == answered.status == Status.NOT_ACCEPTED
    assert plain.response_en == covered.response_en and answered.response_en == "Written."
    assert untouched.status == Status.RECEIVED
    assert response.redirect_chain[0][0] == DESK + "?progress=to_decide"


def test_a_bulk_decision_reports_each_refused_item_and_keeps_the_others(
    editor_client, editor, marking
):
    publish_ready = make_feedback(comment="Accepted and addressed.")
    services.feedback_set_status(feedback=publish_ready, status=Status.ACCEPTED, user=editor)
    services.feedback_mark_addressed(
        section=publish_ready.section, items=[publish_ready], user=editor
    )
    other = make_feedback(comment="Fine.", email="b@example.org")
    html = editor_client.post(
        DESK,
        {"item": [publish_ready.pk, other.pk], "status": Status.OUT_OF_SCOPE},
        follow=True,
    ).content.decode()
    assert "1 items changed." in html and f"{publish_ready.reference}: A change" in html
    other.refresh_from_db()
    assert other.status == Status.OUT_OF_SCOPE


def test_a_bulk_decision_without_ticks_or_outside_the_filters_changes_nothing(
    editor_client, editor, marking
):
    item = make_feedback()
    html = editor_client.post(DESK, {"status": Status.SPAM}).content.decode()
    assert "Tick the items the decision is for." in html
    editor_client.post(DESK + "?assigned=me", {"item": [item.pk], "status": Status.SPAM})
    hostile = editor_client.post(DESK, {"item": ["x", "-1", "٣", "9" * 5000], "status": "spam"})
    assert hostile.status_code == 200 and "Tick the items" in hostile.content.decode()
    html = editor_client.post(DESK, {"item": [item.pk], "status": ""}).content.decode()
    assert "This field is required." in html
    assert f'value="{item.pk}" id="tick-{item.pk}" checked' in html  # the ticks are kept
    item.refresh_from_db()
    assert item.status == Status.RECEIVED


def test_the_list_links_to_the_desk_with_its_filters(editor_client, marking):
    html = editor_client.get(
        reverse("admin:feedback_feedback_changelist") + "?progress=to_decide"
    ).content.decode()
    assert f'href="{DESK}?progress=to_decide"' in html


# --- Templates in the back office ------------------------------------------------------------


def test_editors_write_templates_and_nobody_deletes_them(editor_client, covered):
    add = reverse("admin:feedback_responsetemplate_add")
    response = editor_client.post(
        add,
        {
            "title_en": "Thanks",
            "title_ru": "Спасибо",
            "status": "",
            "response_en": "Thank you.\r\nTwo lines.",
            "response_ru": "Спасибо.",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert ResponseTemplate.objects.get(title_en="Thanks").response_en == "Thank you.\nTwo lines."
    delete = reverse("admin:feedback_responsetemplate_delete", args=[covered.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 403


@pytest.mark.parametrize("query", ["?p=99999", "?p=" + "9" * 5000, "?o=nonsense", "?q=%00"])
def test_hostile_desk_addresses_never_fail(editor_client, marking, query):
    item = make_feedback()
    for url in (DESK + query, decide_url(item, query)):
        response = editor_client.get(url, follow=True)
        assert response.status_code in (200, 400), url
