"""Staff preview of the working draft: who may see it, and that it shows the draft as readers will."""

import pytest
from django.urls import reverse

from modules import services
from modules.models import Section

URLS = [
    "/en/preview/",
    "/ru/preview/modules/salw/",
    "/en/preview/modules/salw/salw-marking/",
]


@pytest.fixture
def edited(published):
    services.section_update(
        section=Section.objects.get(key="salw-marking"), body_en="Draft wording, not published."
    )
    return published


@pytest.mark.parametrize("url", URLS)
def test_anonymous_visitors_are_sent_to_sign_in(client, edited, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("url", URLS)
def test_users_without_permission_are_refused(
    client, reader, staff_without_permissions, edited, url
):
    for user in (reader, staff_without_permissions):
        client.force_login(user)
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", URLS)
def test_editors_see_the_draft(editor_client, edited, url):
    response = editor_client.get(url)
    assert response.status_code == 200
    assert "edition-banner--preview" in response.text


def test_the_preview_shows_draft_text_the_public_site_does_not(client, editor_client, edited):
    assert "Draft wording" in editor_client.get("/en/preview/modules/salw/salw-marking/").text
    assert "Draft wording" not in client.get("/en/modules/salw/salw-marking/").text
    html = editor_client.get("/en/preview/modules/salw/").text
    assert 'href="/en/preview/modules/salw/salw-marking/"' in html


def test_draft_compared_with_the_current_edition(editor_client, edited):
    html = editor_client.get("/en/preview/").text
    assert "Working draft compared with edition 1.0" in html
    assert 'id="change-salw-marking"' in html
    assert "[Inserted text: </span>Draft wording, not published." in html


def test_unknown_draft_pages_are_404(editor_client, edited):
    assert editor_client.get("/en/preview/modules/nope/").status_code == 404
    assert editor_client.get("/en/preview/modules/salw/nope/").status_code == 404


def test_the_preview_runs_a_bounded_number_of_queries(
    editor_client, db, django_assert_max_num_queries
):
    from tests.conftest import make_large_module, publish

    make_large_module("SALW", chapters=15, per_chapter=15)
    publish("1.0")
    # +2: the staff session's idle expiry is renewed on every request; +1: its two-step device.
    with django_assert_max_num_queries(11):
        assert editor_client.get("/en/preview/modules/salw/salw-ch3-s3/").status_code == 200
    with django_assert_max_num_queries(13):
        assert editor_client.get("/en/preview/").status_code == 200
