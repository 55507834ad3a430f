"""Consultation rounds: opened, extended and shown in both languages; comments sent in a round
belong to it, and a deadline is kept (refused, or accepted and marked late, as the round says)."""

import datetime
import re
import time

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.models import ConsultationRound, Feedback, LateComments
from modules.models import Module
from tests.conftest import make_module, make_section, publish
from tests.feedback.conftest import submit

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def open_round(
    edition, *, opens=-datetime.timedelta(minutes=5), closes=10 * DAY, modules=(), **texts
):
    now = timezone.now()
    values = {
        "title_en": "Consultation on edition 1.0", "title_ru": "Консультация по изданию 1.0",
        "description_en": "Comments on the text are invited.",
        "description_ru": "Приглашаем высказать замечания.",
        "contact_email": "guidelines@example.org", **texts,
    }  # fmt: skip
    return services.round_open(
        edition=edition, opens_at=now + opens, closes_at=now + closes,
        whole_text=not modules, modules=modules, **values,
    )  # fmt: skip


@pytest.fixture
def two_modules(published):
    """Edition 1.1, with a second module (UAS) beside SALW: (edition, UAS module)."""
    uas = make_module("UAS", order=2, prefix="D.")
    make_section(uas, "uas-registration", title_en="Registration")
    return publish("1.1"), uas


def close(consultation: ConsultationRound) -> None:
    """The deadline has just passed (a round's dates are otherwise never moved back)."""
    past = timezone.now() - datetime.timedelta(microseconds=1)
    ConsultationRound.objects.filter(pk=consultation.pk).update(opens_at=past - DAY, closes_at=past)


# --- Opening, changing, extending ------------------------------------------------------


def test_a_round_is_opened_on_the_whole_text_or_on_modules(two_modules):
    edition, uas = two_modules
    whole = open_round(edition)
    assert whole.whole_text and not whole.modules.exists()
    assert whole.opens_at.microsecond == 0
    later = open_round(edition, opens=11 * DAY, closes=20 * DAY, modules=[uas])
    assert list(later.modules.all()) == [uas] and not later.whole_text


@pytest.mark.parametrize(
    ("opens", "closes", "field", "message"),
    [
        (-DAY, 10 * DAY, "opens_at", "The opening date and time are in the past."),
        (-2 * DAY, -DAY, "closes_at", "The closing date and time are in the past."),
        (2 * DAY, DAY, "closes_at", "The round must close after it opens."),
    ],
)
def test_dates_in_the_past_or_closing_before_opening_are_refused(
    published, opens, closes, field, message
):
    with pytest.raises(ValidationError) as error:
        open_round(published, opens=opens, closes=closes)
    assert message in error.value.message_dict[field]
    assert not ConsultationRound.objects.exists()


def test_rounds_on_the_same_part_of_the_text_never_overlap(two_modules, draft):
    edition, uas = two_modules
    salw_round = open_round(edition, modules=[draft])
    with pytest.raises(ValidationError, match="overlap the round"):
        open_round(edition, opens=DAY, closes=5 * DAY)  # the whole text holds SALW
    with pytest.raises(ValidationError, match="overlap the round"):
        open_round(edition, opens=DAY, closes=5 * DAY, modules=[draft, uas])
    # Another module at the same time, or the same one after the first closes: welcome.
    open_round(edition, modules=[uas])
    open_round(edition, opens=11 * DAY, closes=12 * DAY, modules=[draft])
    assert ConsultationRound.objects.count() == 3
    assert salw_round.pk


def test_a_deadline_moves_only_later_and_with_a_reason(published, editor):
    consultation = open_round(published)
    before = consultation.closes_at
    with pytest.raises(ValidationError) as error:
        services.round_extend(consultation=consultation, closes_at=before - HOUR, reason_en="x")
    assert "An extension moves the deadline later." in error.value.message_dict["closes_at"]
    with pytest.raises(ValidationError) as error:
        services.round_extend(consultation=consultation, closes_at=before + DAY, reason_en="  ")
    assert error.value.message_dict["reason_en"]
    extension = services.round_extend(
        consultation=consultation, closes_at=before + DAY, user=editor,
        reason_en="Several States asked for more time.",
        reason_ru="Несколько государств попросили больше времени.",
    )  # fmt: skip
    consultation.refresh_from_db()
    assert consultation.closes_at == before + DAY
    assert (extension.closes_at_before, extension.extended_by) == (before, editor)


def test_once_open_a_rounds_opening_and_scope_stay(published, draft):
    consultation = open_round(published)
    with pytest.raises(ValidationError, match="has opened"):
        services.round_update(consultation=consultation, whole_text=False, modules=[draft])
    services.round_update(consultation=consultation, title_en="Consultation, renamed")
    consultation.refresh_from_db()
    assert consultation.title_en == "Consultation, renamed" and consultation.whole_text


# --- Public pages ------------------------------------------------------------------------


def test_the_rounds_page_lists_open_upcoming_and_closed_rounds(
    client, two_modules, draft, django_assert_max_num_queries
):
    edition, uas = two_modules
    open_round(edition, title_en="Open round", modules=[draft])
    open_round(edition, opens=20 * DAY, closes=30 * DAY, title_en="Later round")
    closed = open_round(edition, title_en="Past round", modules=[uas])
    close(closed)
    with django_assert_max_num_queries(5):
        response = client.get("/en/feedback/rounds/")
    text = response.text
    assert response.status_code == 200
    assert text.index("Open round") < text.index("Later round") < text.index("Past round")
    assert "UTC" in text and 'data-local-label="your time"' in text
    ru = client.get("/ru/feedback/rounds/").text
    assert "Раунды консультаций" in ru
    assert "Консультация по изданию 1.0" in ru


def test_a_rounds_page_says_when_and_why_its_deadline_moved(
    client, published, django_assert_max_num_queries
):
    consultation = open_round(published)
    services.round_extend(
        consultation=consultation, closes_at=consultation.closes_at + DAY,
        reason_en="Several States asked for more time.",
        reason_ru="Несколько государств попросили больше времени.",
    )  # fmt: skip
    url = reverse("feedback:round", kwargs={"pk": consultation.pk})
    with django_assert_max_num_queries(6):
        response = client.get(url)
    assert "Several States asked for more time." in response.text
    assert "Send a comment" in response.text
    ru = client.get(url.replace("/en/", "/ru/")).text
    assert "Несколько государств попросили больше времени." in ru
    assert "Консультация по изданию 1.0" in ru


def test_an_unknown_round_is_a_404_in_the_readers_language(client, published):
    assert client.get("/en/feedback/rounds/999/").status_code == 404
    assert client.get("/ru/feedback/rounds/abc/").status_code == 404


def test_descriptions_are_shown_as_text_never_as_markup(client, published):
    consultation = open_round(published, description_en="<script>alert(1)</script>")
    page = client.get(reverse("feedback:round", kwargs={"pk": consultation.pk})).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- Comments in a round -----------------------------------------------------------------

SHOWN = re.compile(r'name="rounds" value="([^"]+)"')


def shown_rounds(client, url: str = "/en/feedback/") -> str:
    """The form's signed list of the rounds it names as open, as a browser sends it back."""
    return SHOWN.search(client.get(url).text).group(1)


def test_the_form_names_the_open_round_and_its_deadline(client, published):
    open_round(published)
    page = client.get("/ru/feedback/").text
    assert "Консультация по изданию 1.0" in page
    assert SHOWN.search(page)


def test_a_comment_sent_in_an_open_round_belongs_to_it(client, published):
    consultation = open_round(published)
    response = submit(client, rounds=shown_rounds(client))
    assert response.status_code == 302
    item = Feedback.objects.get()
    assert (item.round, item.late) == (consultation, False)


def test_a_comment_outside_the_rounds_scope_is_an_ordinary_comment(client, two_modules):
    edition, uas = two_modules
    open_round(edition, modules=[uas])
    assert submit(client).status_code == 302  # about salw-marking
    assert Feedback.objects.get().round is None


def test_a_deadline_passed_while_the_form_was_open_refuses_and_keeps_the_text(client, published):
    consultation = open_round(published)
    shown = shown_rounds(client)
    close(consultation)
    response = submit(client, rounds=shown, comment="Sent a minute too late.")
    assert response.status_code == 409
    assert "closed on" in response.text and "does not take late comments" in response.text
    assert "Sent a minute too late." in response.text  # nothing lost
    assert 'name="rounds"' not in response.text
    assert not Feedback.objects.exists()
    # Sent again from that page: a comment for a later revision, outside the round.
    again = submit(client, comment="Sent a minute too late.")
    assert again.status_code == 302
    assert Feedback.objects.get().round is None


def test_a_round_that_takes_late_comments_keeps_them_marked_late(client, published):
    consultation = open_round(published, late_comments=LateComments.ACCEPT)
    shown = shown_rounds(client)
    close(consultation)
    assert submit(client, rounds=shown).status_code == 302
    item = Feedback.objects.get()
    assert (item.round, item.late) == (consultation, True)


def test_a_double_click_after_the_deadline_lands_on_the_receipt_not_a_refusal(client, published):
    consultation = open_round(published)
    shown = shown_rounds(client)
    assert submit(client, rounds=shown).status_code == 302  # just in time
    close(consultation)
    again = submit(client, rounds=shown)  # the second click, after the deadline
    assert again.status_code in (200, 302) and Feedback.objects.get().round == consultation


def test_a_form_opened_after_the_deadline_cannot_join_the_round(client, published):
    consultation = open_round(published, late_comments=LateComments.ACCEPT)
    close(consultation)
    # The closed round's id, written by hand, or a form signed after the deadline.
    attempts = (str(consultation.pk), f"{consultation.pk},1", shown_rounds_after(client))
    for n, rounds in enumerate(attempts):
        assert submit(client, rounds=rounds, comment=f"Attempt {n}.").status_code == 302
    assert Feedback.objects.count() == 3
    assert not Feedback.objects.filter(round__isnull=False).exists()


def shown_rounds_after(client) -> str:
    from feedback.views import _rounds_token

    return _rounds_token([ConsultationRound.objects.get().pk])


@pytest.mark.parametrize("rounds", ["abc", "-1", "1,2,x", "9" * 40, "", "e30:1:abc"])
def test_a_tampered_list_of_shown_rounds_is_ignored(client, published, rounds):
    consultation = open_round(published, late_comments=LateComments.ACCEPT)
    close(consultation)
    assert submit(client, rounds=rounds).status_code == 302
    assert Feedback.objects.get().round is None


# --- The back office ---------------------------------------------------------------------


def round_form(on, **overrides) -> dict:
    now = timezone.now()
    opens, closes = now + HOUR, now + 10 * DAY
    data = {
        "title_en": "Consultation on edition 1.0", "title_ru": "",
        "description_en": "Comments are invited.", "description_ru": "",
        "edition": on.pk, "whole_text": "on",
        "opens_at_0": opens.strftime("%Y-%m-%d"), "opens_at_1": opens.strftime("%H:%M:%S"),
        "closes_at_0": closes.strftime("%Y-%m-%d"), "closes_at_1": closes.strftime("%H:%M:%S"),
        "contact_email": "guidelines@example.org", "late_comments": "refuse",
    }  # fmt: skip
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_editor_opens_a_round_in_the_back_office(editor_client, editor, published):
    response = editor_client.post(
        reverse("admin:feedback_consultationround_add"), round_form(published)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    consultation = ConsultationRound.objects.get()
    assert consultation.created_by == editor and consultation.whole_text
    # The back office's own record of the addition names it.
    entry = LogEntry.objects.get(content_type__model="consultationround")
    assert entry.object_id == str(consultation.pk) and entry.user == editor


def test_the_back_office_shows_every_date_error_at_once_and_keeps_the_text(
    editor_client, published
):
    past = timezone.now() - 2 * DAY
    response = editor_client.post(
        reverse("admin:feedback_consultationround_add"),
        round_form(published, closes_at_0=past.strftime("%Y-%m-%d"), title_en="Kept title"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "closes_at" in errors
    assert "Kept title" in response.text
    assert not ConsultationRound.objects.exists()


def test_an_extension_in_the_back_office_needs_a_reason(editor_client, published):
    consultation = open_round(published)
    url = reverse("admin:feedback_consultationround_change", args=[consultation.pk])
    later = consultation.closes_at + DAY
    data = round_form(
        published, closes_at_0=later.strftime("%Y-%m-%d"),
        closes_at_1=later.strftime("%H:%M:%S"), edition=None, whole_text=None,
        opens_at_0=None, opens_at_1=None,
    )  # fmt: skip
    refused = editor_client.post(url, data)
    assert refused.status_code == 200
    assert "extension_reason_en" in refused.context["adminform"].form.errors
    data["extension_reason_en"] = "Workshop postponed."
    assert editor_client.post(url, data).status_code == 302
    consultation.refresh_from_db()
    assert consultation.closes_at == later
    assert consultation.extensions.get().reason_en == "Workshop postponed."


@pytest.mark.parametrize("persona", ["translator", "reviewer"])
def test_only_editors_run_rounds(client, published, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("admin:feedback_consultationround_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:feedback_consultationround_add"), round_form(published)
        ).status_code
        == 403
    )
    assert not ConsultationRound.objects.exists()
    assert Module.objects.exists()


def test_the_form_names_a_round_from_a_kept_list_but_leaves_it_at_its_deadline(
    client, published, django_assert_max_num_queries
):
    consultation = open_round(published, closes=datetime.timedelta(seconds=3))
    assert consultation.title_en in client.get("/en/feedback/").text
    with django_assert_max_num_queries(1):  # the editions; the rounds are kept
        assert consultation.title_en in client.get("/en/feedback/").text
    time.sleep(max(0, (consultation.closes_at - timezone.now()).total_seconds()) + 0.1)
    with django_assert_max_num_queries(1):  # still kept, but past its deadline: not named
        assert consultation.title_en not in client.get("/en/feedback/").text


# --- The reading pages -------------------------------------------------------------------


def test_reading_pages_in_scope_name_the_open_round_and_its_deadline(client, two_modules, draft):
    edition, _uas = two_modules
    open_round(edition, modules=[draft], title_en="Round on SALW", title_ru="Раунд по МСЛВ")
    for url in ("/en/", "/en/modules/salw/", "/en/modules/salw/salw-marking/"):
        page = client.get(url).text
        assert "Round on SALW" in page and "Deadline" in page, url
    assert "Раунд по МСЛВ" in client.get("/ru/modules/salw/salw-marking/").text
    # Not on another module's pages, nor on an older edition's.
    assert "Round on SALW" not in client.get("/en/modules/uas/uas-registration/").text
    assert "Round on SALW" not in client.get("/en/editions/1.0/modules/salw/").text


def test_previews_of_the_draft_name_no_round(editor_client, published):
    open_round(published, title_en="Round on the text")
    assert "Round on the text" not in editor_client.get("/en/preview/modules/salw/").text


def test_an_upcoming_round_can_be_moved_later_in_one_save(editor_client, published):
    consultation = open_round(published, opens=DAY, closes=3 * DAY)
    url = reverse("admin:feedback_consultationround_change", args=[consultation.pk])
    opens, closes = consultation.opens_at + 5 * DAY, consultation.closes_at + 5 * DAY
    data = round_form(
        published, edition=None,
        opens_at_0=opens.strftime("%Y-%m-%d"), opens_at_1=opens.strftime("%H:%M:%S"),
        closes_at_0=closes.strftime("%Y-%m-%d"), closes_at_1=closes.strftime("%H:%M:%S"),
    )  # fmt: skip
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    consultation.refresh_from_db()
    assert (consultation.opens_at, consultation.closes_at) == (opens, closes)
    assert not consultation.extensions.exists()  # not an extension: it had not opened


def test_a_round_on_a_module_the_edition_lacks_is_refused(published):
    later = make_module("UAS", order=2, prefix="D.")  # in the draft, not in 1.0
    with pytest.raises(ValidationError) as error:
        open_round(published, modules=[later])
    assert "Not in this edition" in " ".join(error.value.message_dict["modules"])
