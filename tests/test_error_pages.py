"""Error pages (400, 403, 404, 500) are in the reader's language (the address's /en/ or /ru/),
in the site's look, with a link home and a search box. The 400 and 500 pages need neither
the database nor the context processors: Django renders them with an empty context, and
whatever failed may be one of them."""

import re

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import translation

from guidelines_portal import errors
from guidelines_portal.urls import handler400, handler403, handler500
from guidelines_portal.urls import urlpatterns as portal_urlpatterns
from tests.test_russian_completeness import visible_text


def _fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def _refuses(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


# The portal's URLs and handlers, with a page that fails and one that refuses everyone.
urlpatterns = [
    *portal_urlpatterns,
    *i18n_patterns(path("fails/", _fails), path("refused/", _refuses)),
]
__all__ = ["handler400", "handler403", "handler500", "urlpatterns"]

HEADINGS = {
    "404": {"en": "Page not found", "ru": "Страница не найдена"},
    "500": {"en": "Something went wrong on our side"},
    "403": {"en": "Access denied"},
    "400": {"en": "Bad request"},
}
# Words in Latin letters: none may be left in a Russian page (the language switch, marked
# lang="en", and addresses are not read), but for og:type's keyword.
LATIN_WORD = re.compile(r"\b[A-Za-z]{2,}\b")
KEYWORDS = {"website"}


def assert_error_page(html: str, language: str, heading: str | None = None) -> None:
    """The site's page in ``language``: its header, a link home and a search box in the
    reader's language, the heading, and in Russian no English word."""
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html
    assert f'<a href="/{language}/">' in html
    assert f'action="/{language}/search/"' in html and 'id="error-q"' in html
    assert '<meta name="robots" content="noindex">' in html
    if heading:
        assert re.search(rf"<h1>\s*{re.escape(heading)}\s*</h1>", html), heading
    if language == "ru":
        assert set(LATIN_WORD.findall(visible_text(html))) - KEYWORDS == set()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_missing_page_is_a_404_in_the_readers_language(client, language):
    response = client.get(f"/{language}/no-such-page/")
    assert response.status_code == 404
    assert_error_page(response.content.decode(), language, HEADINGS["404"].get(language))


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_failing_page_is_a_500_in_the_readers_language(language):
    response = Client(raise_request_exception=False).get(f"/{language}/fails/")
    assert response.status_code == 500
    assert_error_page(response.content.decode(), language, HEADINGS["500"].get(language))


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_500_page_needs_no_database(language):
    """No database access is allowed here: a query would fail the page's rendering, and the
    handler would answer with its plain fallback instead of the site's page."""
    response = errors.server_error(RequestFactory().get(f"/{language}/modules/salw/"))
    assert response.status_code == 500
    assert_error_page(response.content.decode(), language, HEADINGS["500"].get(language))


def test_the_500_page_renders_with_an_empty_context():
    """As Django's own handler renders it: no request, no context processors."""
    with translation.override("ru"):
        html = loader.get_template("500.html").render({})
    assert_error_page(html, "ru")


def test_a_500_page_that_cannot_be_rendered_falls_back_to_plain_text(monkeypatch):
    def broken(name: str) -> None:
        raise ValueError("Missing staticfiles manifest entry")

    monkeypatch.setattr(errors.loader, "get_template", broken)
    response = errors.server_error(RequestFactory().get("/ru/"))
    assert response.status_code == 500
    assert "Ошибка сервера" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_refusal_is_a_403_in_the_readers_language(language):
    response = Client().get(f"/{language}/refused/")
    assert response.status_code == 403
    assert_error_page(response.content.decode(), language, HEADINGS["403"].get(language))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_bad_request_is_a_400_in_the_readers_language(language):
    response = Client().get(f"/{language}/", HTTP_HOST="evil.example")  # not in ALLOWED_HOSTS
    assert response.status_code == 400
    assert_error_page(response.content.decode(), language, HEADINGS["400"].get(language))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_form_refused_by_the_csrf_check_says_how_to_send_it_again(language, published):
    # (The feedback form handles this itself, keeping the comment: tests/feedback.)
    response = Client(enforce_csrf_checks=True).post(
        "/admin/login/", {"username": "editor", "password": "x"}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 403
    html = response.content.decode()
    heading = {"en": "The form could not be sent", "ru": "Форма не отправлена"}[language]
    assert_error_page(html, language, heading)
    assert "CSRF" not in html  # the technical reason is logged, not shown
