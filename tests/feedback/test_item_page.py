"""A feedback item's back-office page: the paragraph as the contributor read it (the edition
and language they read), the proposed wording compared with it word by word, and the other
comments on the same paragraph."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from feedback.models import Confidentiality, Feedback, Status
from modules import excerpts
from modules import services as content
from modules.models import Section
from modules.templatetags.reading import reading_body
from tests.conftest import publish
from tests.feedback.conftest import make_feedback

pytestmark = pytest.mark.django_db

BODY_EN = (
    "Each firearm is marked at manufacture.\n\n"
    "- a list item is no paragraph\n\n"
    "| Part | Mark |\n|---|---|\n| Frame | Serial |\n\n"
    "Polymer frames carry a metal plate with the serial number.[^1]\n\n"
    "Imported firearms are marked again.\n\n"
    "[^1]: A footnote paragraph is not counted."
)
BODY_RU = (
    "Каждое огнестрельное оружие маркируется при изготовлении.\n\n"
    "Полимерные рамки несут металлическую пластину с серийным номером.\n\n"
    "Импортируемое оружие маркируется повторно."
)


def page(client, item: Feedback, **extra) -> str:
    response = client.get(reverse("admin:feedback_feedback_change", args=[item.pk]), **extra)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def marking(draft):
    section = Section.objects.get(key="salw-marking")
    content.section_update(section=section, body_en=BODY_EN, body_ru=BODY_RU)
    publish("1.0")
    return section


def test_paragraphs_are_numbered_as_readers_see_them(marking):
    html = marking.body_html_en
    assert excerpts.paragraph(html, 1) == "Each firearm is marked at manufacture."
    assert excerpts.paragraph(html, 2).startswith("Polymer frames carry a metal plate")
    assert excerpts.paragraph(html, 3) == "Imported firearms are marked again."
    assert excerpts.paragraph(html, 4) is None and excerpts.paragraph(html, 0) is None
    # The reading page's #p2 holds the same text.
    shown = str(reading_body(html))
    second = re.search(r'<p id="p2" class="para">(.*?)</p>', shown, re.DOTALL).group(1)
    assert "Polymer frames carry a metal plate" in second
    assert excerpts.paragraph("", 1) is None


def test_the_item_page_shows_the_paragraph_as_read_and_the_wording_compared(editor_client, marking):
    item = make_feedback(
        paragraph=2,
        comment="Say where the plate goes.",
        proposed_wording="Polymer frames carry an embedded metal plate with the serial number.",
    )
    # The draft moves on and a new edition is published: the page still shows what was read.
    content.section_update(section=marking, body_en="Rewritten entirely.")
    publish("1.1")

    html = page(editor_client, item)
    assert "Polymer frames carry a metal plate with the serial number." in html
    assert "Rewritten entirely." not in html
    assert "/en/editions/1.0/modules/salw/salw-marking/#p2" in html
    assert "paragraph 2" in html and "edition 1.0" in html
    compared = re.search(r'<div class="feedback-compare" lang="en">(.*?)</div>', html, re.DOTALL)
    assert re.search(
        r"<del>.*\ba\b.*</del> <ins>.*an embedded.*</ins> metal plate", compared.group(1)
    )


def test_a_russian_comment_shows_the_russian_paragraph(editor_client, marking):
    item = make_feedback(paragraph=2, language="ru", proposed_wording="Другая формулировка.")
    html = page(editor_client, item, HTTP_ACCEPT_LANGUAGE="ru")
    assert "Полимерные рамки несут металлическую пластину" in html
    assert "/ru/editions/1.0/modules/salw/salw-marking/#p2" in html
    assert "абзац 2" in html


def test_other_comments_on_the_same_paragraph_are_listed(editor_client, marking):
    item = make_feedback(paragraph=2, comment="First.")
    same = make_feedback(paragraph=2, comment="Second.", email="b@example.org")
    elsewhere = make_feedback(paragraph=3, comment="Third.", email="c@example.org")
    spam = make_feedback(paragraph=2, comment="Buy now.", email="d@example.org")
    Feedback.objects.filter(pk=spam.pk).update(status=Status.SPAM)
    html = page(editor_client, item)
    assert same.reference in html
    assert elsewhere.reference not in html and spam.reference not in html
    assert "No other comment" in page(editor_client, elsewhere)


def test_a_comment_without_a_paragraph_or_section_says_so(editor_client, marking):
    whole = make_feedback(comment="On the section as a whole.")
    html = page(editor_client, whole)
    assert "salw-marking/" in html and "proposed wording, compared" in html.lower()


def test_a_restricted_wording_is_not_compared_for_those_who_may_not_read_it(
    client, marking, reviewer
):
    item = make_feedback(paragraph=2, proposed_wording="Our depot K-7 wording.")
    Feedback.objects.filter(pk=item.pk).update(confidentiality=Confidentiality.SECRETARIAT)
    reviewer.groups.set(Group.objects.filter(name="Feedback reviewers"))
    client.force_login(reviewer)
    html = page(client, item)
    assert "K-7" not in html and "feedback-compare" not in html
    assert "Polymer frames carry a metal plate" in html  # the published text is public


def test_the_item_page_runs_a_fixed_number_of_queries(
    editor_client, marking, django_assert_max_num_queries
):
    item = make_feedback(paragraph=2, proposed_wording="Polymer frames carry a plate.")
    for n in range(15):
        make_feedback(paragraph=2, comment=f"Other {n}.", email=f"o{n}@example.org")
    page(editor_client, item)  # warm the caches a first page fills
    with django_assert_max_num_queries(40) as captured:
        page(editor_client, item)
    few = len(captured)
    for n in range(15, 30):
        make_feedback(paragraph=2, comment=f"Other {n}.", email=f"o{n}@example.org")
    with django_assert_max_num_queries(few):
        page(editor_client, item)


def test_an_added_text_is_not_shown_as_the_paragraph_deleted(editor_client, marking):
    item = make_feedback(
        paragraph=2,
        proposed_wording="Add: national law should name the part of a modular firearm that "
        "carries the serial number, and each replaceable frame should be marked too.",
    )
    html = page(editor_client, item)
    assert "feedback-compare" not in html
    assert "Not a rewording of the paragraph" in html


def test_the_same_paragraph_number_in_another_language_or_edition_is_another_paragraph(
    editor_client, marking
):
    item = make_feedback(paragraph=2, comment="English reader.")
    russian = make_feedback(paragraph=2, language="ru", comment="Русский.", email="r@example.org")
    content.section_update(section=marking, body_en="One.\n\nTwo.\n\nThree.")
    publish("1.1")
    later = make_feedback(paragraph=2, comment="Reader of 1.1.", email="l@example.org")
    html = page(editor_client, item)
    assert russian.reference not in html and later.reference not in html
    assert "No other comment on this paragraph." in html


def test_a_russian_reader_of_an_untranslated_section_read_the_english(editor_client, draft):
    section = Section.objects.get(key="salw-marking")
    content.section_update(section=section, body_en=BODY_EN, body_ru="")
    publish("1.0")
    item = make_feedback(paragraph=1, language="ru", proposed_wording="Each firearm is marked.")
    html = page(editor_client, item)
    assert '<div class="feedback-as-read" lang="en">' in html
    assert "Each firearm is marked at manufacture." in html
