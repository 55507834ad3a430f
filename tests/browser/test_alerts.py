"""A feedback reviewer, in Russian, chooses a daily digest in Russian on the New-comment alerts
page (radio buttons as Chromium submits them), then receives one Russian digest addressed to
them alone."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import ensure_feedback_reviewers_group
from feedback import alerts
from feedback.models import EditorAlerts
from tests.browser.helpers import sign_in
from tests.conftest import make_module, make_section, publish
from tests.feedback.conftest import make_feedback

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long reviewer password 42"


def test_a_reviewer_chooses_a_daily_digest_in_russian(page, tmp_path):
    module = make_module("SALW")
    make_section(module, "salw-marking", title_en="Marking", title_ru="Маркировка")
    publish("1.0", on=datetime.date(2022, 3, 18))
    reviewer = User.objects.create_user(
        "dana", email="dana@example.org", password=PASSWORD, is_staff=True
    )
    reviewer.groups.add(ensure_feedback_reviewers_group())
    page.set_extra_http_headers({"Accept-Language": "ru"})
    sign_in(page, "dana", PASSWORD)

    page.get_by_role("link", name="Оповещения о новых комментариях").click()
    expect(page.locator("h1")).to_have_text("Оповещения о новых комментариях")
    page.get_by_label("Раз в день, одним сообщением со списком новых комментариев").check()
    page.get_by_label("Русский").check()
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".messagelist")).to_contain_text("Сохранено: раз в день")
    page.screenshot(path=tmp_path / "alerts-ru.png", full_page=True)
    chosen = EditorAlerts.objects.get(user=reviewer)
    assert (chosen.frequency, chosen.language) == ("daily", "ru")

    item = make_feedback(comment="Polymer frames need a metal insert.")
    mail.outbox.clear()
    assert alerts.send_digests(now=timezone.now() + datetime.timedelta(days=1)) == 1
    (digest,) = mail.outbox
    assert digest.to == ["dana@example.org"]
    assert digest.subject == "1 новый комментарий к руководящим принципам"
    assert item.reference in digest.body
