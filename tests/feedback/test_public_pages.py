"""The contributor's tracking page and each edition's response to comments."""

import csv
import datetime
import hashlib
import io

import pytest
from django.utils import timezone

from feedback import services
from feedback.models import Feedback, Status
from modules import services as content
from modules.models import Section
from tests.conftest import publish
from tests.feedback.conftest import make_feedback, tracking_path

pytestmark = pytest.mark.django_db


def _decided(email: str, status: str, editor, **data) -> Feedback:
    item = make_feedback(email=email, **data)
    Feedback.objects.filter(pk=item.pk).update(
        response_en=f"Response to {email[:4]}.", response_ru=f"Ответ для {email[:4]}."
    )
    services.feedback_set_status(feedback=item, status=status, user=editor, notify=False)
    return item


@pytest.fixture
def answered(published, editor):
    """Edition 1.1 answers four items: one incorporated, one rejected, one unpublishable,
    and one formula-shaped comment."""
    incorporated = make_feedback(email="named@example.org", name="Jean Martin", may_name=True,
                                 organisation="Police Centre")  # fmt: skip
    services.feedback_set_status(feedback=incorporated, status=Status.ACCEPTED, user=editor)
    content.section_update(section=incorporated.section, body_en="Better.", user=editor)
    services.feedback_mark_addressed(
        section=incorporated.section, items=[incorporated], user=editor
    )
    rejected = _decided("anon@example.org", Status.NOT_ACCEPTED, editor, country="BR",
                        category="practitioner", name="Secret Person")  # fmt: skip
    hidden = _decided("hidden@example.org", Status.OUT_OF_SCOPE, editor, publishable=False,
                      comment="Do not publish me.")  # fmt: skip
    formula = _decided("formula@example.org", Status.NOT_ACCEPTED, editor,
                       comment="=HYPERLINK(\"http://evil.example\",\"click\")")  # fmt: skip
    publish("1.1")
    return incorporated, rejected, hidden, formula


# --- Tracking page --------------------------------------------------------------------


def test_the_tracking_page_shows_status_comment_and_public_history(client, published, editor):
    item = make_feedback()
    services.feedback_set_status(feedback=item, status=Status.UNDER_REVIEW, user=editor)
    response = client.get(tracking_path(item))
    assert response.status_code == 200
    assert item.reference in response.text and "Under review" in response.text
    assert item.comment in response.text
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("token", ["nope", "x" * 43, "A" * 200])
def test_an_unknown_tracking_token_is_a_404_that_says_nothing(client, published, token):
    make_feedback()
    response = client.get(f"/en/feedback/track/{token}/")
    assert response.status_code == 404
    assert "expired" not in response.text and "FB-" not in response.text


def test_an_expired_tracking_link_is_a_404(client, published):
    item = make_feedback()
    path = tracking_path(item)
    item.tracking_links.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(path).status_code == 404


def test_every_tracking_link_opens_the_page_and_only_its_digest_is_stored(client, published):
    item = make_feedback()
    first, second = tracking_path(item), tracking_path(item)
    assert first != second
    assert client.get(first).status_code == 200 and client.get(second).status_code == 200
    tokens = [path.split("/")[-2] for path in (first, second)]
    stored = set(item.tracking_links.values_list("digest", flat=True))
    assert stored == {hashlib.sha256(token.encode()).hexdigest() for token in tokens}
    row = str(list(Feedback.objects.filter(pk=item.pk).values()))
    assert not any(token in row or token in str(stored) for token in tokens)


def test_the_tracking_page_runs_a_bounded_number_of_queries(
    client, answered, django_assert_max_num_queries
):
    first, second = tracking_path(answered[0]), tracking_path(answered[1])
    # The editions, the item, its history, and once per process the current edition's modules.
    with django_assert_max_num_queries(4):
        assert client.get(first).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(second).status_code == 200


def test_the_tracking_page_names_the_editions_and_the_change(client, answered, editor):
    incorporated = answered[0]
    page = client.get(tracking_path(incorporated)).text
    assert "Accepted: incorporated in edition 1.1" in page
    assert "Section B.1.2 · edition 1.0" in page
    assert "Your comment was taken into account in edition 1.1." in page
    assert 'href="/en/editions/1.0/compare/1.1/sections/salw-marking/"' in page
    duplicate = make_feedback(email="again@example.org")
    services.feedback_set_status(
        feedback=duplicate, status=Status.DUPLICATE, duplicate_of=incorporated, user=editor
    )
    page = client.get(tracking_path(duplicate, "ru")).text
    assert f"Дубликат комментария {incorporated.reference}" in page


def test_html_in_a_stored_comment_is_shown_as_text(client, published):
    item = make_feedback(comment='<script>alert("x")</script>')  # recorded by any other path
    response = client.get(tracking_path(item))
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;" in response.text


# --- Response to comments -------------------------------------------------------------


def test_the_response_lists_publishable_decisions_and_names_only_with_consent(client, answered):
    incorporated, rejected, hidden, _formula = answered
    page = client.get("/en/feedback/editions/1.1/")
    assert page.status_code == 200
    assert incorporated.reference in page.text and rejected.reference in page.text
    assert "Jean Martin (Police Centre)" in page.text
    assert "Practitioner, Brazil" in page.text and "Secret Person" not in page.text
    assert hidden.reference not in page.text and "Do not publish me." not in page.text
    assert "1 further comment was decided on but is not published" in page.text
    assert "/en/editions/1.0/compare/1.1/sections/salw-marking/" in page.text
    assert "anon@example.org" not in page.text


def test_the_response_in_russian(client, answered):
    page = client.get("/ru/feedback/editions/1.1/")
    assert "Ответ для anon." in page.text
    assert "Бразилия" in page.text


def test_the_response_csv_is_safe_in_a_spreadsheet(client, answered):
    response = client.get("/en/feedback/editions/1.1/responses.csv")
    assert (
        response["Content-Disposition"] == 'attachment; filename="TG-2370_ed1.1_responses_en.csv"'
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Reference" and len(rows) == 4
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert '\'=HYPERLINK("http://evil.example","click")' in cells
    assert "https://guidelines.test/en/editions/1.0/compare/1.1/sections/salw-marking/" in cells


def test_an_unknown_edition_has_no_response_page(client, answered):
    assert client.get("/en/feedback/editions/7.0/").status_code == 404
    assert client.get("/en/feedback/editions/7.0/responses.csv").status_code == 404


def test_the_response_page_runs_a_bounded_number_of_queries(
    client, answered, django_assert_max_num_queries, editor
):
    for n in range(30):
        _decided(f"more{n}@example.org", Status.NOT_ACCEPTED, editor)
    content.section_update(section=Section.objects.get(key="salw-tracing"), body_en="Again.")
    publish("1.2")
    with django_assert_max_num_queries(5):
        assert client.get("/en/feedback/editions/1.2/").status_code == 200


def test_the_edition_list_links_each_response(client, answered):
    page = client.get("/en/editions/")
    assert "/en/feedback/editions/1.1/" in page.text
    assert "Response to comments (3 comments)" in page.text


def test_section_pages_offer_comment_links_for_the_section_and_each_paragraph(client, published):
    page = client.get("/en/modules/salw/salw-marking/")
    assert 'href="/en/feedback/?edition=1.0&amp;section=salw-marking"' in page.text
    assert "/en/feedback/?edition=1.0&amp;section=salw-marking&amp;paragraph=1" in page.text
    assert (
        'href="/en/feedback/?edition=1.0&amp;module=salw"' in client.get("/en/modules/salw/").text
    )
    assert 'href="/en/feedback/?edition=1.0"' in client.get("/en/").text


def test_the_russian_response_csv_has_russian_headers(client, answered):
    response = client.get("/ru/feedback/editions/1.1/responses.csv")
    header = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert "Ссылка на изменение" in header and "Link" not in header
