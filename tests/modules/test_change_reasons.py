"""Why a section changed: written with the change in the draft, published with the edition,
shown to readers on the section's change page in their language."""

import pytest
from django.utils import timezone

from modules import services
from modules.models import Edition, Section
from tests.conftest import admin_change_url, publish, section_admin_form

pytestmark = pytest.mark.django_db

CHANGE = "/{lang}/editions/1.0/compare/1.1/sections/salw-marking/"


def marking() -> Section:
    return Section.objects.get(key="salw-marking")


def test_an_editor_gives_a_reason_that_readers_see_with_the_change(
    editor_client, client, published
):
    response = editor_client.post(
        admin_change_url(marking()),
        section_admin_form(
            marking(),
            body_en="Mark every frame.",
            change_reason_en="States asked for polymer frames to be covered.\r\nSee the comments.",
            change_reason_ru="Государства просили охватить полимерные рамки.",
        ),
    )
    assert response.status_code == 302
    assert marking().change_reason_en == (
        "States asked for polymer frames to be covered.\nSee the comments."
    )
    edition = publish("1.1")
    frozen = edition.sections.get(key="salw-marking")
    assert frozen.change_reason_ru == "Государства просили охватить полимерные рамки."
    # Published: the draft starts the next edition without it.
    assert (marking().change_reason_en, marking().change_reason_ru) == ("", "")

    english = client.get(CHANGE.format(lang="en")).text
    assert "Why it changed in edition 1.1:" in english
    assert "polymer frames to be covered.<br>See the comments." in english
    russian = client.get(CHANGE.format(lang="ru")).text
    assert "Государства просили охватить полимерные рамки." in russian
    # The comparison of the two editions gives it too, beside the change.
    assert "polymer frames to be covered." in client.get("/en/editions/1.0/compare/1.1/").text


def test_a_reason_in_english_only_is_shown_to_russian_readers_marked_as_english(published):
    from django.test import Client

    services.section_update(section=marking(), body_en="Mark every frame.",
                            change_reason_en="Polymer frames covered.")  # fmt: skip
    publish("1.1")
    page = Client().get(CHANGE.format(lang="ru")).text
    assert '<span lang="en">Polymer frames covered.</span>' in page


def test_a_reason_for_a_text_that_did_not_change_waits_for_the_change(published):
    services.section_update(section=marking(), change_reason_en="Will cover polymer frames.")
    edition = publish("1.1")
    assert edition.sections.get(key="salw-marking").change_reason_en == ""
    assert marking().change_reason_en == "Will cover polymer frames."


def test_a_reason_written_after_a_scheduled_publication_stays_for_the_next_edition(
    published, editor
):
    services.section_update(section=marking(), body_en="New.", change_reason_en="First reason.")
    scheduled = services.edition_schedule(
        number="1.1", publish_at=timezone.now() + timezone.timedelta(days=1),
        change_summary_en="x", user=editor, expected_fingerprint=services.draft_fingerprint(),
        override_reason="Cleared elsewhere.",
    )  # fmt: skip
    services.section_update(section=marking(), body_en="Newer.", change_reason_en="Second.")
    from modules.models import ScheduledPublication

    ScheduledPublication.objects.filter(pk=scheduled.pk).update(publish_at=timezone.now())
    services.edition_publish_due(scheduled_id=scheduled.pk)
    assert Edition.objects.current().sections.get(key="salw-marking").change_reason_en == (
        "First reason."
    )
    assert marking().change_reason_en == "Second."


def test_a_reason_is_text_never_markup(client, published):
    services.section_update(section=marking(), body_en="New.",
                            change_reason_en='<script>alert(1)</script> <b>bold</b>')  # fmt: skip
    publish("1.1")
    page = client.get(CHANGE.format(lang="en")).text
    assert "<script>alert(1)" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page


def test_the_draft_preview_shows_the_reason_before_publishing(editor_client, published):
    services.section_update(section=marking(), body_en="New.", change_reason_en="Polymer.")
    page = editor_client.get("/en/preview/").text
    assert "Why it changes:" in page and "Polymer." in page


def test_a_translator_gives_the_russian_reason_only(client, translator, published):
    client.force_login(translator)
    client.post(
        admin_change_url(marking()),
        section_admin_form(marking(), change_reason_en="Changed by a translator?",
                           change_reason_ru="Причина."),
    )  # fmt: skip
    assert (marking().change_reason_en or "", marking().change_reason_ru) == ("", "Причина.")
