"""The demonstration data shows feedback at every stage, incorporated through the services."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from feedback.models import ConsultationRound, Feedback, Status

pytestmark = pytest.mark.django_db


def test_the_demonstration_feedback_was_incorporated_in_edition_1_1(client):
    mail.outbox.clear()
    call_command("load_demo")
    assert mail.outbox == []  # demonstration data e-mails nobody
    incorporated = Feedback.objects.filter(incorporated_in__number="1.1")
    assert incorporated.count() >= 5
    assert Feedback.objects.open().exists()
    assert Feedback.objects.filter(status=Status.DUPLICATE, duplicate_of__isnull=False).exists()
    page = client.get("/en/feedback/editions/1.1/")
    assert page.status_code == 200
    assert "/en/editions/1.0/compare/1.1/sections/salw-marking/" in page.text
    change = client.get("/ru/editions/1.0/compare/1.1/sections/salw-marking/")
    assert "/ru/feedback/editions/1.1/#FB-2022-" in change.text


def test_the_demonstration_has_a_past_round_with_its_report_and_one_open(client):
    call_command("load_demo")
    past, current = ConsultationRound.objects.order_by("pk")
    assert past.edition.number == "1.0" and past.extensions.count() == 1
    assert current.is_open_at(timezone.now()) and current.items.count() == 0
    # The comments read in 1.0 and received while the past round was open are part of it.
    in_round = Feedback.objects.filter(
        edition__number="1.0", created_at__range=(past.opens_at, past.closes_at)
    )
    assert set(past.items.all()) == set(in_round) and in_round.count() >= 5
    # Those made at the workshops after it closed are not.
    assert Feedback.objects.filter(workshop__isnull=False, round__isnull=True).count() >= 3
    page = client.get(f"/ru/feedback/rounds/{past.pk}/disposition/")
    assert page.status_code == 200
    assert "/ru/editions/1.0/compare/1.1/sections/salw-marking/" in page.text
    assert page.context["report"].listed >= 5


def test_the_demonstration_publishes_one_comment_in_a_redacted_form(client):
    from feedback.models import Confidentiality

    call_command("load_demo")
    item = Feedback.objects.get(confidentiality=Confidentiality.REDACTED)
    page = client.get("/en/feedback/editions/1.1/").text
    assert item.reference in page and "A forensic laboratory regularly receives" in page
    assert "KT-114/22" in item.comment and "KT-114/22" not in page


def test_the_demonstration_records_three_regional_workshops_with_their_comments(client):
    from feedback.models import Workshop

    call_command("load_demo")
    workshops = {w.slug: w for w in Workshop.objects.all()}
    assert set(workshops) == {"europe-2022", "sahel-maghreb-2023", "caribbean-2023"}
    assert workshops["caribbean-2023"].virtual and not workshops["caribbean-2023"].place_en
    for workshop in workshops.values():
        assert workshop.items.exists()
        assert set(workshop.items.values_list("source", flat=True)) == {"workshop"}
    page = client.get("/ru/feedback/workshops/europe-2022/")
    assert "Региональный семинар для Европы" in page.text and "Вена" in page.text
    assert page.context["report"].listed == 2
