"""A reader sends a comment: the form, its checks, the receipt and the acknowledgement."""

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils.html import escape

from feedback.models import EventKind, Feedback, Status
from modules import services as content
from modules.models import Section
from tests.conftest import make_section, publish
from tests.feedback.conftest import ORIGIN, form_data, submit, token_in

pytestmark = pytest.mark.django_db


def test_the_form_names_what_the_reader_is_commenting_on(client, published):
    response = client.get("/en/feedback/?edition=1.0&section=salw-marking&paragraph=3")
    assert response.status_code == 200
    assert 'value="section:salw-marking" selected' in response.text
    assert 'name="paragraph" value="3"' in response.text
    assert "You are reading edition 1.0." in response.text


def test_the_form_is_never_cached(client, published):
    response = client.get("/en/feedback/")
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "query",
    ["edition=9.9", "edition=abc", "section=no-such-section", "module=nope"],
)
def test_an_unknown_edition_section_or_module_is_a_404(client, published, query):
    assert client.get(f"/en/feedback/?{query}").status_code == 404


def test_a_paragraph_that_is_not_a_number_is_ignored(client, published):
    response = client.get("/en/feedback/?section=salw-marking&paragraph=<script>")
    assert response.status_code == 200
    assert "<script>" not in response.text


def test_a_comment_in_russian_is_stored_with_everything_the_reader_gave(
    client, published, emails_sent
):
    with emails_sent():
        response = submit(
            client,
            "/ru/feedback/?edition=1.0",
            paragraph="2",
            comment="Маркировка рамок из полимера требует металлической вставки.",
            proposed_wording="Новая формулировка.",
            may_name="on",
        )
    item = Feedback.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith("/ru/feedback/track/")
    assert response["Location"].endswith("/?received=1")
    assert Feedback.objects.tracked_by(token_in(response["Location"])) == item
    assert item.reference == f"FB-{item.received_on:%Y}-{item.pk:04d}"
    assert (item.language, item.edition.number, item.section_key, item.paragraph) == (
        "ru", "1.0", "salw-marking", 2,
    )  # fmt: skip
    assert item.section.key == "salw-marking" and item.module.code == "SALW"
    assert (item.kind, item.category, item.country.code) == ("technical", "state", "KZ")
    assert item.may_name and item.publishable and item.status == Status.RECEIVED
    assert item.events.filter(kind=EventKind.SUBMITTED).count() == 1
    # The acknowledgement is in Russian, carries the reference and the private link.
    acknowledgement = mail.outbox[0]
    assert acknowledgement.to == ["aigerim@example.org"]
    assert item.reference in acknowledgement.subject
    assert "Ваш комментарий" in acknowledgement.subject
    assert "/ru/feedback/track/" in acknowledgement.body
    assert Feedback.objects.tracked_by(token_in(acknowledgement.body)) == item
    assert item.comment not in acknowledgement.subject
    item.refresh_from_db()
    assert item.acknowledged_at is not None


def test_the_receipt_page_gives_the_reference_number(client, published):
    location = submit(client)["Location"]
    page = client.get(location)
    item = Feedback.objects.get()
    assert page.status_code == 200
    assert item.reference in page.text
    assert "Thank you: your comment has been received" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_a_general_comment_and_a_module_comment(client, published):
    submit(client, about="all", comment="On the whole text.")
    submit(client, about="module:salw", comment="On the module.")
    whole, module = Feedback.objects.order_by("pk")
    assert whole.module is None and whole.section is None and whole.section_key == ""
    assert module.module.code == "SALW" and module.section is None


def test_a_paragraph_is_only_kept_for_a_section(client, published):
    submit(client, about="module:salw", paragraph="4")
    assert Feedback.objects.get().paragraph is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("comment", "", "This field is required."),
        ("comment", "x" * 5001, "at most 5000 characters"),
        ("email", "not-an-address", "Enter a valid email address."),
        ("name", "", "This field is required."),
        ("kind", "opinion", "Select a valid choice."),
        ("about", "section:../../etc", "Select a valid choice."),
        ("country", "", "Choose the country you represent."),
        ("comment", "Null \x00 byte", "Null characters are not allowed."),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_the_text(
    client, published, field, value, message
):
    response = submit(client, **{field: value}, organisation="Keep this organisation")
    assert response.status_code == 400
    assert message in response.text
    assert "Keep this organisation" in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert not Feedback.objects.exists()


def test_messages_are_in_the_readers_language(client, published):
    response = submit(client, "/ru/feedback/", email="nope", comment="")
    assert response.status_code == 400
    assert "Обязательное поле." in response.text
    assert "Введите правильный адрес электронной почты." in response.text


def test_a_comparison_sign_is_not_taken_for_html(client, published):
    assert submit(client, comment="Ranges < 5 km and > 2 km.").status_code == 302


def test_the_same_form_sent_twice_is_stored_once_and_lands_on_the_same_receipt(client, published):
    first = submit(client)
    second = submit(client)
    item = Feedback.objects.get()
    # Each answer carries a link of its own (only digests are stored); both open the item.
    for response in (first, second):
        assert response.status_code == 302 and response["Location"].endswith("?received=1")
        assert Feedback.objects.tracked_by(token_in(response["Location"])) == item


def test_the_same_comment_from_another_form_is_recognised_without_revealing_the_link(
    client, published
):
    submit(client, nonce="first")
    response = submit(
        Client(), nonce="second", comment="  Marking of polymer frames needs a metal insert.  "
    )
    item = Feedback.objects.get()
    assert response.status_code == 200
    assert item.reference in response.text
    assert "/feedback/track/" not in response.text


def test_a_filled_honeypot_stores_nothing_and_looks_like_success(client, published, caplog):
    response = submit(client, website="http://spam.example")
    assert response.status_code == 200
    assert "Your comment has been sent." in response.text
    assert not Feedback.objects.exists()
    assert "honeypot" in caplog.text
    assert "polymer" not in caplog.text


def test_the_rate_limit_stops_a_flood_and_keeps_the_text(client, published, settings):
    settings.FEEDBACK_RATE_LIMIT = 3
    for n in range(3):
        assert submit(client, comment=f"Comment {n}", email=f"p{n}@example.org").status_code == 302
    response = submit(client, comment="One too many", email="p9@example.org")
    assert response.status_code == 429
    assert "One too many" in response.text
    assert Feedback.objects.count() == 3


def test_the_rate_limit_also_counts_per_email_address(client, published, settings):
    settings.FEEDBACK_RATE_LIMIT = 2
    for n in range(2):
        submit(Client(REMOTE_ADDR=f"10.0.0.{n}"), comment=f"Comment {n}")
    response = submit(Client(REMOTE_ADDR="10.0.0.9"), comment="Third from the same address")
    assert response.status_code == 429


def test_replaying_a_form_cannot_grow_the_tracking_links_without_bound(client, published):
    from feedback.selectors import MAX_RECEIPT_LINKS

    for _attempt in range(MAX_RECEIPT_LINKS + 3):
        response = submit(client)
    item = Feedback.objects.get()
    assert item.tracking_links.count() == MAX_RECEIPT_LINKS
    assert response.status_code == 200 and item.reference in response.text  # no new link
    assert "/feedback/track/" not in response.text


def test_sending_the_same_comment_again_does_not_use_up_the_limit(client, published, settings):
    """A double click, a reload or a retry is not another comment: it neither counts against
    the contributor nor is refused once the limit is reached."""
    settings.FEEDBACK_RATE_LIMIT = 2
    for _attempt in range(4):
        assert submit(client, comment="The same comment").status_code == 302
    assert submit(client, comment="A second comment").status_code == 302
    response = submit(client, comment="A third comment")
    assert response.status_code == 429
    assert submit(client, comment="The same comment").status_code == 302  # still its receipt
    assert Feedback.objects.count() == 2


def test_a_page_from_a_cache_still_submits_for_a_first_time_visitor(published):
    """The form's HTML (with someone else's token) posted by a browser without any cookie."""
    first = Client(enforce_csrf_checks=True)
    page = first.get("/en/feedback/")
    token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    newcomer = Client(enforce_csrf_checks=True)
    response = newcomer.post(
        "/en/feedback/",
        form_data(csrfmiddlewaretoken=token),
        HTTP_ORIGIN="http://testserver",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 302
    assert Feedback.objects.count() == 1


def test_a_post_from_another_site_is_refused_and_keeps_the_text(published):
    response = Client(enforce_csrf_checks=True).post(
        "/en/feedback/",
        form_data(comment="Forged"),
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert "Forged" in response.text
    assert not Feedback.objects.exists()


def test_a_cross_site_fetch_is_refused(published):
    response = Client().post(
        "/en/feedback/", form_data(), HTTP_SEC_FETCH_SITE="cross-site", **ORIGIN
    )
    assert response.status_code == 403


def test_without_browser_headers_the_csrf_token_is_required(published):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/en/feedback/", form_data()).status_code == 403
    page = client.get("/en/feedback/")
    token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert client.post("/en/feedback/", form_data(csrfmiddlewaretoken=token)).status_code == 302


def test_a_failing_mail_server_never_loses_the_submission(
    client, published, settings, emails_sent, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with emails_sent():
        response = submit(client)
    item = Feedback.objects.get()
    assert response.status_code == 302
    assert item.acknowledged_at is None
    failed = item.events.get(kind=EventKind.EMAIL_FAILED)
    assert "acknowledgement" in failed.text
    assert item.reference in caplog.text and item.comment not in caplog.text


def test_submitting_runs_a_bounded_number_of_queries(
    client, published, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        assert submit(client).status_code == 302
    with django_assert_max_num_queries(12):  # the edition's parts are kept since the first
        assert submit(client, email="other@example.org", nonce="n2").status_code == 302


def test_other_methods_are_refused(client, published):
    assert client.put("/en/feedback/").status_code == 405


def test_no_edition_yet_is_a_404(client, db):
    assert client.get("/en/feedback/").status_code == 404


def test_unsent_acknowledgements_are_sent_later_by_a_command(
    client, published, settings, emails_sent
):
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with emails_sent():
        submit(client)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("feedback_send_pending")
    call_command("feedback_send_pending")
    item = Feedback.objects.get()
    assert item.acknowledged_at is not None
    assert [m.to for m in mail.outbox] == [["aigerim@example.org"]]


def test_the_russian_form_has_no_english_left(client, published):
    page = client.get("/ru/feedback/").text
    assert "Up to 5000 characters" not in page
    assert "Не более 5000 символов" in page
    errors = submit(client, "/ru/feedback/", kind="").text
    assert 'href="#id_kind_0"' in errors


@pytest.mark.parametrize(
    "text", ["a<b и x > y", "<5 kg", "<script>alert(1)</script>", '<img src=x onerror="alert(1)">']
)
def test_plain_text_is_kept_as_written_and_shown_escaped(client, published, text):
    response = submit(client, comment=f"Note: {text}", name=text)
    assert response.status_code == 302
    item = Feedback.objects.get()
    assert (item.comment, item.name) == (f"Note: {text}", text)
    page = client.get(response["Location"])
    assert text not in page.text  # never as markup
    assert escape(f"Note: {text}") in page.text


def test_consents_are_asked_never_assumed(client, published):
    page = client.get("/en/feedback/")
    form = page.context["form"]
    assert not form["publishable"].value() and not form["may_name"].value()
    submit(client, publishable=None, may_name=None)  # a browser omits unticked boxes
    item = Feedback.objects.get()
    assert (item.publishable, item.may_name) == (False, False)


# --- What the form keeps, and what stays each reader's ----------------------------------


def _csrf_token(page) -> str:
    return page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]


def test_the_form_runs_one_query_once_its_edition_is_known(
    client, published, django_assert_max_num_queries
):
    # The editions; then, once, this edition's parts and its rounds not yet closed (kept for
    # feedback.selectors.ROUNDS_SHOWN_SECONDS).
    with django_assert_max_num_queries(4):
        assert client.get("/en/feedback/").status_code == 200
    with django_assert_max_num_queries(1):  # the editions
        response = client.get("/en/feedback/?section=salw-marking&paragraph=2")
    assert 'value="section:salw-marking" selected' in response.text


def test_a_new_edition_offers_its_own_sections_and_the_draft_is_never_offered(
    client, published, draft
):
    assert "Marking" in client.get("/en/feedback/").text  # edition 1.0's parts are kept
    make_section(draft, "salw-disposal", title_en="Disposal")
    marking = Section.objects.get(key="salw-marking")
    content.section_update(section=marking, title_en="Marking and record-keeping")
    page = client.get("/en/feedback/").text
    assert "salw-disposal" not in page and "record-keeping" not in page  # still edition 1.0
    assert client.get("/en/feedback/?section=salw-disposal").status_code == 404

    publish("1.1")
    page = client.get("/en/feedback/").text
    assert "You are reading edition 1.1." in page
    assert '<option value="section:salw-disposal">B.3 Disposal</option>' in page
    assert "Marking and record-keeping</option>" in page
    assert client.get("/en/feedback/?section=salw-disposal").status_code == 200
    older = client.get("/en/feedback/?edition=1.0").text
    assert "salw-disposal" not in older and "record-keeping" not in older
    assert client.get("/en/feedback/?edition=1.0&section=salw-disposal").status_code == 404
    assert submit(client, about="section:salw-disposal").status_code == 302
    assert Feedback.objects.get().section_key == "salw-disposal"


def test_two_readers_get_csrf_tokens_of_their_own(published):
    readers = [Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)]
    pages = [reader.get("/en/feedback/") for reader in readers]
    for page in pages:
        assert "private" in page.headers["Cache-Control"]
        assert "no-store" in page.headers["Cache-Control"]
    first, second = (_csrf_token(page) for page in pages)
    assert first != second
    cookies = [reader.cookies[settings.CSRF_COOKIE_NAME].value for reader in readers]
    assert cookies[0] != cookies[1]
    nonces = {page.context["form"]["nonce"].value() for page in pages}
    assert len(nonces) == 2
    # Without the browser's headers, a token is good for its own reader only.
    for token, status in ((first, 403), (second, 302)):
        response = readers[1].post("/en/feedback/", form_data(csrfmiddlewaretoken=token))
        assert response.status_code == status


def test_what_a_reader_typed_is_never_shown_to_the_next(client, published):
    client.get("/en/feedback/")
    typed = submit(client, name="Aigerim Sadykova", email="not-an-address")
    assert typed.status_code == 400
    assert 'value="Aigerim Sadykova"' in typed.text and '<option value="KZ" selected>' in typed.text
    page = Client().get("/en/feedback/?section=salw-marking").text
    assert "Aigerim" not in page and "not-an-address" not in page
    assert "Marking of polymer frames" not in page
    assert '<option value="KZ" selected>' not in page and 'value="state" selected' not in page
