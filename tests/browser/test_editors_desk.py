"""The editors' desk from comment to edition, in three browsers: a reviewer working in English
accepts a comment from the keyboard with a response template; an editor working in Russian
changes the section with a reason and ticks the comment it answers, and submits it; a second
editor approves; the first schedules the edition, which the worker publishes at its moment;
readers see the reason on the section's change page, and the comment incorporated."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from accounts.roles import ensure_editors_group, ensure_feedback_reviewers_group
from feedback.models import Feedback, ResponseTemplate, Status
from modules.models import Edition, ScheduledPublication
from tests.browser.helpers import sign_in
from tests.conftest import make_module, make_section, publish
from tests.feedback.conftest import make_feedback

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long staff password 42"
WORKER = ["db_worker", "--batch", "--no-startup-delay", "--interval", "0"]


@pytest.fixture
def comment(db) -> Feedback:
    module = make_module("SALW", title_ru="Стрелковое оружие")
    make_section(module, "salw-marking", title_en="Marking", title_ru="Маркировка",
                 body_en="Mark weapons.\n\nRecord the marks.",
                 body_ru="Маркируйте оружие.\n\nУчитывайте маркировку.")  # fmt: skip
    publish("1.0", on=datetime.date(2022, 3, 18))
    for name, group in (
        ("reviewer", ensure_feedback_reviewers_group()),
        ("author", ensure_editors_group()),
        ("second", ensure_editors_group()),
    ):
        person = User.objects.create_user(name, password=PASSWORD, is_staff=True)
        person.groups.add(group)  # fmt: skip
    ResponseTemplate.objects.create(
        title_en="Accepted: the section is revised", title_ru="Принято: раздел пересмотрен",
        status=Status.ACCEPTED, response_en="Thank you: the section is revised.",
        response_ru="Благодарим вас: раздел пересмотрен.",
    )  # fmt: skip
    return make_feedback(comment="Say that polymer frames carry a metal plate.", paragraph=1)


def test_from_a_comment_to_a_scheduled_edition_with_its_reason(
    browser, live_server, comment, monkeypatch
):
    monkeypatch.setattr("modules.pdf_builds.pdf_build", lambda **kwargs: None)  # no WeasyPrint

    def window(user: str, lang: str):
        context = browser.new_context(
            base_url=live_server.url, extra_http_headers={"Accept-Language": lang}, locale=lang
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        sign_in(page, user, PASSWORD)
        return page

    # The reviewer reaches the comment on the desk from the keyboard and accepts it.
    reviewer = window("reviewer", "en")
    reviewer.goto("/admin/feedback/feedback/triage/?progress=to_decide")
    reviewer.focus(f"#item-{comment.pk}")
    reviewer.keyboard.press("Enter")
    reviewer.wait_for_url(f"**/{comment.pk}/decide/**")
    assert "Mark weapons." in reviewer.locator(".decide__side-by-side").inner_text()
    reviewer.select_option("#id_status", Status.ACCEPTED.value)
    reviewer.select_option("#id_template", label="Accepted: the section is revised")
    reviewer.keyboard.press("Tab")
    reviewer.get_by_role("button", name="Save and back to the desk").click()
    comment.refresh_from_db()
    assert comment.status == Status.ACCEPTED
    assert comment.response_ru == "Благодарим вас: раздел пересмотрен."

    # The author changes the section with a reason, ticks the comment it answers, submits.
    author = window("author", "ru")
    author.goto(f"/admin/modules/section/{comment.section_id}/change/")
    author.click('a[href="#tab_id_body_en"]')
    author.fill(
        "#id_body_en", "Mark weapons; polymer frames carry a metal plate.\n\nRecord the marks."
    )
    author.click('a[href="#tab_id_body_ru"]')
    author.fill("#id_body_ru", "Маркируйте оружие; полимерные рамки несут металлическую пластину.\n\n"
                "Учитывайте маркировку.")  # fmt: skip
    author.click('a[href="#tab_id_change_reason_en"]')
    author.fill("#id_change_reason_en", "A State asked about polymer frames.")
    author.click('a[href="#tab_id_change_reason_ru"]')
    author.fill("#id_change_reason_ru", "Государство спросило о полимерных рамках.")
    author.check(f"input[name=addresses_feedback][value='{comment.pk}']")
    author.click("input[name=_continue]")
    author.get_by_role("link", name="Открыть страницу проверки").click()
    author.get_by_role("button", name="Направить изменение на проверку").click()

    # A second editor approves it.
    second = window("second", "en")
    second.goto(f"/admin/modules/section/{comment.section_id}/review/")
    second.get_by_role("button", name="Approve this change").click()
    assert "The change is approved." in second.locator(".messagelist").inner_text()

    # The author schedules the edition; the worker publishes it at its moment, not before.
    moment = (timezone.now() + datetime.timedelta(hours=2)).replace(second=0, microsecond=0)
    author.goto("/admin/modules/edition/add/")
    assert "Все изменения одобрены." in author.locator("#content-main").inner_text()
    author.fill("#id_change_summary_en", "Polymer frames.")
    author.fill("#id_change_summary_ru", "Полимерные рамки.")
    author.fill("#id_publish_at", moment.strftime("%Y-%m-%dT%H:%M"))
    author.click("#content-main input[type=submit]")
    author.click("input[name=schedule]")
    call_command(*WORKER, verbosity=0)
    assert Edition.objects.current().number == "1.0"
    from django_tasks_db.models import DBTaskResult

    past = timezone.now() - datetime.timedelta(seconds=1)
    ScheduledPublication.objects.update(publish_at=past)
    DBTaskResult.objects.update(run_after=past)
    call_command(*WORKER, verbosity=0)
    assert Edition.objects.current().number == "1.1"

    # Readers see why the section changed, and the comment answered by it.
    reader = browser.new_page(base_url=live_server.url)
    reader.goto("/en/editions/1.0/compare/1.1/sections/salw-marking/")
    assert "A State asked about polymer frames." in reader.locator(".change__reason").inner_text()
    author.goto("/ru/editions/1.0/compare/1.1/sections/salw-marking/")
    assert (
        "Государство спросило о полимерных рамках."
        in author.locator(".change__reason").inner_text()
    )
    comment.refresh_from_db()
    assert comment.incorporated_in == Edition.objects.current()
    reader.close()
