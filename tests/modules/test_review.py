"""Clearance before publishing: a change is submitted for review and approved by someone who
did not make it; publishing without approval, or without an up-to-date Russian text, needs a
recorded reason."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import ensure_editors_group
from modules import services
from modules.models import Edition, ReviewStatus, Section
from modules.selectors import draft_overview, section_clearance
from tests.conftest import publish

pytestmark = pytest.mark.django_db

PUBLISH = "/admin/modules/edition/add/"


def marking() -> Section:
    return Section.objects.get(key="salw-marking")


@pytest.fixture
def second_editor(db) -> User:
    person = User.objects.create_user("second", password="x", is_staff=True)
    person.groups.add(ensure_editors_group())
    return person


def changed_by(user: User, **texts) -> Section:
    return services.section_update(section=marking(), user=user, **texts)


# --- The services ---------------------------------------------------------------------------


def test_a_change_is_approved_by_someone_who_did_not_make_it(published, editor, second_editor):
    changed_by(editor, body_en="New.", body_ru="Новое.")
    review = services.section_submit(section=marking(), user=editor)
    assert section_clearance(marking()).status == ReviewStatus.SUBMITTED
    # Submitting the same text again changes nothing.
    assert services.section_submit(section=marking(), user=editor) == review
    with pytest.raises(ValidationError, match="someone else reviews it"):
        services.section_review_decide(review=review, user=editor, approve=True)
    decided = services.section_review_decide(review=review, user=second_editor, approve=True)
    assert (decided.status, decided.decided_by) == (ReviewStatus.APPROVED, second_editor)
    assert [s.review for s in draft_overview().changed] == ["approved"]
    assert draft_overview().not_approved == []


def test_whoever_changed_the_section_cannot_approve_it_even_if_another_submitted(
    published, editor, second_editor
):
    changed_by(second_editor, body_en="New.", body_ru="Новое.")
    review = services.section_submit(section=marking(), user=editor)
    with pytest.raises(ValidationError, match="someone else reviews it"):
        services.section_review_decide(review=review, user=second_editor, approve=True)


def test_a_change_after_submission_lapses_it_and_says_so(published, editor, second_editor):
    changed_by(editor, body_en="New.", body_ru="Новое.")
    review = services.section_submit(section=marking(), user=editor)
    changed_by(editor, body_en="Newer.", body_ru="Новее.")
    assert section_clearance(marking()).status == "lapsed"
    with pytest.raises(ValidationError, match="changed after it was submitted"):
        services.section_review_decide(review=review, user=second_editor, approve=True)
    # An approval lapses the same way.
    review = services.section_submit(section=marking(), user=editor)
    services.section_review_decide(review=review, user=second_editor, approve=True)
    changed_by(editor, body_en="Newest.", body_ru="Новейшее.")
    assert [s.review for s in draft_overview().changed] == ["lapsed"]
    assert section_clearance(marking()).label == "changed since it was submitted"


def test_sending_back_needs_a_comment_and_is_decided_once(published, editor, second_editor):
    changed_by(editor, body_en="New.", body_ru="Новое.")
    review = services.section_submit(section=marking(), user=editor)
    with pytest.raises(ValidationError, match="Say what should change"):
        services.section_review_decide(review=review, user=second_editor, approve=False)
    services.section_review_decide(
        review=review, user=second_editor, approve=False, comment="Cite the tracing standard."
    )
    assert section_clearance(marking()).status == ReviewStatus.RETURNED
    with pytest.raises(ValidationError, match="already been reviewed"):
        services.section_review_decide(review=review, user=second_editor, approve=True)


def test_an_unchanged_section_has_nothing_to_review(published, editor):
    with pytest.raises(ValidationError, match="nothing to review"):
        services.section_submit(section=marking(), user=editor)


def test_publishing_names_what_is_not_cleared_and_goes_ahead_only_with_a_reason(
    published, editor, second_editor
):
    changed_by(editor, body_en="New.")  # the Russian text is now older than the English
    with pytest.raises(ValidationError) as refused:
        publish("1.1", clearance=True)
    reasons = " ".join(refused.value.message_dict["override_reason"])
    assert "1 change is not approved: B.1.2." in reasons
    assert "1 section has no up-to-date Russian text: B.1.2." in reasons
    edition = publish("1.1", clearance=True, override_reason="Needed for the workshop.")
    assert edition.override_reason == "Needed for the workshop."


def test_a_cleared_draft_publishes_without_a_reason(published, editor, second_editor):
    changed_by(editor, body_en="New.", body_ru="Новое.")
    review = services.section_submit(section=marking(), user=editor)
    services.section_review_decide(review=review, user=second_editor, approve=True)
    edition = publish("1.1", clearance=True)
    assert edition.override_reason == ""


# --- The back office -----------------------------------------------------------------------


def review_url(section: Section) -> str:
    return f"/admin/modules/section/{section.pk}/review/"


def test_the_review_page_shows_the_change_and_lets_each_do_their_part(
    client, published, editor, second_editor
):
    changed_by(editor, body_en="Mark every frame.", body_ru="Маркируйте каждую рамку.")
    client.force_login(editor)
    page = client.get(review_url(marking()))
    assert page.status_code == 200
    assert "Not submitted for review" in page.text and "<ins>" in page.text
    assert 'value="submit"' in page.text and 'value="approve"' not in page.text
    response = client.post(review_url(marking()), {"action": "submit"}, follow=True)
    assert "The change is submitted for review." in response.text
    assert 'value="approve"' not in response.text  # not to its author

    client.force_login(second_editor)
    page = client.get(review_url(marking()))
    assert 'value="approve"' in page.text and 'value="return"' in page.text
    response = client.post(review_url(marking()), {"action": "return"}, follow=True)
    assert "Say what should change" in response.text
    response = client.post(
        review_url(marking()), {"action": "return", "comment": "Cite <b>the</b> standard."},
        follow=True,
    )  # fmt: skip
    assert "sent back to its authors" in response.text
    assert "Cite &lt;b&gt;the&lt;/b&gt; standard." in response.text
    assert section_clearance(marking()).status == ReviewStatus.RETURNED


def test_the_section_form_links_to_its_review(editor_client, published, editor):
    changed_by(editor, body_en="New.")
    page = editor_client.get(f"/admin/modules/section/{marking().pk}/change/")
    assert "not submitted for review" in page.text and review_url(marking()) in page.text


def test_only_editors_submit_and_review(client, translator, reviewer, published, editor):
    changed_by(editor, body_en="New.", body_ru="Новое.")
    for person in (translator, reviewer):
        client.force_login(person)
        for action in ("submit", "approve"):
            assert client.post(review_url(marking()), {"action": action}).status_code == 403
    client.force_login(translator)
    assert client.get(review_url(marking())).status_code == 200  # they may read it
    assert not marking().reviews.exists()


def test_an_unknown_action_is_a_clear_message(editor_client, published):
    response = editor_client.post(review_url(marking()), {"action": "x"}, follow=True)
    assert "Choose what to do with the change." in response.text


def test_the_publish_form_asks_for_a_reason_and_records_it(editor_client, published, editor):
    changed_by(editor, body_en="New.", body_ru="Новое.")
    data = {"number": "1.1", "published_on": timezone.localdate().isoformat(),
            "change_summary_en": "New.", "change_summary_ru": ""}  # fmt: skip
    page = editor_client.post(PUBLISH, data)
    assert "1 change is not approved: B.1.2." in page.context["form"].errors["override_reason"][0]
    page = editor_client.post(PUBLISH, {**data, "override_reason": "The workshop needs it."})
    assert page.context["fingerprint"]
    assert (
        "Published without clearance because" in page.text and "The workshop needs it." in page.text
    )
    confirmed = {**data, "override_reason": "The workshop needs it.", "publish": "1",
                 "fingerprint": page.context["fingerprint"]}  # fmt: skip
    assert editor_client.post(PUBLISH, confirmed).status_code == 302
    assert Edition.objects.current().override_reason == "The workshop needs it."


def test_the_review_page_runs_a_fixed_number_of_queries(
    editor_client, published, editor, django_assert_max_num_queries
):
    changed_by(editor, body_en="New.")
    # The session, the user, the section, its clearance, its authors, the diff, its reviews.
    with django_assert_max_num_queries(20):
        assert editor_client.get(review_url(marking())).status_code == 200


def test_the_review_page_has_no_english_for_a_russian_editor(client, published, editor):
    from tests.test_russian_completeness import english_in, english_words, visible_text

    changed_by(editor, body_en="New.", body_ru="Новое.")
    services.section_submit(section=marking(), user=editor)
    client.force_login(editor)
    text = visible_text(client.get(review_url(marking()), HTTP_ACCEPT_LANGUAGE="ru").text)
    text = text.replace("editor", "").replace("SALW", "")
    assert "Ожидает проверки" in text
    assert english_in(text, english_words()) == []


def test_an_approval_that_lapses_before_the_click_sends_the_editor_back_to_the_form(
    editor_client, published, editor, second_editor
):
    changed_by(second_editor, body_en="New.", body_ru="Новое.")
    review = services.section_submit(section=marking(), user=second_editor)
    services.section_review_decide(review=review, user=editor, approve=True)
    data = {"number": "1.1", "published_on": timezone.localdate().isoformat(),
            "change_summary_en": "New.", "change_summary_ru": ""}  # fmt: skip
    page = editor_client.post(PUBLISH, data)
    confirmed = {**data, "publish": "1", "fingerprint": page.context["fingerprint"]}
    # The draft is edited, and the approval lapses, between the review and the click.
    changed_by(second_editor, body_en="Newer.", body_ru="Новее.")
    response = editor_client.post(PUBLISH, confirmed)
    assert "fingerprint" not in response.context  # back on the form, the reason at its field
    assert "not approved" in response.context["form"].errors["override_reason"][0]
    assert Edition.objects.count() == 1


def test_the_section_list_filters_by_review(editor_client, published, editor, second_editor):
    changed_by(editor, body_en="New.", body_ru="Новое.")
    tracing = Section.objects.get(key="salw-tracing")
    services.section_update(section=tracing, user=editor, body_en="Traced.", body_ru="След.")
    services.section_submit(section=marking(), user=editor)

    def listed(value: str) -> set[str]:
        page = editor_client.get(f"/admin/modules/section/?review={value}")
        return {s.key for s in page.context["cl"].result_list}

    assert listed("submitted") == {"salw-marking"}
    assert listed("not_approved") == {"salw-marking", "salw-tracing"}
    assert listed("approved") == set()
    assert len(listed("nonsense")) == Section.objects.count()  # an unknown value: all of them
