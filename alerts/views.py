"""Public alert pages: the subscription form, and the pages the links in messages open
(confirm, manage, unsubscribe).

None of them is ever cached, none is indexed, and the ones whose address carries a token
never pass it on (Referrer-Policy: no-referrer). Forms are checked as the feedback form is
(guidelines_portal.abuse.is_same_origin_post), except the one-click unsubscription, which mail
programs post from anywhere (RFC 8058): the signed token is its authority.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from alerts import links, selectors, services, tasks
from alerts.forms import SettingsForm, SubscribeForm
from alerts.models import Scope, Subscriber
from guidelines_portal.abuse import client_ip, is_same_origin_post, rate_limited
from modules import labels
from modules import selectors as content
from modules.models import Edition, EditionModule, EditionSection

security_log = logging.getLogger("guidelines_portal.security")


def _private(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _allowed(request: HttpRequest, methods: str) -> HttpResponse | None:
    if request.method not in methods.split(", "):
        return HttpResponse(status=405, headers={"Allow": methods})
    return None


def _scope(request: HttpRequest, current: Edition) -> tuple[str, str, str]:
    """(scope, target, what it is called) from ?section= or ?module=; 404 for anything the
    current edition does not have."""
    section_key = request.GET.get("section", "")[:81]
    module_slug = request.GET.get("module", "")[:81]
    if section_key:
        section = (
            EditionSection.objects.filter(edition=current, key=section_key)
            .only("key", "number", "title_en", "title_ru")
            .first()
        )
        if section is None:
            raise Http404
        return (
            Scope.SECTION,
            section.key,
            f"{labels.section_number(section.number)} {section.title}",
        )
    if module_slug:
        module = EditionModule.objects.filter(edition=current, slug=module_slug).first()
        if module is None:
            raise Http404
        return Scope.MODULE, module.slug, module.title
    return Scope.WHOLE, "", str(Scope.WHOLE.label)


def _form_page(request, form, current, scope, *, status=200, error=""):
    context = {
        "form": form,
        "scope": scope[0],
        "label": scope[2],
        "error": error,
        **content.navigation(current),
    }
    return render(request, "alerts/subscribe.html", context, status=status)


@never_cache
@csrf_exempt  # checked by is_same_origin_post() instead
def subscribe(request: HttpRequest) -> HttpResponse:
    if refused := _allowed(request, "GET, HEAD, POST"):
        return refused
    current = Edition.objects.current()
    if current is None:
        raise Http404
    scope = _scope(request, current)
    if request.method != "POST":
        form = SubscribeForm(initial={"language": get_language()})
        return _form_page(request, form, current, scope)
    form = SubscribeForm(request.POST)
    if not is_same_origin_post(request):
        security_log.warning("Alert subscription posted from another site refused")
        message = _(
            "For your security, this form can only be sent from this site's own page. "
            "Please check it and send it again."
        )
        return _form_page(request, form, current, scope, status=403, error=message)
    if form.is_robot:
        security_log.warning("Alert subscription honeypot filled: dropped")
        return redirect("alerts:requested")
    if not form.is_valid():
        return _form_page(request, form, current, scope, status=400)
    limit = {"limit": settings.ALERTS_RATE_LIMIT, "window": settings.ALERTS_RATE_WINDOW}
    if rate_limited("alerts-ip", client_ip(request), **limit):
        message = _(
            "Many subscriptions have been asked for from your connection in a short time. "
            "Please wait an hour and send the form again."
        )
        return _form_page(request, form, current, scope, status=429, error=message)
    data = form.cleaned_data
    with transaction.atomic():
        asked = services.subscription_request(
            email=data["email"], language=data["language"], frequency=data["frequency"],
            scope=scope[0], target=scope[1],
        )  # fmt: skip
        if asked.send:
            pk = asked.subscriber.pk
            transaction.on_commit(lambda: tasks.send_confirmation.enqueue(pk))
    # The same answer whether the address was known or not.
    return redirect("alerts:requested")


@never_cache
def requested(request: HttpRequest) -> HttpResponse:
    return render(request, "alerts/requested.html", content.get_navigation())


def _link_problem(request: HttpRequest, *, expired: bool = False, status: int = 404):
    context = {"expired": expired, **content.get_navigation()}
    return _private(render(request, "alerts/link_problem.html", context, status=status))


def _subscriber(token: str, salt: str) -> Subscriber | None:
    key = links.key_from(token, salt)
    return Subscriber.objects.filter(key=key).first() if key else None


@never_cache
@csrf_exempt  # checked by is_same_origin_post() (with no-referrer, browsers send Origin: null)
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    if refused := _allowed(request, "GET, HEAD, POST"):
        return refused
    try:
        subscriber = _subscriber(token, links.CONFIRM_SALT)
    except links.Expired:
        return _link_problem(request, expired=True, status=410)
    if subscriber is None:
        return _link_problem(request)
    if request.method == "POST":
        if not is_same_origin_post(request):
            security_log.warning("Alert confirmation posted from another site refused")
            return _link_problem(request, status=403)
        services.subscription_confirm(subscriber)
        manage = reverse("alerts:manage", kwargs={"token": links.manage_token(subscriber.key)})
        return redirect(f"{manage}?confirmed=1")
    current = Edition.objects.current()
    pending = subscriber.follows.filter(confirmed_at__isnull=True)
    context = {
        "pending": selectors.follow_labels(pending, current),
        "manage_token": links.manage_token(subscriber.key),
        **content.navigation(current),
    }
    return _private(render(request, "alerts/confirm.html", context))


@never_cache
@csrf_exempt  # checked by is_same_origin_post()
def manage(request: HttpRequest, token: str) -> HttpResponse:
    if refused := _allowed(request, "GET, HEAD, POST"):
        return refused
    subscriber = _subscriber(token, links.MANAGE_SALT)
    if subscriber is None:
        return _link_problem(request)
    form = SettingsForm(
        initial={"frequency": subscriber.frequency, "language": subscriber.language}
    )
    status = 200
    if request.method == "POST":
        if not is_same_origin_post(request):
            security_log.warning("Alert settings posted from another site refused")
            return _link_problem(request, status=403)
        action = request.POST.get("action", "")
        if action == "erase":
            services.subscriber_erase(subscriber)
            return _private(render(request, "alerts/unsubscribed.html", content.get_navigation()))
        if action == "remove":
            follow_id = request.POST.get("follow", "")
            if follow_id.isdecimal() and len(follow_id) < 19:
                if services.follow_remove(subscriber, int(follow_id)):
                    context = content.get_navigation()
                    return _private(render(request, "alerts/unsubscribed.html", context))
                return redirect(f"{request.path}?saved=1")
            status = 400
        elif action == "settings":
            form = SettingsForm(request.POST)
            if form.is_valid():
                services.subscription_change(subscriber, **form.cleaned_data)
                return redirect(f"{request.path}?saved=1")
            status = 400
        else:
            status = 400
    current = Edition.objects.current()
    follows = subscriber.follows.order_by("scope", "target")
    context = {
        "subscriber": subscriber,
        "follows": selectors.follow_labels(follows, current),
        "form": form,
        "unsubscribe_token": links.unsubscribe_token(subscriber.key),
        "confirmed": request.GET.get("confirmed") == "1",
        "saved": request.GET.get("saved") == "1",
        **content.navigation(current),
    }
    return _private(render(request, "alerts/manage.html", context, status=status))


@never_cache
@csrf_exempt  # RFC 8058: mail programs post it from outside the site; the token decides
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button (link checkers and previews open links: they must not
    unsubscribe anyone). POST, from that button or a mail program: unsubscribed."""
    if refused := _allowed(request, "GET, HEAD, POST"):
        return refused
    key = links.key_from(token, links.UNSUBSCRIBE_SALT)
    if key is None:
        return _link_problem(request)
    subscriber = Subscriber.objects.filter(key=key).first()
    if request.method == "POST":
        if subscriber is not None:
            services.subscriber_erase(subscriber)
        # Already gone (a second click, a mail program and a person): the same answer.
        return _private(render(request, "alerts/unsubscribed.html", content.get_navigation()))
    if subscriber is None:
        return _private(render(request, "alerts/unsubscribed.html", content.get_navigation()))
    return _private(render(request, "alerts/unsubscribe.html", content.get_navigation()))
