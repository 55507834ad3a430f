"""The pages for a bad request (400) and a server error (500), in the reader's language.

Django renders these two templates with an empty context: no request, no context processors
and so no database, since whatever failed may be one of them. These views do the same, in
the language of the address (/en/, /ru/: the error may come before the locale middleware
chose it), with only values that need neither; and if the page itself cannot be rendered
(a template or the static files' manifest broken), a plain page in both languages.
403 and 404 are Django's own views (templates/403.html, 404.html), which run the context
processors: those requests got through the middleware. A form refused by the CSRF check gets
its own page (csrf_failure), in the reader's language: what happened and what to do.
"""

import logging

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseServerError,
)
from django.template import loader
from django.utils import translation
from django.views.decorators.csrf import requires_csrf_token

from modules.context_processors import portal

logger = logging.getLogger(__name__)

# Shown when even the error page fails: no template, no static file, both languages.
PLAIN_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>{en} · {ru}</title></head><body><h1>{en}</h1>"
    '<p lang="ru">{ru}</p><p><a href="/">Home</a> · <a href="/ru/" lang="ru">Главная</a></p>'
    "</body></html>"
)


def _page(request: HttpRequest, template_name: str) -> str:
    language = translation.get_language_from_path(request.path_info)
    with translation.override(language or translation.get_language()):
        try:
            # The language switch and demonstration label: settings and URL patterns only.
            context = portal(request)
        except Exception:  # the page must still be shown, so without them
            logger.exception("The error page is shown without its language links")
            context = {}
        return loader.get_template(template_name).render(context)


def _page_or_plain(request: HttpRequest, template_name: str, *, en: str, ru: str) -> str:
    try:
        return _page(request, template_name)
    except Exception:
        logger.exception("The %s page could not be rendered", template_name)
        return PLAIN_PAGE.format(en=en, ru=ru)


@requires_csrf_token
def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    content = _page_or_plain(request, template_name, en="Server error", ru="Ошибка сервера")
    return HttpResponseServerError(content)


@requires_csrf_token
def bad_request(
    request: HttpRequest, exception: Exception, template_name: str = "400.html"
) -> HttpResponse:
    content = _page_or_plain(request, template_name, en="Bad request", ru="Неверный запрос")
    return HttpResponseBadRequest(content)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token (an expired page, blocked cookies, another site
    posting): refused, with how to send it again. The reason stays in the log, not the page."""
    logger.warning("Form refused by the CSRF check: %s", reason)
    content = _page_or_plain(
        request, "403_csrf.html", en="The form could not be sent", ru="Форма не отправлена"
    )
    return HttpResponseForbidden(content)
