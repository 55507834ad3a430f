"""How a comment is published: public, without the name, secretariat only, or in a redacted
form an editor writes. Never more public than its contributor allowed; the original of a
restricted item never reaches a public page, CSV, workbook or an alert, and in the back
office only staff allowed to read restricted text see it."""

import csv
import io

import openpyxl
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from feedback import services
from feedback.models import Confidentiality, EventKind, Feedback, Status
from tests.conftest import publish
from tests.feedback.conftest import make_feedback, submit, tracking_path
from tests.feedback.test_rounds import open_round
from tests.feedback.test_triage import EXPORT, _change_form, _change_url

pytestmark = pytest.mark.django_db

ORIGINAL = "Our unit in Kandahar lost 40 rifles in March."
REDACTED = "A national unit reported the loss of rifles."
PROPOSAL = "Add a reference to the 2023 audit of depot K-7."


def test_an_item_arrives_as_its_contributor_allowed(client, published):
    submit(client, nonce="a", comment="One.", publishable="on", may_name="on")
    submit(client, nonce="b", comment="Two.", publishable="on", may_name=None)
    submit(client, nonce="c", comment="Three.", publishable=None, may_name="on")
    levels = dict(Feedback.objects.values_list("comment", "confidentiality"))
    assert levels == {
        "One.": Confidentiality.PUBLIC, "Two.": Confidentiality.ANONYMOUS,
        "Three.": Confidentiality.SECRETARIAT,
    }  # fmt: skip


def test_never_more_public_than_allowed_and_a_redacted_form_needs_its_text(published):
    private = make_feedback(email="p@example.org", publishable=False)
    unnamed = make_feedback(email="u@example.org", may_name=False)
    with translation.override("ru"):
        with pytest.raises(ValidationError) as refused:
            services.feedback_set_publication(
                feedback=private, user=None, confidentiality=Confidentiality.ANONYMOUS
            )
        assert "не публиковать" in str(refused.value.message_dict["confidentiality"])
    with pytest.raises(ValidationError) as named:
        services.feedback_set_publication(
            feedback=unnamed, user=None, confidentiality=Confidentiality.PUBLIC
        )
    assert "named" in str(named.value.message_dict["confidentiality"])
    with pytest.raises(ValidationError) as empty:
        services.feedback_set_publication(
            feedback=unnamed, user=None, confidentiality=Confidentiality.REDACTED,
            redacted_comment="  ",
        )  # fmt: skip
    assert "redacted_comment" in empty.value.message_dict
    unnamed.refresh_from_db()
    assert unnamed.confidentiality == Confidentiality.ANONYMOUS  # nothing half-done


@pytest.fixture
def decided(published, editor):
    """In a round on 1.0: a redacted item, one an editor keeps with the secretariat (its
    contributor allowed publication) and an ordinary one, decided and published with 1.1."""
    consultation = open_round(published)
    redacted = make_feedback(
        email="r@example.org", comment=ORIGINAL, proposed_wording=PROPOSAL, may_name=True,
        name="Captain Nightjar",
    )  # fmt: skip
    kept = make_feedback(email="k@example.org", comment="Depot K-7 is unguarded at night.")
    ordinary = make_feedback(email="o@example.org", comment="Mention polymer frames.")
    for item in (redacted, kept, ordinary):
        Feedback.objects.filter(pk=item.pk).update(round=consultation, response_en="Noted.")
        services.feedback_set_status(
            feedback=item, status=Status.NOT_ACCEPTED, user=editor, notify=False
        )
    services.feedback_set_publication(
        feedback=redacted, user=editor, confidentiality=Confidentiality.REDACTED,
        redacted_comment=REDACTED, redacted_proposed_wording="Add a reference to the audit.",
    )  # fmt: skip
    services.feedback_set_publication(
        feedback=kept, user=editor, confidentiality=Confidentiality.SECRETARIAT
    )
    publish("1.1")
    return consultation, redacted, kept, ordinary


SECRETS = (ORIGINAL, PROPOSAL, "Kandahar", "K-7", "Nightjar")


def test_public_pages_csv_and_workbook_show_only_the_published_form(client, decided):
    consultation, redacted, kept, ordinary = decided
    pages = {
        "responses": client.get("/en/feedback/editions/1.1/").content.decode(),
        "responses CSV": b"".join(
            client.get("/en/feedback/editions/1.1/responses.csv").streaming_content
        ).decode("utf-8-sig"),
        "report": client.get(f"/en/feedback/rounds/{consultation.pk}/disposition/").text,
    }
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/en/feedback/rounds/{consultation.pk}/disposition.xlsx").content)
    )
    pages["workbook"] = repr([list(sheet.values) for sheet in book])
    for name, text in pages.items():
        assert REDACTED in text, name
        # The response to comments shows no proposals; the report does, as published.
        assert ("Add a reference to the audit." in text) == name.startswith(("report", "work"))
        assert ordinary.reference in text and redacted.reference in text, name
        assert kept.reference not in text, name
        leaked = [secret for secret in SECRETS if secret in text]
        assert leaked == [], (name, leaked)


def test_the_history_keeps_each_change_of_publication_never_the_original(decided):
    _consultation, redacted, _kept, _ordinary = decided
    event = redacted.events.filter(kind=EventKind.RESPONSE).latest("pk")
    assert "Published in a redacted form" in event.text
    assert ORIGINAL not in event.text and PROPOSAL not in event.text


def test_the_contributor_sees_how_their_comment_is_published(client, decided):
    _consultation, redacted, kept, _ordinary = decided
    page = client.get(tracking_path(redacted, "ru")).content.decode()
    assert ORIGINAL in page and REDACTED in page  # their own words, and what is published
    assert "сокращённом виде" in page
    assert "остаётся в секретариате" in client.get(tracking_path(kept, "ru")).content.decode()


def test_only_staff_allowed_to_read_restricted_text_see_the_original(
    client, decided, editor, reviewer
):
    _consultation, redacted, kept, _ordinary = decided
    client.force_login(editor)
    assert ORIGINAL in client.get(_change_url(redacted)).content.decode()
    client.force_login(reviewer)
    for item, original in ((redacted, ORIGINAL), (kept, "Depot K-7")):
        page = client.get(_change_url(item), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
        assert original not in page and "Ограничен" in page
    # Their words cannot be found by searching for them either,
    changelist = reverse("admin:feedback_feedback_changelist")
    assert redacted.reference not in client.get(f"{changelist}?q=Kandahar").text
    # nor filtered for by hand, in the list or its export,
    for lookup in ("comment__icontains", "proposed_wording__icontains", "comment__regex"):
        for url in (changelist, EXPORT):
            response = client.get(f"{url}?{lookup}=Kandahar")
            assert response.status_code == 400 and redacted.reference not in response.text
    # nor read in the export.
    text = b"".join(client.get(EXPORT).streaming_content).decode("utf-8-sig")
    rows = {row[0]: row for row in csv.reader(io.StringIO(text))}
    assert ORIGINAL not in text and "Depot K-7" not in text
    assert rows[redacted.reference][11].startswith("Restricted")
    assert rows[redacted.reference][20] == "Published in a redacted form"
    client.force_login(editor)
    text = b"".join(client.get(EXPORT).streaming_content).decode("utf-8-sig")
    assert ORIGINAL in text


def test_an_editor_chooses_the_redacted_form_in_the_back_office(client, published, editor):
    item = make_feedback(email="e@example.org", comment=ORIGINAL)
    client.force_login(editor)
    missing = client.post(
        _change_url(item), _change_form(item, confidentiality=Confidentiality.REDACTED),
        HTTP_ACCEPT_LANGUAGE="ru",
    )  # fmt: skip
    assert missing.status_code == 200
    assert "Напишите сокращённый комментарий" in missing.content.decode()
    saved = client.post(
        _change_url(item),
        _change_form(item, confidentiality=Confidentiality.REDACTED, redacted_comment=REDACTED),
    )
    assert saved.status_code == 302
    item.refresh_from_db()
    assert (item.confidentiality, item.redacted_comment) == (Confidentiality.REDACTED, REDACTED)
    assert item.comment == ORIGINAL  # the original is kept


def test_a_reviewer_cannot_change_how_an_item_is_published(client, published, reviewer):
    item = make_feedback(email="e@example.org")
    client.force_login(reviewer)
    form = _change_form(item, confidentiality=Confidentiality.SECRETARIAT)
    assert client.post(_change_url(item), form).status_code == 302
    item.refresh_from_db()
    assert item.confidentiality == Confidentiality.ANONYMOUS


def test_the_editors_alert_leaves_a_restricted_text_out(client, published, editor, emails_sent):
    editor.email = "editor@example.org"
    editor.save()
    with emails_sent():
        submit(client, comment=ORIGINAL, publishable=None)
    alert = next(m for m in mail.outbox if "New feedback" in m.subject)
    assert ORIGINAL not in alert.body and "restricted" in alert.body
    assert all(ORIGINAL not in str(html) for html, _type in alert.alternatives)


def test_a_duplicate_of_a_secretariat_only_item_does_not_name_it(published, editor):
    hidden = make_feedback(email="h@example.org", publishable=False)
    copy = make_feedback(email="c@example.org", comment="The same, again.")
    services.feedback_set_status(
        feedback=copy, status=Status.DUPLICATE, duplicate_of=hidden, user=editor, notify=False
    )
    copy.refresh_from_db()
    assert copy.public_decision == "Duplicate" and hidden.reference not in copy.public_decision


def test_reviewers_and_editors_filter_the_list_by_how_items_are_published(
    client, decided, reviewer
):
    _consultation, _redacted, kept, ordinary = decided
    client.force_login(reviewer)
    changelist = reverse("admin:feedback_feedback_changelist")
    page = client.get(f"{changelist}?confidentiality__exact=secretariat")
    assert page.status_code == 200
    assert kept.reference in page.text and ordinary.reference not in page.text
