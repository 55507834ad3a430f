"""The demonstration data shows feedback at every stage, incorporated through the services."""

import pytest
from django.core import mail
from django.core.management import call_command

from feedback.models import Feedback, Status

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
