"""Regional workshops: recorded by editors, each with a public page listing the comments made
there and what became of each, in both languages, under the rules of publication."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from feedback import services
from feedback.models import Confidentiality, Feedback, Source, Status, Workshop
from modules.models import Edition, Section
from tests.conftest import publish

pytestmark = pytest.mark.django_db


def make_workshop(**overrides) -> Workshop:
    values = {
        "slug": "sahel-maghreb-2023", "title_en": "Regional workshop for the Sahel and the Maghreb",
        "title_ru": "Региональный семинар для Сахеля и Магриба", "region_en": "Sahel and Maghreb",
        "region_ru": "Сахель и Магриб", "starts_on": datetime.date(2023, 2, 14),
        "ends_on": datetime.date(2023, 2, 16), "place_en": "Rabat", "place_ru": "Рабат",
        "organisers_en": "CTED", "organisers_ru": "ИДКТК", "states": ["NE", "TD", "MA"],
        "edition": Edition.objects.current(), **overrides,
    }  # fmt: skip
    workshop = Workshop(**values)
    workshop.full_clean()
    workshop.save()
    return workshop


def made_at(workshop: Workshop, *, comment: str, status: str = "", **fields) -> Feedback:
    """A comment recorded by an editor as made at ``workshop``, decided with ``status``."""
    section = Section.objects.get(key="salw-marking")
    values = {
        "kind": "technical", "comment": comment, "category": "state", "country": "NE",
        "name": "Moussa Issoufou", "organisation": "Customs", "email": "m@example.org",
        "may_name": True, "publishable": True, **fields,
    }  # fmt: skip
    item = services.feedback_record(
        user=None, source=Source.WORKSHOP, workshop=workshop, received_on=workshop.ends_on,
        edition=workshop.edition, language="en", section=section, **values,
    )  # fmt: skip
    if status:
        Feedback.objects.filter(pk=item.pk).update(response_en="Answered.", response_ru="Ответ.")
        services.feedback_set_status(feedback=item, status=status, user=None, notify=False)
    return item


@pytest.fixture
def workshop(published) -> Workshop:
    return make_workshop()


def page(client, workshop: Workshop, lang: str = "en") -> str:
    with translation.override(lang):
        url = reverse("feedback:workshop", kwargs={"slug": workshop.slug})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_workshops_page_lists_its_published_comments_and_what_became_of_them(client, workshop):
    shown = made_at(workshop, comment="Mobile patrols on informal routes.", status="not_accepted")
    private = made_at(workshop, comment="Names of informants.", status="not_accepted",
                      publishable=False, may_name=False)  # fmt: skip
    waiting = made_at(workshop, comment="Still being considered.")
    publish("1.1")  # the decisions are published with an edition
    html = page(client, workshop)
    assert "Mobile patrols on informal routes." in html and "Moussa Issoufou" in html
    assert "Names of informants." not in html and private.reference not in html
    assert "Still being considered." not in html and waiting.reference not in html
    assert "Rabat" in html and "Niger" in html and "Chad" in html and "Edition 1.0" in html
    facts = html[html.index('class="facts"') :]
    assert "<dd>3</dd>" in facts and "<dd>1</dd>" in facts  # recorded, listed, unlisted, awaiting
    assert shown.reference in html


def test_the_workshop_pages_speak_russian(client, workshop):
    made_at(workshop, comment="Comment.", status="out_of_scope")
    publish("1.1")
    html = page(client, workshop, "ru")
    assert "Региональный семинар для Сахеля и Магриба" in html and "Рабат" in html
    assert "Нигер" in html and "Ответ." in html and "Организаторы" in html
    listing = client.get("/ru/feedback/workshops/").content.decode()
    assert "Записан 1 комментарий" in listing and "Сахель и Магриб" in listing


def test_an_online_workshop_says_so_and_english_fills_a_missing_russian_text(client, published):
    online = make_workshop(slug="caribbean-2023", virtual=True, place_en="", place_ru="",
                           title_ru="", region_ru="")  # fmt: skip
    html = page(client, online, "ru")
    assert "проведён в режиме онлайн" in html
    assert 'lang="en">Regional workshop for the Sahel and the Maghreb' in html


def test_the_workshop_list_counts_comments_but_not_spam(client, workshop):
    made_at(workshop, comment="Real.")
    made_at(workshop, comment="Buy now.", status=Status.SPAM)
    html = client.get("/en/feedback/workshops/").content.decode()
    assert "1 comment recorded" in html and workshop.get_absolute_url() in html


def test_an_unknown_workshop_is_a_404_in_the_readers_language(client, published):
    response = client.get("/ru/feedback/workshops/nowhere/")
    assert response.status_code == 404 and '<html lang="ru"' in response.content.decode()
    assert client.get("/en/feedback/workshops/%3Cscript%3E/").status_code == 404


def test_the_workshop_page_reads_a_fixed_number_of_queries(
    client, workshop, django_assert_max_num_queries
):
    for n in range(3):
        made_at(workshop, comment=f"Comment {n}.", status="not_accepted")
    publish("1.1")
    with django_assert_max_num_queries(12) as few:
        page(client, workshop)
    for n in range(3, 30):
        made_at(workshop, comment=f"Comment {n}.", status="not_accepted")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page(client, workshop)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_on": datetime.date(2023, 2, 1)}, "The last day cannot be before the first."),
        ({"place_en": ""}, "Give the place, or say it was held online."),
        ({"slug": "Not a slug!"}, "Enter a valid “slug”"),
        ({"states": ["XX"]}, "is not a valid choice"),
    ],
)
def test_a_workshop_that_cannot_be_right_is_refused(published, overrides, message):
    with pytest.raises(ValidationError) as refused:
        make_workshop(**overrides)
    assert message in str(refused.value)


def test_only_comments_from_a_workshop_point_at_one(workshop):
    with pytest.raises(ValidationError, match="Workshop or meeting"):
        services.feedback_record(
            user=None, source=Source.LETTER, workshop=workshop, received_on=timezone.localdate(),
            edition=workshop.edition, language="en", kind="general", comment="By letter.",
            category="state", may_name=False, publishable=True,
        )  # fmt: skip
    item = made_at(workshop, comment="At the workshop.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.filter(pk=item.pk).update(source=Source.LETTER)


def test_editors_record_a_comment_made_at_a_workshop_in_the_back_office(editor_client, workshop):
    response = editor_client.post(
        reverse("admin:feedback_feedback_add"),
        {
            "source": Source.WORKSHOP, "workshop": workshop.pk, "source_detail": "Plenary",
            "received_on": "2023-02-15", "edition": workshop.edition.pk, "language": "en",
            "module": "", "section": "", "paragraph": "", "kind": "general",
            "comment": "Said in the plenary.\r\nSecond line.", "proposed_wording": "",
            "category": "state", "country": "TD", "name": "", "organisation": "", "email": "",
            "publishable": "on", "assigned_to": "", "note": "",
            "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    item = Feedback.objects.get(comment="Said in the plenary.\nSecond line.")
    assert item.workshop == workshop and item.confidentiality == Confidentiality.ANONYMOUS
    listed = editor_client.get(
        reverse("admin:feedback_feedback_changelist") + f"?workshop__id__exact={workshop.pk}"
    ).content.decode()
    assert item.reference in listed


def test_a_workshop_keeps_its_address_and_is_never_deleted(editor_client, workshop):
    change = reverse("admin:feedback_workshop_change", args=[workshop.pk])
    html = editor_client.get(change).content.decode()
    assert 'name="slug"' not in html  # shown, not editable
    delete = reverse("admin:feedback_workshop_delete", args=[workshop.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 403
    assert Workshop.objects.filter(pk=workshop.pk).exists()


def test_the_triage_desk_and_decision_page_name_the_workshop(editor_client, workshop):
    item = made_at(workshop, comment="Said at the workshop.", source_detail="Plenary")
    desk = editor_client.get(reverse("admin:feedback_feedback_triage")).content.decode()
    card = desk[desk.index(f'id="item-{item.pk}"') :]
    assert "Regional workshop for the Sahel and the Maghreb" in card
    decision = editor_client.get(
        reverse("admin:feedback_feedback_decide", args=[item.pk])
    ).content.decode()
    assert f'href="{workshop.get_absolute_url()}"' in decision and "(Plenary)" in decision
